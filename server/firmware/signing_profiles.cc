#include "otter/firmware/signing_profiles.h"

#include <fcntl.h>
#include <openssl/err.h>
#include <openssl/x509.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "otter/crypto/certificate.h"
#include "otter/crypto/keys.h"
#include "otter/crypto/openssl.h"
#include "otter/crypto/signature.h"
#include "otter/firmware/code_signing.h"

namespace otter::firmware {
namespace {

constexpr const char* kKeyFile = "key.pem";
constexpr const char* kCertFile = "cert.pem";

std::string read_text(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path.string());
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// Written with the final mode from the start so a key is never world-readable,
// not even for an instant; fsync'd before the caller renames the folder.
void write_file(const std::filesystem::path& path, const std::string& text, mode_t mode) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
  if (fd < 0) throw std::runtime_error("cannot create " + path.string() + ": " + std::strerror(errno));
  std::size_t written = 0;
  bool ok = ::fchmod(fd, mode) == 0;
  while (ok && written < text.size()) {
    const ssize_t n = ::write(fd, text.data() + written, text.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) ok = false;
    else written += static_cast<std::size_t>(n);
  }
  ok = ok && ::fsync(fd) == 0;
  ok = (::close(fd) == 0) && ok;
  if (!ok) throw std::runtime_error("cannot write " + path.string() + ": " + std::strerror(errno));
}

crypto::PKey parse_private_key(const std::string& pem) {
  try {
    return crypto::read_private_key(std::span(reinterpret_cast<const std::uint8_t*>(pem.data()), pem.size()));
  } catch (const crypto::CryptoError& e) {
    throw std::invalid_argument(std::string("the signing key is not a readable P-256 private key: ") + e.what());
  }
}

crypto::X509Ptr parse_certificate(const std::string& pem) {
  try {
    return crypto::read_certificate(std::span(reinterpret_cast<const std::uint8_t*>(pem.data()), pem.size()));
  } catch (const crypto::CryptoError& e) {
    throw std::invalid_argument(std::string("the signing certificate is not readable: ") + e.what());
  }
}

}  // namespace

bool is_valid_profile_name(std::string_view name) {
  if (name.empty() || name.size() > 64 || name.front() == '.') return false;
  for (char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
                    c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

SigningProfiles::SigningProfiles(std::filesystem::path dir) : dir_(std::move(dir)) {
  std::filesystem::create_directories(dir_);
  std::filesystem::permissions(dir_, std::filesystem::perms::owner_all, std::filesystem::perm_options::replace);
}

SigningProfile SigningProfiles::create(const std::string& name, const std::string& common_name) {
  if (common_name.empty() || common_name.size() > 64) {
    throw std::invalid_argument("the certificate common name must be 1-64 characters");
  }
  const crypto::PKey key = crypto::generate_p256_key();
  const auto cert = crypto::make_code_signing_certificate(key, common_name, 3650);
  return import(name, crypto::private_key_pem(key), crypto::certificate_pem(cert.get()));
}

SigningProfile SigningProfiles::import(const std::string& name, const std::string& key_pem,
                                       const std::string& certificate_pem) {
  if (!is_valid_profile_name(name)) {
    throw std::invalid_argument("invalid signing profile name '" + name +
                                "' (1-64 of letters, digits, '.', '_', '-')");
  }
  const auto key = parse_private_key(key_pem);
  const auto cert = parse_certificate(certificate_pem);
  if (X509_check_private_key(cert.get(), key.get()) != 1) {
    ERR_clear_error();
    throw std::invalid_argument("the signing key does not match the certificate");
  }
  std::lock_guard lock(mutex_);
  const auto folder = dir_ / name;
  if (std::filesystem::exists(folder)) throw std::runtime_error("signing profile '" + name + "' already exists");
  // Build the profile in a hidden folder and rename it into place, so a crash
  // never leaves a profile with a certificate but no key.
  const auto temp = dir_ / ("." + name + ".new");
  std::filesystem::remove_all(temp);
  std::filesystem::create_directory(temp);
  std::filesystem::permissions(temp, std::filesystem::perms::owner_all, std::filesystem::perm_options::replace);
  write_file(temp / kKeyFile, crypto::private_key_pem(key), 0600);
  write_file(temp / kCertFile, crypto::certificate_pem(cert.get()), 0644);
  std::filesystem::rename(temp, folder);
  return SigningProfile{name, crypto::certificate_pem(cert.get()), certificate_subject_cn(certificate_pem)};
}

std::optional<SigningProfile> SigningProfiles::find(const std::string& name) const {
  if (!is_valid_profile_name(name)) return std::nullopt;
  std::lock_guard lock(mutex_);
  const auto cert_path = dir_ / name / kCertFile;
  if (!std::filesystem::is_regular_file(cert_path)) return std::nullopt;
  std::string pem = read_text(cert_path);
  std::string subject = certificate_subject_cn(pem);
  return SigningProfile{name, std::move(pem), std::move(subject)};
}

std::vector<SigningProfile> SigningProfiles::list() const {
  std::vector<std::string> names;
  {
    std::lock_guard lock(mutex_);
    for (const auto& entry : std::filesystem::directory_iterator(dir_)) {
      const std::string n = entry.path().filename().string();
      if (entry.is_directory() && is_valid_profile_name(n)) names.push_back(n);
    }
  }
  std::sort(names.begin(), names.end());
  std::vector<SigningProfile> profiles;
  for (const auto& n : names) {
    if (auto p = find(n)) profiles.push_back(std::move(*p));
  }
  return profiles;
}

void SigningProfiles::remove(const std::string& name) {
  if (!is_valid_profile_name(name)) throw std::out_of_range("no signing profile '" + name + "'");
  std::lock_guard lock(mutex_);
  if (std::filesystem::remove_all(dir_ / name) == 0) throw std::out_of_range("no signing profile '" + name + "'");
}

std::vector<std::uint8_t> SigningProfiles::sign(const std::string& name, std::span<const std::uint8_t> image) const {
  std::string key_pem;
  {
    std::lock_guard lock(mutex_);
    const auto key_path = dir_ / name;
    if (!is_valid_profile_name(name) || !std::filesystem::is_regular_file(key_path / kKeyFile)) {
      throw std::out_of_range("no signing profile '" + name + "'");
    }
    key_pem = read_text(key_path / kKeyFile);
  }
  return crypto::sign_sha256(parse_private_key(key_pem), image);
}

}  // namespace otter::firmware
