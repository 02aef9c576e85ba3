// Where firmware metadata is kept (the SQLite store in otterd). An interface so
// the firmware service does not depend on which database backs it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "otter/firmware/firmware_image.h"

namespace otter::firmware {

class FirmwareCatalog {
 public:
  virtual ~FirmwareCatalog() = default;
  // Inserts or replaces the record with image.id; durable when it returns.
  virtual void save(const FirmwareImage& image) = 0;
  virtual std::optional<FirmwareImage> find(const std::string& id) const = 0;
  // Newest first.
  virtual std::vector<FirmwareImage> list(std::size_t offset, std::size_t limit) const = 0;
  virtual std::size_t count() const = 0;
  virtual bool remove(const std::string& id) = 0;
};

}  // namespace otter::firmware
