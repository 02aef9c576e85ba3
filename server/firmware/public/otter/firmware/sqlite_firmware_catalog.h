// The firmware catalog in its own SQLite file (WAL, synchronous=FULL) in the
// data dir, beside the image files it describes. Thread-safe.
#pragma once

#include <filesystem>
#include <mutex>

#include "otter/firmware/firmware_catalog.h"

struct sqlite3;

namespace otter::firmware {

class SqliteFirmwareCatalog final : public FirmwareCatalog {
 public:
  // Opens or creates the database and migrates it; throws std::runtime_error
  // when it cannot, or when the file is from a newer Otter.
  explicit SqliteFirmwareCatalog(const std::filesystem::path& file);
  ~SqliteFirmwareCatalog() override;
  SqliteFirmwareCatalog(const SqliteFirmwareCatalog&) = delete;
  SqliteFirmwareCatalog& operator=(const SqliteFirmwareCatalog&) = delete;

  void save(const FirmwareImage& image) override;
  std::optional<FirmwareImage> find(const std::string& id) const override;
  std::vector<FirmwareImage> list(std::size_t offset, std::size_t limit) const override;
  std::size_t count() const override;
  bool remove(const std::string& id) override;

 private:
  sqlite3* db_ = nullptr;
  mutable std::mutex mutex_;
};

}  // namespace otter::firmware
