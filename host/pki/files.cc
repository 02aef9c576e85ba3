#include "otter/pki/files.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <random>
#include <sstream>

#include "otter/pki/certificate_authority.h"

namespace otter::pki {
namespace {

[[noreturn]] void fail(const std::string& what, const std::filesystem::path& path) {
  throw CaError(what + " " + path.string() + ": " + std::strerror(errno));
}

void write_file(const std::filesystem::path& path, std::string_view content, mode_t mode) {
  const auto parent = path.parent_path().empty() ? std::filesystem::path(".") : path.parent_path();
  std::error_code ec;
  std::filesystem::create_directories(parent, ec);
  if (ec) throw CaError("cannot create folder " + parent.string() + ": " + ec.message());

  std::random_device random;
  const auto temp = parent / ("." + path.filename().string() + ".tmp" + std::to_string(random()));
  // O_EXCL with the final mode from the start: a key is never readable by
  // others, not even for the moment between open and chmod.
  const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
  if (fd < 0) fail("cannot create", temp);
  // The umask may have removed bits we want (0644); it can only remove.
  if (::fchmod(fd, mode) != 0) {
    ::close(fd);
    ::unlink(temp.c_str());
    fail("cannot set mode of", temp);
  }
  const char* data = content.data();
  size_t left = content.size();
  while (left > 0) {
    const ssize_t written = ::write(fd, data, left);
    if (written < 0) {
      if (errno == EINTR) continue;
      ::close(fd);
      ::unlink(temp.c_str());
      fail("cannot write", temp);
    }
    data += written;
    left -= static_cast<size_t>(written);
  }
  if (::fsync(fd) != 0 || ::close(fd) != 0) {
    ::unlink(temp.c_str());
    fail("cannot flush", temp);
  }
  if (::rename(temp.c_str(), path.c_str()) != 0) {
    ::unlink(temp.c_str());
    fail("cannot rename into", path);
  }
  // The rename itself is durable only once the folder is flushed.
  const int dir_fd = ::open(parent.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir_fd >= 0) {
    ::fsync(dir_fd);
    ::close(dir_fd);
  }
}

}  // namespace

void write_private_file(const std::filesystem::path& path, std::string_view content) {
  write_file(path, content, 0600);
}

void write_public_file(const std::filesystem::path& path, std::string_view content) {
  write_file(path, content, 0644);
}

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) fail("cannot read", path);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

}  // namespace otter::pki
