// The Otter CA: one self-signed P-256 CA per data dir that issues the
// certificates of things (devices), of otterd's own MQTT identity and of the
// broker's TLS listener, and keeps a CRL the broker loads.
//
// Files under the CA folder (see PkiPaths): ca.crt, ca.key (mode 0600),
// crl.pem. The CRL is the record of revocations: revoke() reads it, adds the
// serial and re-signs it, so no second list can drift from what the broker
// enforces. All operations are serialised by an internal mutex; one process
// should own a CA folder at a time (otterd, or the setup tool before otterd
// starts).
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "otter/crypto/openssl.h"

namespace otter::pki {

// The CN of otterd's MQTT client certificate. The broker ACL grants this
// identity access to every thing's topics, so no thing may carry this name.
inline constexpr std::string_view kServiceIdentity = "otterd";

// AWS IoT thing names: 1..128 of [A-Za-z0-9_:-]. The name is also the MQTT
// client id and a topic level, so '/', '+', '#' and spaces must never pass.
// kServiceIdentity is reserved.
bool is_valid_thing_name(std::string_view name);

// Paths of the CA's files inside its folder (by convention <data dir>/pki).
struct PkiPaths {
  std::filesystem::path dir;
  std::filesystem::path ca_certificate() const { return dir / "ca.crt"; }
  std::filesystem::path ca_private_key() const { return dir / "ca.key"; }
  std::filesystem::path crl() const { return dir / "crl.pem"; }
  // otterd's MQTT client identity and the broker's server identity.
  std::filesystem::path service_certificate() const { return dir / "otterd.crt"; }
  std::filesystem::path service_private_key() const { return dir / "otterd.key"; }
  std::filesystem::path broker_certificate() const { return dir / "broker.crt"; }
  std::filesystem::path broker_private_key() const { return dir / "broker.key"; }
};

// A certificate the CA has just issued. private_key_pem is empty when the CA
// signed a device's CSR (the key never left the device).
struct IssuedCertificate {
  std::string certificate_pem;
  std::string private_key_pem;
  std::string serial_hex;          // lower-case hex, the registry's key for revocation
  std::string fingerprint_sha256;  // lower-case hex of SHA-256 over the DER certificate
  std::string common_name;
  std::chrono::system_clock::time_point not_before;
  std::chrono::system_clock::time_point not_after;
};

struct RevokedCertificate {
  std::string serial_hex;
  std::chrono::system_clock::time_point revoked_at;
};

struct CaOptions {
  std::string common_name = "Otter CA";
  int validity_days = 3650;
};

struct IssueOptions {
  int validity_days = 825;
};

// Where the broker's TLS server certificate is valid.
struct BrokerNames {
  std::vector<std::string> dns_names = {"localhost"};
  std::vector<std::string> ip_addresses = {"127.0.0.1"};
};

class CertificateAuthority {
 public:
  // Creates the CA in `dir` (created if missing). Throws CaError if a CA
  // already exists there: an existing CA is never overwritten.
  static CertificateAuthority create(const std::filesystem::path& dir, const CaOptions& options = {});
  // Opens an existing CA; throws CaError naming the missing/corrupt file.
  static CertificateAuthority open(const std::filesystem::path& dir);
  static CertificateAuthority open_or_create(const std::filesystem::path& dir, const CaOptions& options = {});

  CertificateAuthority(CertificateAuthority&&) noexcept;
  CertificateAuthority& operator=(CertificateAuthority&&) noexcept;
  ~CertificateAuthority();

  const PkiPaths& paths() const { return paths_; }
  std::string certificate_pem() const;
  std::string fingerprint_sha256() const;

  // A thing's client certificate (CN = thing name, EKU clientAuth) with a
  // P-256 key generated here. Throws CaError on an invalid name.
  IssuedCertificate issue_thing_certificate(std::string_view thing_name, const IssueOptions& options = {});
  // Signs a device-generated CSR for `thing_name`. The CSR's signature must
  // verify and its key must be EC P-256/P-384 or RSA >= 2048 bits; its subject
  // and extensions are ignored (the CA decides them), so a device cannot ask
  // for another identity or for CA rights.
  IssuedCertificate sign_thing_csr(std::string_view thing_name, std::string_view csr_pem,
                                   const IssueOptions& options = {});
  // otterd's client certificate (CN = kServiceIdentity, EKU clientAuth).
  IssuedCertificate issue_service_certificate(const IssueOptions& options = {});
  // The broker's TLS server certificate (EKU serverAuth, SANs from `names`).
  IssuedCertificate issue_broker_certificate(const BrokerNames& names = {}, const IssueOptions& options = {});

  // Adds the serial to the CRL and rewrites crl.pem atomically. Revoking an
  // already revoked serial is a no-op. Throws CaError on a malformed serial.
  // The broker enforces the new CRL after MosquittoProcess::reload().
  void revoke(std::string_view serial_hex);
  bool is_revoked(std::string_view serial_hex) const;
  std::vector<RevokedCertificate> revoked() const;
  // Re-signs the CRL with a fresh nextUpdate (call at startup: an expired CRL
  // makes the broker refuse every client).
  void refresh_crl();
  // True when less than half of the CRL's validity remains.
  bool crl_needs_refresh() const;

 private:
  CertificateAuthority(PkiPaths paths, crypto::PKey key, crypto::X509Ptr cert);
  void write_crl_locked(const std::vector<RevokedCertificate>& revoked);
  std::vector<RevokedCertificate> read_revoked_locked() const;
  // A clientAuth certificate for `cn` over `key`, signed by this CA.
  crypto::X509Ptr sign_client_certificate(std::string_view cn, EVP_PKEY* key, const char* key_usage, int days);

  PkiPaths paths_;
  crypto::PKey key_;
  crypto::X509Ptr cert_;
  mutable std::unique_ptr<std::mutex> mutex_;
};

class CaError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace otter::pki
