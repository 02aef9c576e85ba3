#include "otter/api/api_token.h"

#include <fcntl.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <stdexcept>

namespace otter::api {
namespace {

void write_private(const std::filesystem::path& path, const std::string& text) {
  const auto temp = path.string() + ".tmp";
  const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) throw std::runtime_error("cannot create " + temp + ": " + std::strerror(errno));
  bool ok = ::fchmod(fd, 0600) == 0;
  std::size_t done = 0;
  while (ok && done < text.size()) {
    const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) ok = false;
    else done += static_cast<std::size_t>(n);
  }
  ok = ok && ::fsync(fd) == 0;
  ok = (::close(fd) == 0) && ok;
  if (!ok || ::rename(temp.c_str(), path.c_str()) != 0) {
    ::unlink(temp.c_str());
    throw std::runtime_error("cannot write " + path.string() + ": " + std::strerror(errno));
  }
}

std::string trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) s.pop_back();
  return s;
}

}  // namespace

std::string read_api_token(const std::filesystem::path& data_dir) {
  const auto path = data_dir / kTokenFile;
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    throw std::runtime_error("cannot read the API token " + path.string() + " (run `otterd init` first)");
  }
  if ((st.st_mode & 077) != 0) {
    throw std::runtime_error(path.string() + " is readable by other users; run chmod 600 on it");
  }
  std::ifstream in(path);
  std::ostringstream s;
  s << in.rdbuf();
  const std::string token = trim(s.str());
  if (token.size() < 16) throw std::runtime_error(path.string() + " holds no usable token (16 characters minimum)");
  return token;
}

std::string ensure_api_token(const std::filesystem::path& data_dir) {
  const auto path = data_dir / kTokenFile;
  if (std::filesystem::exists(path)) return read_api_token(data_dir);
  std::filesystem::create_directories(data_dir);
  std::array<unsigned char, 32> random{};
  if (RAND_bytes(random.data(), static_cast<int>(random.size())) != 1) {
    throw std::runtime_error("no randomness available for the API token");
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string token;
  for (unsigned char b : random) {
    token += kHex[b >> 4];
    token += kHex[b & 0xF];
  }
  write_private(path, token + "\n");
  return token;
}

void write_cli_config(const std::filesystem::path& data_dir, const std::string& url, const std::string& token) {
  const nlohmann::json config{{"url", url}, {"token", token}};
  write_private(data_dir / kCliConfigFile, config.dump(2) + "\n");
}

bool bearer_token_matches(std::string_view authorization_header, std::string_view expected) {
  constexpr std::string_view kScheme = "Bearer ";
  if (expected.empty() || authorization_header.size() < kScheme.size()) return false;
  // The scheme name is case-insensitive (RFC 7235).
  for (std::size_t i = 0; i < kScheme.size(); ++i) {
    const char a = authorization_header[i];
    const char b = kScheme[i];
    if ((a | 0x20) != (b | 0x20)) return false;
  }
  const std::string_view presented = authorization_header.substr(kScheme.size());
  // Compare digests so the time does not depend on where the tokens differ,
  // nor leak the expected token's length.
  std::array<unsigned char, 32> a{}, b{};
  unsigned int len = 0;
  EVP_Digest(presented.data(), presented.size(), a.data(), &len, EVP_sha256(), nullptr);
  EVP_Digest(expected.data(), expected.size(), b.data(), &len, EVP_sha256(), nullptr);
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace otter::api
