#include "otter/firmware/sqlite_firmware_catalog.h"

#include <sqlite3.h>

#include <nlohmann/json.hpp>
#include <stdexcept>

namespace otter::firmware {
namespace {

constexpr int kSchemaVersion = 1;

class Statement {
 public:
  Statement(sqlite3* db, const char* sql) : db_(db) {
    if (sqlite3_prepare_v2(db, sql, -1, &stmt_, nullptr) != SQLITE_OK) fail("prepare");
  }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  ~Statement() { sqlite3_finalize(stmt_); }

  Statement& bind(int i, const std::string& v) {
    check(sqlite3_bind_text(stmt_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT));
    return *this;
  }
  Statement& bind(int i, std::int64_t v) {
    check(sqlite3_bind_int64(stmt_, i, v));
    return *this;
  }
  Statement& bind_blob(int i, const std::vector<std::uint8_t>& v) {
    check(sqlite3_bind_blob(stmt_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT));
    return *this;
  }
  bool step() {
    const int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    fail("step");
  }
  std::string text(int col) const {
    const auto* p = sqlite3_column_text(stmt_, col);
    return p != nullptr ? std::string(reinterpret_cast<const char*>(p),
                                      static_cast<std::size_t>(sqlite3_column_bytes(stmt_, col)))
                        : std::string();
  }
  std::int64_t integer(int col) const { return sqlite3_column_int64(stmt_, col); }
  std::vector<std::uint8_t> blob(int col) const {
    const auto* p = static_cast<const std::uint8_t*>(sqlite3_column_blob(stmt_, col));
    return p != nullptr ? std::vector<std::uint8_t>(p, p + sqlite3_column_bytes(stmt_, col))
                        : std::vector<std::uint8_t>();
  }

