// The flash interface every storage backend implements: on-chip flash
// (APROM), SPI NOR, SD cards (block devices), and the simulator's models.
// A port supplies one FlashDevice per physical memory; everything above it
// (partitions, staging, bootloader) is board-agnostic.
#pragma once

#include <cstdint>
#include <span>

#include "otter/core/status.h"

namespace otter::flash {

struct Geometry {
  std::uint32_t size = 0;          // bytes
  std::uint32_t erase_size = 0;    // erase unit (NOR sector / SD block); 0 = no erase needed
  std::uint32_t program_size = 1;  // smallest programmable unit and alignment of program()
  std::uint32_t program_page = 0;  // largest single program operation (NOR page); 0 = unlimited
  std::uint8_t erased_value = 0xFF;
  // NOR: programming can only clear bits, so a location must be erased first.
  // Block devices (SD) overwrite freely and have no erase semantics.
  bool needs_erase = true;
};

class FlashDevice {
 public:
  virtual ~FlashDevice() = default;
  virtual Geometry geometry() const = 0;
  // Reads any byte range inside the device.
  virtual Status read(std::uint32_t address, std::span<std::uint8_t> out) = 0;
  // `address` and data size aligned to program_size. On NOR, the target must
  // be erased; a program over non-erased bits returns kNotErased.
  virtual Status program(std::uint32_t address, std::span<const std::uint8_t> data) = 0;
  // `address` and `length` aligned to erase_size. No-op success when
  // geometry().needs_erase is false.
  virtual Status erase(std::uint32_t address, std::uint32_t length) = 0;
};

}  // namespace otter::flash
