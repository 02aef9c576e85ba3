// Reading and writing firmware files on the host.
#pragma once

#include <cstdint>
#include <filesystem>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

namespace otter::image {

// A file that cannot be read or written, or whose content is not what the
// caller needs (no descriptor, not a bundle, ...). The message names the file
// and says what to do.
class ImageFileError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

std::vector<std::uint8_t> read_file(const std::filesystem::path& path);
// Writes to a temporary file beside `path`, then renames it over `path`, so a
// crash never leaves a half-written image or signature.
void write_file(const std::filesystem::path& path, std::span<const std::uint8_t> bytes);
void write_file(const std::filesystem::path& path, const std::string& text);

}  // namespace otter::image
