// A named area of a FlashDevice. All accesses are bounds-checked against the
// partition, so code above it can never write outside its area (the seed's
// staging writes had no bounds checks).
#pragma once

#include <cstdint>
#include <span>

#include "otter/core/result.h"
#include "otter/flash/flash_device.h"

namespace otter::flash {

class Partition {
 public:
  Partition() = default;
  Partition(FlashDevice& device, std::uint32_t offset, std::uint32_t size, const char* name = "")
      : device_(&device), offset_(offset), size_(size), name_(name) {}

  const char* name() const { return name_; }
  std::uint32_t offset() const { return offset_; }
  std::uint32_t size() const { return size_; }
  Geometry geometry() const;
  FlashDevice* device() const { return device_; }
  bool valid() const;  // attached, non-empty, erase-aligned and inside the device

  // Offsets are relative to the start of the partition. The span forms are
  // inline so that a call passes pointer and size in registers (gcc spills a
  // span argument to the stack at every call site).
  [[gnu::always_inline]] Status read(std::uint32_t offset, std::span<std::uint8_t> out) const {
    return read(offset, out.data(), out.size());
  }
  [[gnu::always_inline]] Status program(std::uint32_t offset, std::span<const std::uint8_t> data) const {
    return program(offset, data.data(), data.size());
  }
  Status read(std::uint32_t offset, std::uint8_t* out, std::size_t size) const;
  Status program(std::uint32_t offset, const std::uint8_t* data, std::size_t size) const;
  Status erase(std::uint32_t offset, std::uint32_t length) const;
  // Erases the erase units covering [offset, offset + length), widening the
  // range to unit boundaries (still clamped to the partition).
  Status erase_covering(std::uint32_t offset, std::uint32_t length) const;
  // True when [offset, offset + length) reads as erased.
  Result<bool> is_erased(std::uint32_t offset, std::uint32_t length) const;

 private:
  bool contains(std::uint32_t offset, std::size_t length) const;

  FlashDevice* device_ = nullptr;
  std::uint32_t offset_ = 0;
  std::uint32_t size_ = 0;
  const char* name_ = "";
};

}  // namespace otter::flash