 private:
  void check(int rc) {
    if (rc != SQLITE_OK) fail("bind");
  }
  [[noreturn]] void fail(const char* what) const {
    throw std::runtime_error(std::string("firmware catalog ") + what + ": " + sqlite3_errmsg(db_));
  }
  sqlite3* db_;
  sqlite3_stmt* stmt_ = nullptr;
};

void exec(sqlite3* db, const char* sql) {
  char* error = nullptr;
  if (sqlite3_exec(db, sql, nullptr, nullptr, &error) != SQLITE_OK) {
    const std::string message = error != nullptr ? error : "unknown error";
    sqlite3_free(error);
    throw std::runtime_error(std::string("firmware catalog: ") + message);
  }
}

nlohmann::json descriptor_json(const std::optional<ImageDescriptor>& d) {
  if (!d) return nullptr;
  return {{"version", d->version},         {"versionEncoded", d->version_encoded}, {"hardwareId", d->hardware_id},
          {"board", d->board},             {"imageSize", d->image_size},           {"minVersion", d->min_version},
          {"flags", d->flags},             {"buildId", d->build_id}};
}

std::optional<ImageDescriptor> descriptor_from(const std::string& text) {
  const auto j = nlohmann::json::parse(text);
  if (j.is_null()) return std::nullopt;
  ImageDescriptor d;
  d.version = j.at("version");
  d.version_encoded = j.at("versionEncoded");
  d.hardware_id = j.at("hardwareId");
  d.board = j.at("board");
  d.image_size = j.at("imageSize");
  d.min_version = j.at("minVersion");
  d.flags = j.at("flags");
  d.build_id = j.at("buildId");
  return d;
}

constexpr const char* kColumns =
    "id, name, size, sha256, descriptor, signature, signer_certificate, signer, signing_profile, created_at";

FirmwareImage row(const Statement& s) {
  FirmwareImage image;
  image.id = s.text(0);
  image.name = s.text(1);
  image.size = static_cast<std::uint64_t>(s.integer(2));
  image.sha256 = s.text(3);
  image.descriptor = descriptor_from(s.text(4));
  image.signature = s.blob(5);
  image.signer_certificate_pem = s.text(6);
  image.signer = s.text(7);
  image.signing_profile = s.text(8);
  image.created_at = s.integer(9);
  return image;
}

}  // namespace

SqliteFirmwareCatalog::SqliteFirmwareCatalog(const std::filesystem::path& file) {
  if (file.has_parent_path()) std::filesystem::create_directories(file.parent_path());
  if (sqlite3_open_v2(file.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX,
                      nullptr) != SQLITE_OK) {
    const std::string message = db_ != nullptr ? sqlite3_errmsg(db_) : "out of memory";
    sqlite3_close(db_);
    throw std::runtime_error("cannot open firmware catalog " + file.string() + ": " + message);
  }
  try {
    sqlite3_busy_timeout(db_, 5000);
    exec(db_, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;");
    Statement version(db_, "PRAGMA user_version");
    version.step();
    const auto current = version.integer(0);
    if (current > kSchemaVersion) {
      throw std::runtime_error("firmware catalog " + file.string() + " has schema " + std::to_string(current) +
                               ", newer than this otterd understands (" + std::to_string(kSchemaVersion) + ")");
    }
    if (current < 1) {
      exec(db_,
           "BEGIN;"
           "CREATE TABLE firmware ("
           " id TEXT PRIMARY KEY, name TEXT NOT NULL, size INTEGER NOT NULL, sha256 TEXT NOT NULL,"
           " descriptor TEXT NOT NULL, signature BLOB, signer_certificate TEXT NOT NULL DEFAULT '',"
           " signer TEXT NOT NULL DEFAULT '', signing_profile TEXT NOT NULL DEFAULT '',"
           " created_at INTEGER NOT NULL);"
           "CREATE INDEX firmware_by_created ON firmware(created_at);"
           "PRAGMA user_version=1;"
           "COMMIT;");
    }
  } catch (...) {
    sqlite3_close(db_);
    throw;
  }
}

SqliteFirmwareCatalog::~SqliteFirmwareCatalog() { sqlite3_close(db_); }

void SqliteFirmwareCatalog::save(const FirmwareImage& image) {
  std::lock_guard lock(mutex_);
  Statement s(db_,
              "INSERT OR REPLACE INTO firmware (id, name, size, sha256, descriptor, signature, signer_certificate,"
              " signer, signing_profile, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)");
  s.bind(1, image.id)
      .bind(2, image.name)
      .bind(3, static_cast<std::int64_t>(image.size))
      .bind(4, image.sha256)
      .bind(5, descriptor_json(image.descriptor).dump())
      .bind_blob(6, image.signature)
      .bind(7, image.signer_certificate_pem)
      .bind(8, image.signer)
      .bind(9, image.signing_profile)
      .bind(10, image.created_at);
  s.step();
}

std::optional<FirmwareImage> SqliteFirmwareCatalog::find(const std::string& id) const {
  std::lock_guard lock(mutex_);
  Statement s(db_, (std::string("SELECT ") + kColumns + " FROM firmware WHERE id = ?1").c_str());
  s.bind(1, id);
  if (!s.step()) return std::nullopt;
  return row(s);
}

std::vector<FirmwareImage> SqliteFirmwareCatalog::list(std::size_t offset, std::size_t limit) const {
  std::lock_guard lock(mutex_);
  Statement s(db_, (std::string("SELECT ") + kColumns +
                    " FROM firmware ORDER BY created_at DESC, id LIMIT ?1 OFFSET ?2")
                       .c_str());
  s.bind(1, static_cast<std::int64_t>(limit)).bind(2, static_cast<std::int64_t>(offset));
  std::vector<FirmwareImage> out;
  while (s.step()) out.push_back(row(s));
  return out;
}

std::size_t SqliteFirmwareCatalog::count() const {
  std::lock_guard lock(mutex_);
  Statement s(db_, "SELECT COUNT(*) FROM firmware");
  s.step();
  return static_cast<std::size_t>(s.integer(0));
}

bool SqliteFirmwareCatalog::remove(const std::string& id) {
  std::lock_guard lock(mutex_);
  Statement s(db_, "DELETE FROM firmware WHERE id = ?1");
  s.bind(1, id);
  s.step();
  return sqlite3_changes(db_) > 0;
}

}  // namespace otter::firmware
