// Signing profiles: code-signing keys the server holds so an operator can ask
// otterd to sign an uploaded image (the self-hosted counterpart of AWS Signer
// profiles). Each profile is a folder <dir>/<name>/ with key.pem (mode 0600)
// and cert.pem; the key never leaves the server through the API.
#pragma once

#include <cstdint>
#include <filesystem>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace otter::firmware {

struct SigningProfile {
  std::string name;
  std::string certificate_pem;
  std::string subject;  // certificate subject CN
};

// Profile names: 1-64 of [A-Za-z0-9._-], not starting with '.'.
bool is_valid_profile_name(std::string_view name);

class SigningProfiles {
 public:
  explicit SigningProfiles(std::filesystem::path dir);

  // Generates a P-256 key and a self-signed code-signing certificate (CN =
  // `common_name`, 10 years). Throws std::invalid_argument for a bad name and
  // std::runtime_error when the profile exists.
  SigningProfile create(const std::string& name, const std::string& common_name);
  // Stores an existing key + certificate; refuses a key that is not P-256 or
  // does not match the certificate.
  SigningProfile import(const std::string& name, const std::string& key_pem, const std::string& certificate_pem);

  std::optional<SigningProfile> find(const std::string& name) const;
  std::vector<SigningProfile> list() const;
  void remove(const std::string& name);

  // DER ECDSA signature over SHA-256 of `image` with the profile's key.
  // Throws std::out_of_range for an unknown profile.
  std::vector<std::uint8_t> sign(const std::string& name, std::span<const std::uint8_t> image) const;

 private:
  std::filesystem::path dir_;
  mutable std::mutex mutex_;
};

}  // namespace otter::firmware
