// Content-addressed firmware files: every image lives in the data dir under the
// lowercase hex of its SHA-256, so identical uploads share one file, a stored
// file can never change under a running job, and streams can serve (or cache,
// or mmap) blocks straight from the file named by the job's digest.
#pragma once

#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <vector>

namespace otter::firmware {

// Lowercase hex SHA-256 of `bytes`.
std::string sha256_hex(std::span<const std::uint8_t> bytes);

// True for exactly 64 lowercase hex digits (the only names ImageFiles accepts,
// so a digest taken from a URL can never escape the directory).
bool is_sha256_hex(std::string_view text);

class ImageFiles {
 public:
  // Creates `dir` if needed.
  explicit ImageFiles(std::filesystem::path dir);

  // Stores `bytes` durably (temp file, fsync, rename, fsync of the directory)
  // and returns their digest. Storing bytes that are already there is a no-op.
  std::string put(std::span<const std::uint8_t> bytes);

  bool contains(const std::string& digest) const;
  // Path of the file for `digest`; throws std::invalid_argument for a
  // malformed digest. The file exists only if contains(digest).
  std::filesystem::path path_of(const std::string& digest) const;
  // Whole file; throws std::runtime_error when absent or unreadable.
  std::vector<std::uint8_t> read(const std::string& digest) const;
  // Removes the file (no error when absent).
  void remove(const std::string& digest);

  const std::filesystem::path& dir() const { return dir_; }

 private:
  std::filesystem::path dir_;
};

}  // namespace otter::firmware
