#include "otter/streams/image_cache.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace otter::streams {

MappedFile::MappedFile(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw std::runtime_error("cannot open " + path + ": " + std::strerror(errno));
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    int e = errno;
    ::close(fd);
    throw std::runtime_error("cannot stat " + path + ": " + std::strerror(e));
  }
  size_ = static_cast<std::size_t>(st.st_size);
  if (size_ > 0) {
    void* p = ::mmap(nullptr, size_, PROT_READ, MAP_PRIVATE, fd, 0);
    if (p == MAP_FAILED) {
      int e = errno;
      ::close(fd);
      throw std::runtime_error("cannot map " + path + ": " + std::strerror(e));
    }
    data_ = static_cast<const std::uint8_t*>(p);
  }
  ::close(fd);
}

MappedFile::~MappedFile() {
  if (data_) ::munmap(const_cast<std::uint8_t*>(data_), size_);
}

std::shared_ptr<const MappedFile> ImageCache::open(const std::string& path, std::int64_t expected_size,
                                                   std::string& error) {
  std::lock_guard lock(mutex_);
  auto it = files_.find(path);
  if (it != files_.end() && static_cast<std::int64_t>(it->second->size()) == expected_size) return it->second;
  try {
    auto file = std::make_shared<const MappedFile>(path);
    if (static_cast<std::int64_t>(file->size()) != expected_size) {
      error = "image " + path + " has " + std::to_string(file->size()) + " bytes, the stream says " +
              std::to_string(expected_size);
      return nullptr;
    }
    files_[path] = file;
    return file;
  } catch (const std::exception& e) {
    error = e.what();
    return nullptr;
  }
}

}  // namespace otter::streams
