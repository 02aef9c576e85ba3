#include "otter/ports/posix/file_flash.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace otter::ports::posix {

std::unique_ptr<FileFlash> FileFlash::open(const std::filesystem::path& path, const flash::Geometry& geometry,
                                           std::string& error) {
  if (geometry.size == 0 || geometry.program_size == 0) {
    error = "flash geometry for " + path.string() + " has no size";
    return nullptr;
  }
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) {
    error = "cannot open flash file " + path.string() + ": " + std::strerror(errno);
    return nullptr;
  }
  struct stat st {};
  ::fstat(fd, &st);
  std::vector<std::uint8_t> bytes(geometry.size, geometry.erased_value);
  if (st.st_size == 0) {
    if (::pwrite(fd, bytes.data(), bytes.size(), 0) != static_cast<ssize_t>(bytes.size())) {
      error = "cannot initialise flash file " + path.string() + ": " + std::strerror(errno);
      ::close(fd);
      return nullptr;
    }
  } else if (static_cast<std::uint64_t>(st.st_size) != geometry.size ||
             ::pread(fd, bytes.data(), bytes.size(), 0) != static_cast<ssize_t>(bytes.size())) {
    error = "flash file " + path.string() + " is " + std::to_string(st.st_size) + " bytes, expected " +
            std::to_string(geometry.size) + " (delete it to start with an erased flash)";
    ::close(fd);
    return nullptr;
  }
  return std::unique_ptr<FileFlash>(new FileFlash(fd, geometry, std::move(bytes)));
}

FileFlash::~FileFlash() {
  if (fd_ >= 0) ::close(fd_);
}

bool FileFlash::inside(std::uint32_t address, std::size_t length) const {
  return address <= bytes_.size() && length <= bytes_.size() - address;
}

Status FileFlash::write_through(std::uint32_t address, std::size_t length) {
  const ssize_t n = ::pwrite(fd_, bytes_.data() + address, length, address);
  return n == static_cast<ssize_t>(length) ? Status::kOk : Status::kIoError;
}

Status FileFlash::read(std::uint32_t address, std::span<std::uint8_t> out) {
  if (!inside(address, out.size())) return Status::kOutOfRange;
  std::memcpy(out.data(), bytes_.data() + address, out.size());
  return Status::kOk;
}

Status FileFlash::program(std::uint32_t address, std::span<const std::uint8_t> data) {
  if (!inside(address, data.size())) return Status::kOutOfRange;
  if (address % geometry_.program_size != 0 || data.size() % geometry_.program_size != 0) return Status::kMisaligned;
  if (geometry_.program_page != 0 && !data.empty() &&
      address / geometry_.program_page != (address + data.size() - 1) / geometry_.program_page)
    return Status::kInvalidArgument;
  if (geometry_.needs_erase) {
    for (std::size_t i = 0; i < data.size(); ++i) {
      if (bytes_[address + i] != geometry_.erased_value) return Status::kNotErased;
    }
  }
  std::memcpy(bytes_.data() + address, data.data(), data.size());
  return write_through(address, data.size());
}

Status FileFlash::erase(std::uint32_t address, std::uint32_t length) {
  if (!geometry_.needs_erase || geometry_.erase_size == 0) return Status::kOk;
  if (!inside(address, length)) return Status::kOutOfRange;
  if (address % geometry_.erase_size != 0 || length % geometry_.erase_size != 0) return Status::kMisaligned;
  std::memset(bytes_.data() + address, geometry_.erased_value, length);
  return write_through(address, length);
}

Status FileFlash::poke(std::uint32_t address, std::span<const std::uint8_t> data) {
  if (!inside(address, data.size())) return Status::kOutOfRange;
  std::memcpy(bytes_.data() + address, data.data(), data.size());
  return write_through(address, data.size());
}

}  // namespace otter::ports::posix
