// A FlashDevice backed by a host file through ARM semihosting, for running
// the real bootloader under QEMU: the board's internal and external flash are
// files the test prepares and inspects. NOR rules are enforced like on the
// part (alignment, page limit, program only over erased bytes).
#pragma once

#include <cstddef>

#include "otter/flash/flash_device.h"

namespace otter::boot::qemu {

class SemihostingFlash : public flash::FlashDevice {
 public:
  SemihostingFlash(const char* path, flash::Geometry geometry) : path_(path), geometry_(geometry) {}
  // Never heap-allocated: keeps the deleting destructor off the global operator delete.
  static void operator delete(void*, std::size_t) {}
  // Opens the file (read/write); it must be exactly geometry().size bytes.
  Status open();

  flash::Geometry geometry() const override { return geometry_; }
  Status read(std::uint32_t address, std::span<std::uint8_t> out) override;
  Status program(std::uint32_t address, std::span<const std::uint8_t> data) override;
  Status erase(std::uint32_t address, std::uint32_t length) override;

 private:
  bool in_range(std::uint32_t address, std::size_t length) const {
    return address <= geometry_.size && length <= geometry_.size - address;
  }

  const char* path_;
  flash::Geometry geometry_;
  int handle_ = -1;
};

}  // namespace otter::boot::qemu
