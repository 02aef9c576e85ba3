#include "otter/sim/parts.h"

namespace otter::sim {

// Times are typical values (what a device does on average at 25 °C), not
// maxima: the benchmark compares algorithms, it does not budget worst cases.

TimeModel w25q32jv_time() {
  TimeModel t;
  // W25Q32JV datasheet (Winbond, rev. F, 2017-05-11), §9.6 AC Electrical
  // Characteristics: fR = 50 MHz for Read Data (03h). One command byte plus
  // a 24-bit address precede the data: 32 clocks.
  constexpr double kClockMHz = 50.0;
  t.read_setup_us = 32 / kClockMHz;        // 0.64 us
  t.read_us_per_byte = 8 / kClockMHz;      // 0.16 us per byte
  // Page Program (02h): the same 32 clocks of command and address, the data
  // shifted in at the same clock, then tPP = 0.4 ms typical (3 ms max) per
  // 256-byte page (§9.6).
  t.program_setup_us = 32 / kClockMHz;
  t.program_us_per_byte = 8 / kClockMHz;
  t.program_us_per_page = 400.0;
  t.program_page = 256;
  // Sector Erase (20h, 4 KiB): tSE = 45 ms typical (400 ms max) (§9.6).
  t.erase_us_per_unit = 45000.0;
  return t;
}

TimeModel m480_aprom_time() {
  TimeModel t;
  // M480 series datasheet (Nuvoton), "Flash DC Electrical Characteristics":
  // 32-bit program time T_PROG = 20 us and page (4 KiB) erase time T_ERASE =
  // 20 ms. Recalled from the datasheet, not re-checked while writing this
  // (no copy was reachable): verify before quoting the absolute figures.
  t.program_us_per_page = 20.0;
  t.program_page = 4;
  t.erase_us_per_unit = 20000.0;
  // APROM is memory-mapped: the CPU reads it at HCLK = 192 MHz, 32 bits per
  // cycle through the FMC cache (M480 TRM, FMC "Flash access"); wait states
  // ignored.
  t.read_us_per_byte = 1.0 / (192.0 * 4);
  return t;
}

TimeModel m2354_aprom_time() {
  TimeModel t;
  // M2354 series datasheet (Nuvoton), flash characteristics: 32-bit program
  // T_PROG = 20 us, page (2 KiB) erase T_ERASE = 20 ms. Recalled, as for the
  // M480: verify before quoting absolute figures.
  t.program_us_per_page = 20.0;
  t.program_page = 4;
  t.erase_us_per_unit = 20000.0;
  // Memory-mapped at HCLK = 96 MHz, 32 bits per cycle.
  t.read_us_per_byte = 1.0 / (96.0 * 4);
  return t;
}

TimeModel sd_card_time() {
  TimeModel t;
  // SD Physical Layer Simplified Specification (SD Association, v9.00):
  // Default Speed mode, 25 MHz clock on a 4-bit bus = 12.5 MB/s (§3.2 / §6.x
  // bus speed modes); a command is 48 bits on CMD (§4.7): ~1.9 us.
  t.read_setup_us = 48 / 25.0;
  t.read_us_per_byte = 1.0 / 12.5;  // 0.08 us per byte
  // Speed Class 10 guarantees >= 10 MB/s sequential write (§4.13): 0.1 us
  // per byte at the class minimum. The spec bounds single-block busy time
  // only by its maximum (250 ms), so this is the sustained-rate model.
  t.program_setup_us = 48 / 25.0;
  t.program_us_per_byte = 1.0 / 10.0;
  t.program_page = 512;
  return t;
}

TimeModel time_model_for(const boards::MemorySpec& spec) {
  switch (spec.kind) {
    case boards::MemoryKind::kSpiNor: return w25q32jv_time();
    case boards::MemoryKind::kSdCard: return sd_card_time();
    case boards::MemoryKind::kInternalFlash:
      return spec.part.find("M2354") != std::string_view::npos ? m2354_aprom_time() : m480_aprom_time();
  }
  return TimeModel{};
}

std::unique_ptr<SimulatedMemory> make_memory(const boards::MemorySpec& spec, PowerSupply& power) {
  const TimeModel time = time_model_for(spec);
  if (spec.kind == boards::MemoryKind::kSdCard) {
    return std::make_unique<SdCard>(std::string(spec.part), spec.geometry.size, time, power);
  }
  return std::make_unique<NorFlash>(std::string(spec.part), spec.geometry, time, power);
}

}  // namespace otter::sim
