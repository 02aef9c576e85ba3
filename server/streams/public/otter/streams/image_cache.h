#pragma once
// Image bytes for stream blocks, memory-mapped read-only once per file and
// shared by every sender (blocks are immutable, so no copy and no lock).
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <span>
#include <string>

namespace otter::streams {

class MappedFile {
 public:
  // Throws std::runtime_error when the file cannot be opened or mapped.
  explicit MappedFile(const std::string& path);
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;
  ~MappedFile();

  std::span<const std::uint8_t> bytes() const { return {data_, size_}; }
  std::size_t size() const { return size_; }

 private:
  const std::uint8_t* data_ = nullptr;
  std::size_t size_ = 0;
};

class ImageCache {
 public:
  // The mapped file at `path`, which must be `expected_size` bytes; nullptr
  // (and the reason in `error`) otherwise. A file whose size changed is
  // re-mapped, so a replaced image is never served half old, half new.
  std::shared_ptr<const MappedFile> open(const std::string& path, std::int64_t expected_size, std::string& error);

 private:
  std::mutex mutex_;
  std::map<std::string, std::shared_ptr<const MappedFile>> files_;
};

}  // namespace otter::streams
