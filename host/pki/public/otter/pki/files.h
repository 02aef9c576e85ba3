// Writing key material and generated configuration safely: a file is written
// to a temporary sibling, flushed, then renamed over the target, so readers
// (and a crash) see either the old or the new file, never half of one.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

namespace otter::pki {

// Mode 0600 (private keys). Throws CaError on I/O failure.
void write_private_file(const std::filesystem::path& path, std::string_view content);
// Mode 0644 (certificates, CRL, configuration).
void write_public_file(const std::filesystem::path& path, std::string_view content);
// Whole file as bytes; throws CaError naming the path when unreadable.
std::string read_file(const std::filesystem::path& path);

}  // namespace otter::pki
