#include "otter/api/certificate_ledger.h"

#include <sqlite3.h>

#include <stdexcept>

namespace otter::api {
namespace {

[[noreturn]] void fail(sqlite3* db, const std::string& what) {
  throw std::runtime_error("certificate ledger: " + what + ": " + sqlite3_errmsg(db));
}

struct Stmt {
  Stmt(sqlite3* d, const char* sql) : db(d) {
    if (sqlite3_prepare_v2(db, sql, -1, &s, nullptr) != SQLITE_OK) fail(db, "prepare");
  }
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;
  ~Stmt() { sqlite3_finalize(s); }
  void text(int i, const std::string& v) { sqlite3_bind_text(s, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT); }
  void integer(int i, std::int64_t v) { sqlite3_bind_int64(s, i, v); }
  bool step() {
    const int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) return true;
    if (rc != SQLITE_DONE) fail(db, "step");
    return false;
  }
  std::string col_text(int c) const {
    const auto* p = sqlite3_column_text(s, c);
    return p ? std::string(reinterpret_cast<const char*>(p)) : std::string();
  }
  sqlite3* db;
  sqlite3_stmt* s = nullptr;
};

constexpr const char* kSelect =
    "SELECT serial, thing, fingerprint, pem, issued_at, not_after, revoked_at, reason FROM certificates";

CertificateRecord read_row(const Stmt& st) {
  CertificateRecord r;
  r.serial = st.col_text(0);
  r.thing_name = st.col_text(1);
  r.fingerprint_sha256 = st.col_text(2);
  r.certificate_pem = st.col_text(3);
  r.issued_at = sqlite3_column_int64(st.s, 4);
  r.not_after = sqlite3_column_int64(st.s, 5);
  if (sqlite3_column_type(st.s, 6) != SQLITE_NULL) r.revoked_at = sqlite3_column_int64(st.s, 6);
  r.revocation_reason = st.col_text(7);
  return r;
}

}  // namespace

CertificateLedger::CertificateLedger(const std::filesystem::path& file) {
  if (file.has_parent_path()) std::filesystem::create_directories(file.parent_path());
  if (sqlite3_open_v2(file.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX,
                      nullptr) != SQLITE_OK) {
    const std::string message = db_ ? sqlite3_errmsg(db_) : "out of memory";
    sqlite3_close(db_);
    throw std::runtime_error("cannot open certificate ledger " + file.string() + ": " + message);
  }
  sqlite3_busy_timeout(db_, 5000);
  char* error = nullptr;
  const char* schema =
      "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
      "CREATE TABLE IF NOT EXISTS certificates (serial TEXT PRIMARY KEY, thing TEXT NOT NULL,"
      " fingerprint TEXT NOT NULL, pem TEXT NOT NULL, issued_at INTEGER NOT NULL, not_after INTEGER NOT NULL,"
      " revoked_at INTEGER, reason TEXT NOT NULL DEFAULT '');"
      "CREATE INDEX IF NOT EXISTS certificates_by_thing ON certificates(thing);";
  if (sqlite3_exec(db_, schema, nullptr, nullptr, &error) != SQLITE_OK) {
    const std::string message = error ? error : "unknown";
    sqlite3_free(error);
    sqlite3_close(db_);
    throw std::runtime_error("certificate ledger schema: " + message);
  }
}

CertificateLedger::~CertificateLedger() { sqlite3_close(db_); }

void CertificateLedger::record(const CertificateRecord& r) {
  std::lock_guard lock(mutex_);
  Stmt st(db_,
          "INSERT OR REPLACE INTO certificates (serial, thing, fingerprint, pem, issued_at, not_after, revoked_at,"
          " reason) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
  st.text(1, r.serial);
  st.text(2, r.thing_name);
  st.text(3, r.fingerprint_sha256);
  st.text(4, r.certificate_pem);
  st.integer(5, r.issued_at);
  st.integer(6, r.not_after);
  if (r.revoked_at) st.integer(7, *r.revoked_at);
  else sqlite3_bind_null(st.s, 7);
  st.text(8, r.revocation_reason);
  st.step();
}

std::optional<CertificateRecord> CertificateLedger::find(const std::string& serial) const {
  std::lock_guard lock(mutex_);
  Stmt st(db_, (std::string(kSelect) + " WHERE serial = ?1").c_str());
  st.text(1, serial);
  if (!st.step()) return std::nullopt;
  return read_row(st);
}

std::vector<CertificateRecord> CertificateLedger::list(const std::string& thing) const {
  std::lock_guard lock(mutex_);
  Stmt st(db_, (std::string(kSelect) + (thing.empty() ? "" : " WHERE thing = ?1") + " ORDER BY issued_at, serial")
                   .c_str());
  if (!thing.empty()) st.text(1, thing);
  std::vector<CertificateRecord> out;
  while (st.step()) out.push_back(read_row(st));
  return out;
}

void CertificateLedger::mark_revoked(const std::string& serial, std::int64_t at, const std::string& reason) {
  std::lock_guard lock(mutex_);
  Stmt st(db_, "UPDATE certificates SET revoked_at = ?2, reason = ?3 WHERE serial = ?1 AND revoked_at IS NULL");
  st.text(1, serial);
  st.integer(2, at);
  st.text(3, reason);
  st.step();
}

}  // namespace otter::api
