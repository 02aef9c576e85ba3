// Hardware ids of the boards Otter supports, and the table that maps board
// names (as used by `otter thing create --board` and board profiles) to the
// id stamped into an image descriptor. Header-only and constexpr, so device
// code, host tools and the simulator share one table.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

namespace otter::image {

// 0xCCCC_VVVV: chip family in the high half (M487, M2354), board variant low.
inline constexpr std::uint32_t kHardwareNumakerIotM487 = 0x04871001;
inline constexpr std::uint32_t kHardwareNumakerPfmM487 = 0x04871002;
inline constexpr std::uint32_t kHardwareNumakerM2354 = 0x23541001;

struct Board {
  std::string_view name;
  std::uint32_t hardware_id;
};

inline constexpr std::array<Board, 3> kBoards{{
    {"numaker-iot-m487", kHardwareNumakerIotM487},
    {"numaker-pfm-m487", kHardwareNumakerPfmM487},
    {"numaker-m2354", kHardwareNumakerM2354},
}};

// nullptr when the name/id is not a known board.
constexpr const Board* find_board(std::string_view name) {
  for (const Board& board : kBoards) {
    if (board.name == name) return &board;
  }
  return nullptr;
}
constexpr const Board* find_board(std::uint32_t hardware_id) {
  for (const Board& board : kBoards) {
    if (board.hardware_id == hardware_id) return &board;
  }
  return nullptr;
}

}  // namespace otter::image
