// A NOR flash with true semantics: erase sets whole erase units to 0xFF,
// program only clears bits and only over erased bytes (anything else is
// refused with kNotErased and counted), program size/alignment and the page
// limit are enforced. Models the W25Q32JV and on-chip flash (M480, M2354).
#pragma once

#include "otter/sim/simulated_memory.h"

namespace otter::sim {

class NorFlash : public SimulatedMemory {
 public:
  using SimulatedMemory::SimulatedMemory;

  Status read(std::uint32_t address, std::span<std::uint8_t> out) override { return read_impl(address, out); }
  Status program(std::uint32_t address, std::span<const std::uint8_t> data) override;
  Status erase(std::uint32_t address, std::uint32_t length) override;

 private:
  void tear_program(std::uint32_t address, std::span<const std::uint8_t> data);
  void tear_erase(std::uint32_t address, std::uint32_t length);
};

}  // namespace otter::sim
