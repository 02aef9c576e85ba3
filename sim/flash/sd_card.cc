#include "otter/sim/sd_card.h"

namespace otter::sim {

SdCard::SdCard(std::string name, std::uint32_t size, TimeModel time, PowerSupply& power)
    : SimulatedMemory(std::move(name), flash::Geometry{size, 0, kBlockSize, 0, 0xFF, false}, time, power) {}

Status SdCard::read(std::uint32_t address, std::span<std::uint8_t> out) {
  // Cards transfer whole blocks (CMD17/CMD18); Otter's partitions read
  // arbitrary ranges, which a driver serves from a block buffer. Model the
  // cost of the blocks touched.
  if (!in_range(address, out.size())) return Status::kOutOfRange;
  const std::uint32_t first = address / kBlockSize;
  const std::uint32_t last = out.empty() ? first : (address + static_cast<std::uint32_t>(out.size()) - 1) / kBlockSize;
  const double before = counters_.time_us;
  OTTER_TRY(read_impl(address, out));
  counters_.time_us = before + time_.read_us((last - first + 1) * kBlockSize);
  return Status::kOk;
}

Status SdCard::program(std::uint32_t address, std::span<const std::uint8_t> data) {
  if (!in_range(address, data.size())) return Status::kOutOfRange;
  if (data.empty()) return Status::kOk;
  const std::uint32_t size = static_cast<std::uint32_t>(data.size());
  if (address % kBlockSize != 0 || size % kBlockSize != 0) {
    ++counters_.misaligned;
    return Status::kMisaligned;
  }
  bool torn = false;
  OTTER_TRY(begin(PowerSupply::Operation::kProgram, torn));
  ++counters_.programs;
  counters_.bytes_programmed += size;
  counters_.time_us += time_.program_us(size);
  std::uint32_t complete = size;
  if (torn) complete = static_cast<std::uint32_t>(random_below(size / kBlockSize)) * kBlockSize;
  poke(address, data.first(complete));
  if (!torn) return Status::kOk;
  // The block in progress: old, new, or garbage.
  const std::uint64_t how = random_below(3);
  for (std::uint32_t i = complete; i < complete + kBlockSize; ++i) {
    if (how == 1) set(address + i, data[i]);
    if (how == 2) set(address + i, random_byte());
  }
  return Status::kIoError;
}

Status SdCard::erase(std::uint32_t address, std::uint32_t length) {
  if (!in_range(address, length)) return Status::kOutOfRange;
  return Status::kOk;
}

}  // namespace otter::sim
