// The memories of Otter's boards, with geometry from the board profiles and
// time models from the parts' datasheets (values and sources in parts.cc).
#pragma once

#include <memory>

#include "otter/boards/board_profile.h"
#include "otter/sim/nor_flash.h"
#include "otter/sim/sd_card.h"

namespace otter::sim {

// Winbond W25Q32JV SPI NOR, read with Read Data (03h) at 50 MHz.
TimeModel w25q32jv_time();
// Nuvoton M480 series on-chip flash (APROM) through the FMC.
TimeModel m480_aprom_time();
// Nuvoton M2354 on-chip flash through the FMC.
TimeModel m2354_aprom_time();
// SD card, default-speed 4-bit bus, Speed Class 10.
TimeModel sd_card_time();

// The time model for a memory of a board profile.
TimeModel time_model_for(const boards::MemorySpec& spec);

// A simulated memory for a MemorySpec (NorFlash or SdCard).
std::unique_ptr<SimulatedMemory> make_memory(const boards::MemorySpec& spec, PowerSupply& power);

}  // namespace otter::sim
