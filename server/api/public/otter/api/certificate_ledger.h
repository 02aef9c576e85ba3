// Which certificates the CA issued to which thing, so the API can list a
// thing's certificates, revoke them by serial and revoke them all when the
// thing is deleted. The CA's CRL stays the authority on revocation; the
// ledger records when and why. SQLite file in the data dir; thread-safe.
#pragma once

#include <cstdint>
#include <filesystem>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

struct sqlite3;

namespace otter::api {

struct CertificateRecord {
  std::string serial;  // lowercase hex, as the CA reports it
  std::string thing_name;
  std::string fingerprint_sha256;
  std::string certificate_pem;
  std::int64_t issued_at = 0;   // unix seconds
  std::int64_t not_after = 0;   // unix seconds
  std::optional<std::int64_t> revoked_at;
  std::string revocation_reason;
};

class CertificateLedger {
 public:
  explicit CertificateLedger(const std::filesystem::path& file);
  ~CertificateLedger();
  CertificateLedger(const CertificateLedger&) = delete;
  CertificateLedger& operator=(const CertificateLedger&) = delete;

  void record(const CertificateRecord& record);
  std::optional<CertificateRecord> find(const std::string& serial) const;
  // All records, or those of one thing when `thing` is non-empty; oldest first.
  std::vector<CertificateRecord> list(const std::string& thing = "") const;
  void mark_revoked(const std::string& serial, std::int64_t at, const std::string& reason);

 private:
  sqlite3* db_ = nullptr;
  mutable std::mutex mutex_;
};

}  // namespace otter::api
