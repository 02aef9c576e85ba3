// How a state record reads from the outside (BootStatus), shared by the
// bootloader and BootControl so both report the same thing.
#pragma once

#include "otter/boot/boot_control.h"
#include "otter/boot/state_record.h"

namespace otter::boot {

BootStatus to_boot_status(const StateRecord& record, std::uint8_t boot_attempts);

}  // namespace otter::boot
