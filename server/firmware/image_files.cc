#include "otter/firmware/image_files.h"

#include <fcntl.h>
#include <openssl/evp.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <random>
#include <stdexcept>

namespace otter::firmware {
namespace {

[[noreturn]] void throw_errno(const std::string& what, const std::filesystem::path& path) {
  throw std::runtime_error(what + " " + path.string() + ": " + std::strerror(errno));
}

class FileDescriptor {
 public:
  explicit FileDescriptor(int fd) : fd_(fd) {}
  FileDescriptor(const FileDescriptor&) = delete;
  FileDescriptor& operator=(const FileDescriptor&) = delete;
  ~FileDescriptor() {
    if (fd_ >= 0) ::close(fd_);
  }
  int get() const { return fd_; }
  // Closes now so that a failing close (delayed write error) is reported.
  int release_and_close() {
    const int rc = ::close(fd_);
    fd_ = -1;
    return rc;
  }

 private:
  int fd_;
};

void fsync_dir(const std::filesystem::path& dir) {
  FileDescriptor fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (fd.get() < 0) throw_errno("cannot open directory", dir);
  if (::fsync(fd.get()) != 0) throw_errno("cannot fsync directory", dir);
}

std::string random_suffix() {
  std::random_device rd;
  std::uniform_int_distribution<unsigned> dist(0, 0xFFFFFFu);
  char buf[16];
  std::snprintf(buf, sizeof(buf), "%06x", dist(rd));
  return buf;
}

}  // namespace

std::string sha256_hex(std::span<const std::uint8_t> bytes) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> md{};
  unsigned int len = 0;
  if (EVP_Digest(bytes.data(), bytes.size(), md.data(), &len, EVP_sha256(), nullptr) != 1) {
    throw std::runtime_error("SHA-256 failed");
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  hex.reserve(len * 2);
  for (unsigned i = 0; i < len; ++i) {
    hex.push_back(kHex[md[i] >> 4]);
    hex.push_back(kHex[md[i] & 0xF]);
  }
  return hex;
}

bool is_sha256_hex(std::string_view text) {
  if (text.size() != 64) return false;
  for (char c : text) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

ImageFiles::ImageFiles(std::filesystem::path dir) : dir_(std::move(dir)) {
  std::filesystem::create_directories(dir_);
}

std::filesystem::path ImageFiles::path_of(const std::string& digest) const {
  if (!is_sha256_hex(digest)) throw std::invalid_argument("not a SHA-256 digest: '" + digest + "'");
  return dir_ / (digest + ".bin");
}

bool ImageFiles::contains(const std::string& digest) const {
  return is_sha256_hex(digest) && std::filesystem::is_regular_file(path_of(digest));
}

std::string ImageFiles::put(std::span<const std::uint8_t> bytes) {
  const std::string digest = sha256_hex(bytes);
  const auto final_path = path_of(digest);
  if (std::filesystem::is_regular_file(final_path) &&
      std::filesystem::file_size(final_path) == bytes.size()) {
    return digest;
  }
  const auto temp_path = dir_ / ("." + digest + ".tmp-" + random_suffix());
  FileDescriptor fd(::open(temp_path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644));
  if (fd.get() < 0) throw_errno("cannot create", temp_path);
  try {
    std::size_t written = 0;
    while (written < bytes.size()) {
      const ssize_t n = ::write(fd.get(), bytes.data() + written, bytes.size() - written);
      if (n < 0) {
        if (errno == EINTR) continue;
        throw_errno("cannot write", temp_path);
      }
      written += static_cast<std::size_t>(n);
    }
    if (::fsync(fd.get()) != 0) throw_errno("cannot fsync", temp_path);
    if (fd.release_and_close() != 0) throw_errno("cannot close", temp_path);
    if (::rename(temp_path.c_str(), final_path.c_str()) != 0) throw_errno("cannot rename", temp_path);
  } catch (...) {
    std::error_code ignored;
    std::filesystem::remove(temp_path, ignored);
    throw;
  }
  fsync_dir(dir_);
  return digest;
}

std::vector<std::uint8_t> ImageFiles::read(const std::string& digest) const {
  const auto path = path_of(digest);
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("firmware file missing: " + path.string());
  std::vector<std::uint8_t> bytes(std::filesystem::file_size(path));
  in.read(reinterpret_cast<char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  if (!in) throw std::runtime_error("cannot read firmware file " + path.string());
  return bytes;
}

void ImageFiles::remove(const std::string& digest) {
  std::error_code ignored;
  std::filesystem::remove(path_of(digest), ignored);
}

}  // namespace otter::firmware
