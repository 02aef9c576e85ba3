// An SD card as a block device: 512-byte blocks written in place (no erase
// semantics: the card's controller erases internally), reads and writes in
// whole blocks. A write torn by a power cut leaves the block in progress with
// arbitrary contents (cards give no guarantee), earlier blocks written, later
// ones untouched.
#pragma once

#include "otter/sim/simulated_memory.h"

namespace otter::sim {

class SdCard : public SimulatedMemory {
 public:
  static constexpr std::uint32_t kBlockSize = 512;

  SdCard(std::string name, std::uint32_t size, TimeModel time, PowerSupply& power);

  Status read(std::uint32_t address, std::span<std::uint8_t> out) override;
  Status program(std::uint32_t address, std::span<const std::uint8_t> data) override;
  // No erase semantics: a no-op that is not a flash operation.
  Status erase(std::uint32_t address, std::uint32_t length) override;
};

}  // namespace otter::sim
