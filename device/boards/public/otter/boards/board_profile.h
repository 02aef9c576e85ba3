// Board profiles: the memories of each supported board and Otter's memory map
// on them, in one place. Device code (the bootloader, the agent) and host code
// (the simulator, tools) read the same table. The map is documented, with the
// reasons for each change from the seed's, in docs/bootloader.md.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

#include "otter/boot/boot_control.h"
#include "otter/flash/flash_device.h"

namespace otter::boards {

enum class MemoryKind : std::uint8_t { kInternalFlash, kSpiNor, kSdCard };

// One physical memory: what the board has, and its geometry as the
// FlashDevice for it reports it.
struct MemorySpec {
  std::string_view part;  // e.g. "Nuvoton M487 APROM", "Winbond W25Q32JV"
  MemoryKind kind = MemoryKind::kInternalFlash;
  flash::Geometry geometry;
};

enum class Memory : std::uint8_t { kInternal, kExternal };

// A named area: which memory, where, how big.
struct Area {
  Memory memory = Memory::kInternal;
  std::uint32_t offset = 0;
  std::uint32_t size = 0;
};

struct BoardProfile {
  std::string_view name;  // as in `otter thing create --board NAME`
  std::string_view link;  // "Wi-Fi", "Ethernet"
  std::uint32_t hardware_id = 0;
  MemorySpec internal;
  MemorySpec external;  // staging storage (SPI NOR or SD card)
  Area bootloader;      // Otter's bootloader (outside the app)
  Area app;             // where the running image executes
  Area kv_store;        // the application's key-value store (untouched by updates)
  Area boot_state;      // the update-state log, >= 2 erase units
  Area staging;         // the download bank
  Area download;        // the agent's download record (block bitmap), 2 erase units
  Area backup;          // copy of the previous image (size 0 = no backup bank)
  Area public_key;      // provisioned code-verify key (65-byte SEC1 point)
  boot::Mode default_mode = boot::Mode::kBackup;
  std::uint8_t max_boot_attempts = 1;
};

std::span<const BoardProfile> all_boards();
// nullptr when unknown.
const BoardProfile* find_board(std::string_view name);
const BoardProfile* find_board(std::uint32_t hardware_id);

// The boot Layout of `board` over the two memories. `mode` kNoBackup leaves
// the backup partition out. The devices must outlive the layout.
boot::Layout make_layout(const BoardProfile& board, flash::FlashDevice& internal, flash::FlashDevice& external,
                         boot::Mode mode);
inline boot::Layout make_layout(const BoardProfile& board, flash::FlashDevice& internal,
                                flash::FlashDevice& external) {
  return make_layout(board, internal, external, board.default_mode);
}

// A partition for one area of the board.
flash::Partition partition(const Area& area, flash::FlashDevice& internal, flash::FlashDevice& external,
                           const char* name = "");

}  // namespace otter::boards
