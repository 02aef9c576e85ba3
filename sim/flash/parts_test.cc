#include "otter/sim/parts.h"

#include <gtest/gtest.h>

#include "otter/sim/board_flash.h"

namespace otter::sim {
namespace {

TEST(Parts, W25Q32JVTimesAreTheDatasheetTypicals) {
  const TimeModel t = w25q32jv_time();
  EXPECT_DOUBLE_EQ(t.erase_us(1), 45000.0);                         // tSE typ
  EXPECT_DOUBLE_EQ(t.program_us(256), 0.64 + 256 * 0.16 + 400.0);   // tPP typ + transfer
  EXPECT_DOUBLE_EQ(t.read_us(4096), 0.64 + 4096 * 0.16);            // 03h at 50 MHz
}

TEST(Parts, EveryBoardGetsMemoriesMatchingItsProfile) {
  for (const boards::BoardProfile& profile : boards::all_boards()) {
    BoardFlash board(profile);
    EXPECT_EQ(board.internal().geometry().size, profile.internal.geometry.size) << profile.name;
    EXPECT_EQ(board.external().geometry().erase_size, profile.external.geometry.erase_size) << profile.name;
    const boot::Layout layout = board.layout();
    EXPECT_TRUE(layout.app.valid()) << profile.name;
    EXPECT_TRUE(layout.staging.valid()) << profile.name;
    EXPECT_TRUE(layout.boot_state.valid()) << profile.name;
    EXPECT_TRUE(layout.download.valid()) << profile.name;
    EXPECT_TRUE(layout.backup.valid()) << profile.name;
    EXPECT_FALSE(board.layout(boot::Mode::kNoBackup).backup.valid()) << profile.name;
  }
}

TEST(Parts, AThousandIdleBoardsCostAlmostNoMemory) {
  std::vector<std::unique_ptr<BoardFlash>> fleet;
  std::size_t allocated = 0;
  for (int i = 0; i < 1000; ++i) {
    fleet.push_back(std::make_unique<BoardFlash>(*boards::find_board("numaker-iot-m487"), i));
    allocated += fleet.back()->internal().allocated_bytes() + fleet.back()->external().allocated_bytes();
  }
  EXPECT_EQ(allocated, 0u);
}

}  // namespace
}  // namespace otter::sim
