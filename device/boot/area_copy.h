// Copies the first `size` bytes of one partition to another in units, marking
// each finished unit in the state log, so a copy interrupted at any flash
// operation resumes at the first unmarked unit (redoing a unit is harmless:
// it is erased and programmed again from a source that is never modified).
#pragma once

#include <cstdint>

#include "otter/boot/state_log.h"
#include "otter/flash/partition.h"

namespace otter::boot {

// The copy unit: a multiple of every erase size involved, large enough that
// `size` needs no more units than the log has marks. 0 when impossible.
std::uint32_t copy_unit(const flash::Partition& from, const flash::Partition& to, std::uint32_t size,
                        std::uint32_t mark_capacity);

Status copy_area(const flash::Partition& from, const flash::Partition& to, std::uint32_t size, StateLog& log);

}  // namespace otter::boot
