#include "otter/sim/nor_flash.h"

namespace otter::sim {

Status NorFlash::program(std::uint32_t address, std::span<const std::uint8_t> data) {
  if (!in_range(address, data.size())) return Status::kOutOfRange;
  if (data.empty()) return Status::kOk;
  const std::uint32_t size = static_cast<std::uint32_t>(data.size());
  const std::uint32_t unit = geometry_.program_size;
  const std::uint32_t page = geometry_.program_page;
  // A real NOR page program wraps around inside its page; refusing the call
  // catches the bug instead of silently corrupting the start of the page.
  if (address % unit != 0 || size % unit != 0 || (page != 0 && address / page != (address + size - 1) / page)) {
    ++counters_.misaligned;
    return Status::kMisaligned;
  }
  if (!erased(address, size)) {
    ++counters_.not_erased;
    std::uint32_t first = address;
    while (get(first) == geometry_.erased_value) ++first;
    last_not_erased_address_ = first;
    return Status::kNotErased;
  }
  bool torn = false;
  OTTER_TRY(begin(PowerSupply::Operation::kProgram, torn));
  ++counters_.programs;
  counters_.bytes_programmed += size;
  counters_.time_us += time_.program_us(size);
  if (torn) {
    tear_program(address, data);
    return Status::kIoError;
  }
  poke(address, data);
  return Status::kOk;
}

Status NorFlash::erase(std::uint32_t address, std::uint32_t length) {
  if (!in_range(address, length)) return Status::kOutOfRange;
  if (length == 0) return Status::kOk;
  const std::uint32_t unit = geometry_.erase_size;
  if (unit == 0 || address % unit != 0 || length % unit != 0) {
    ++counters_.misaligned;
    return Status::kMisaligned;
  }
  bool torn = false;
  OTTER_TRY(begin(PowerSupply::Operation::kErase, torn));
  ++counters_.erases;
  counters_.units_erased += length / unit;
  counters_.time_us += time_.erase_us(length / unit);
  if (torn) {
    tear_erase(address, length);
    return Status::kIoError;
  }
  drop(address, length);
  return Status::kOk;
}

// Power lost while programming: the operation may not have started, may
// have finished, or left each byte with only some of its bits cleared.
void NorFlash::tear_program(std::uint32_t address, std::span<const std::uint8_t> data) {
  const std::uint64_t how = random_below(4);
  for (std::uint32_t i = 0; i < data.size(); ++i) {
    const std::uint8_t old = get(address + i);
    std::uint8_t value = old;
    if (how == 1) value = data[i];
    if (how >= 2) value = static_cast<std::uint8_t>(old & (data[i] | random_byte()));
    set(address + i, value);
  }
}

// Power lost while erasing (units one after another): units before the one
// in progress are erased, it is left with some bits set and some not, later
// units are untouched.
void NorFlash::tear_erase(std::uint32_t address, std::uint32_t length) {
  const std::uint32_t unit = geometry_.erase_size;
  const std::uint32_t units = length / unit;
  const std::uint32_t in_progress = static_cast<std::uint32_t>(random_below(units));
  if (in_progress > 0) drop(address, in_progress * unit);
  const std::uint32_t start = address + in_progress * unit;
  const std::uint64_t how = random_below(4);
  if (how == 1) {
    drop(start, unit);
    return;
  }
  if (how == 0) return;
  for (std::uint32_t i = 0; i < unit; ++i) set(start + i, static_cast<std::uint8_t>(get(start + i) | random_byte()));
}

}  // namespace otter::sim
