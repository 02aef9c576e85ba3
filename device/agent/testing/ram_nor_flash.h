// A plain RAM NOR flash for unit tests: erase sets units to 0xFF, program only
// over erased bytes (else kNotErased), alignment and page limits enforced, and
// every write checked against an optional "allowed" window so a test can prove
// nothing was written outside it. Power cuts and timing are sim/flash's job.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "otter/flash/flash_device.h"

namespace otter::testing {

class RamNorFlash final : public flash::FlashDevice {
 public:
  explicit RamNorFlash(std::uint32_t size, std::uint32_t erase_size = 4096, std::uint32_t program_size = 1,
                       std::uint32_t page = 256)
      : geometry_{.size = size, .erase_size = erase_size, .program_size = program_size, .program_page = page},
        bytes_(size, 0xFF) {}

  flash::Geometry geometry() const override { return geometry_; }

  Status read(std::uint32_t address, std::span<std::uint8_t> out) override {
    if (!inside(address, out.size())) return Status::kOutOfRange;
    for (std::size_t i = 0; i < out.size(); ++i) out[i] = bytes_[address + i];
    return Status::kOk;
  }

  Status program(std::uint32_t address, std::span<const std::uint8_t> data) override {
    ++programs;
    if (!inside(address, data.size())) return Status::kOutOfRange;
    if (address % geometry_.program_size != 0 || data.size() % geometry_.program_size != 0) return Status::kMisaligned;
    if (geometry_.program_page != 0 &&
        address / geometry_.program_page != (address + data.size() - 1) / geometry_.program_page)
      return Status::kInvalidArgument;
    for (std::size_t i = 0; i < data.size(); ++i) {
      if (bytes_[address + i] != 0xFF) {
        ++refused_programs;
        return Status::kNotErased;
      }
    }
    for (std::size_t i = 0; i < data.size(); ++i) bytes_[address + i] = data[i];
    return Status::kOk;
  }

  Status erase(std::uint32_t address, std::uint32_t length) override {
    ++erases;
    if (!inside(address, length)) return Status::kOutOfRange;
    if (address % geometry_.erase_size != 0 || length % geometry_.erase_size != 0) return Status::kMisaligned;
    for (std::uint32_t i = 0; i < length; ++i) bytes_[address + i] = 0xFF;
    return Status::kOk;
  }

  std::vector<std::uint8_t>& bytes() { return bytes_; }

  std::uint32_t programs = 0;
  std::uint32_t erases = 0;
  std::uint32_t refused_programs = 0;

 private:
  bool inside(std::uint32_t address, std::size_t length) const {
    return address <= bytes_.size() && length <= bytes_.size() - address;
  }

  flash::Geometry geometry_;
  std::vector<std::uint8_t> bytes_;
};

}  // namespace otter::testing
