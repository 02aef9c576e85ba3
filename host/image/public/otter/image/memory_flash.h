// A FlashDevice over host memory: lets host tools and tests run the device
// verification code (which reads through flash::Partition) on a file's bytes.
// It has no NOR semantics (no erase needed, overwrites allowed); the
// simulator's flash models are the ones that emulate real parts.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "otter/flash/flash_device.h"
#include "otter/flash/partition.h"

namespace otter::image {

class MemoryFlash : public flash::FlashDevice {
 public:
  explicit MemoryFlash(std::vector<std::uint8_t> bytes) : bytes_(std::move(bytes)) {}

  flash::Geometry geometry() const override;
  Status read(std::uint32_t address, std::span<std::uint8_t> out) override;
  Status program(std::uint32_t address, std::span<const std::uint8_t> data) override;
  Status erase(std::uint32_t address, std::uint32_t length) override;

  std::vector<std::uint8_t>& bytes() { return bytes_; }
  // A partition spanning the whole memory.
  flash::Partition whole() { return flash::Partition(*this, 0, static_cast<std::uint32_t>(bytes_.size()), "memory"); }

 private:
  bool contains(std::uint32_t address, std::size_t length) const;
  std::vector<std::uint8_t> bytes_;
};

}  // namespace otter::image
