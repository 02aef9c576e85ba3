#include "otter/boards/board_profile.h"

#include <array>

#include "otter/image/board.h"

namespace otter::boards {

namespace {

constexpr std::uint32_t KiB = 1024;
constexpr std::uint32_t MiB = 1024 * KiB;

// Nuvoton M480 series: 512 KiB APROM in 4 KiB pages, programmed one 32-bit
// word per FMC ISP command (TRM: FMC "ISP Commands", page erase 0x22, 32-bit
// program 0x21). Both M487 boards use the same chip.
constexpr MemorySpec kM487Aprom{"Nuvoton M487 APROM", MemoryKind::kInternalFlash,
                                flash::Geometry{512 * KiB, 4 * KiB, 4, 4 * KiB, 0xFF, true}};
// Winbond W25Q32JV: 4 MiB, 4 KiB sectors, 256-byte program pages (datasheet
// §6.1 "Flash memory array", §8.2.13 Page Program 02h).
constexpr MemorySpec kW25Q32{"Winbond W25Q32JV", MemoryKind::kSpiNor,
                             flash::Geometry{4 * MiB, 4 * KiB, 1, 256, 0xFF, true}};
// Nuvoton M2354: 1 MiB flash in 2 KiB pages, 32-bit word program.
constexpr MemorySpec kM2354Aprom{"Nuvoton M2354 APROM", MemoryKind::kInternalFlash,
                                 flash::Geometry{1 * MiB, 2 * KiB, 4, 2 * KiB, 0xFF, true}};
// MicroSD card: 512-byte blocks, no erase semantics. Otter uses a raw area
// of the first 8 MiB (the simulator's card is that big).
constexpr MemorySpec kMicroSd{"MicroSD card (SD Physical Layer, 512 B blocks)", MemoryKind::kSdCard,
                              flash::Geometry{8 * MiB, 0, 512, 0, 0xFF, false}};

constexpr Area internal(std::uint32_t offset, std::uint32_t size) { return Area{Memory::kInternal, offset, size}; }
constexpr Area external(std::uint32_t offset, std::uint32_t size) { return Area{Memory::kExternal, offset, size}; }

// The seed's M487 map (app 0x00000-0x67FFF, KV store 0x68000-0x6FFFF, header
// page 0x70000, signature page 0x71000, Cloner 0x72000; SPI: download bank
// 0x0 (512 KiB), backup descriptor 0x80000, backup image 0x81000). Otter
// keeps the app, KV store, download bank and backup image where they were,
// turns the two erase-then-rewrite header/signature pages into the two-unit
// state log, and runs its bootloader where the Cloner was. The SPI sector at
// 0x80000 (the seed's backup descriptor) is left unused: Otter keeps backup
// metadata in the state log.
constexpr BoardProfile m487(std::string_view name, std::string_view link, std::uint32_t id) {
  BoardProfile b;
  b.name = name;
  b.link = link;
  b.hardware_id = id;
  b.internal = kM487Aprom;
  b.external = kW25Q32;
  b.app = internal(0x00000, 0x68000);
  b.kv_store = internal(0x68000, 0x8000);
  b.boot_state = internal(0x70000, 0x2000);
  b.bootloader = internal(0x72000, 0xD000);
  b.public_key = internal(0x7F000, 0x1000);
  b.staging = external(0x000000, 0x80000);
  b.backup = external(0x081000, 0x68000);
  b.download = external(0x0E9000, 0x2000);
  b.default_mode = boot::Mode::kBackup;
  return b;
}

// NuMaker-M2354: the secure side (TF-M and Otter's bootloader) owns the first
// 256 KiB; the non-secure application gets 512 KiB after it. Staging, the
// download record and (new in Otter) a backup bank live in a raw area of the
// SD card instead of a FAT file, so every write has a known place.
constexpr BoardProfile m2354() {
  BoardProfile b;
  b.name = "numaker-m2354";
  b.link = "Wi-Fi";
  b.hardware_id = image::kHardwareNumakerM2354;
  b.internal = kM2354Aprom;
  b.external = kMicroSd;
  b.bootloader = internal(0x00000, 0x40000);
  b.app = internal(0x40000, 0x80000);
  b.kv_store = internal(0xC0000, 0x10000);
  b.boot_state = internal(0xD0000, 0x2000);
  b.public_key = internal(0xD2000, 0x800);
  b.staging = external(0x000000, 0x80000);
  b.download = external(0x080000, 0x2000);
  b.backup = external(0x100000, 0x80000);
  b.default_mode = boot::Mode::kSdStaging;
  return b;
}

constexpr std::array<BoardProfile, 3> kProfiles{
    m487("numaker-iot-m487", "Wi-Fi", image::kHardwareNumakerIotM487),
    m487("numaker-pfm-m487", "Ethernet", image::kHardwareNumakerPfmM487),
    m2354(),
};

}  // namespace

std::span<const BoardProfile> all_boards() { return kProfiles; }

const BoardProfile* find_board(std::string_view name) {
  for (const BoardProfile& b : kProfiles) {
    if (b.name == name) return &b;
  }
  return nullptr;
}

const BoardProfile* find_board(std::uint32_t hardware_id) {
  for (const BoardProfile& b : kProfiles) {
    if (b.hardware_id == hardware_id) return &b;
  }
  return nullptr;
}

flash::Partition partition(const Area& area, flash::FlashDevice& internal, flash::FlashDevice& external,
                           const char* name) {
  if (area.size == 0) return flash::Partition{};
  return flash::Partition(area.memory == Memory::kInternal ? internal : external, area.offset, area.size, name);
}

boot::Layout make_layout(const BoardProfile& board, flash::FlashDevice& internal, flash::FlashDevice& external,
                         boot::Mode mode) {
  boot::Layout layout;
  layout.app = partition(board.app, internal, external, "app");
  layout.staging = partition(board.staging, internal, external, "staging");
  if (mode != boot::Mode::kNoBackup) layout.backup = partition(board.backup, internal, external, "backup");
  layout.boot_state = partition(board.boot_state, internal, external, "boot_state");
  layout.download = partition(board.download, internal, external, "download");
  layout.mode = mode;
  layout.hardware_id = board.hardware_id;
  layout.max_boot_attempts = board.max_boot_attempts;
  return layout;
}

}  // namespace otter::boards
