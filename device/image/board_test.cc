#include <gtest/gtest.h>

#include "otter/image/board.h"

namespace otter::image {
namespace {

TEST(Board, NamesMapToIdsAndBack) {
  for (const Board& board : kBoards) {
    ASSERT_NE(find_board(board.name), nullptr);
    EXPECT_EQ(find_board(board.name)->hardware_id, board.hardware_id);
    ASSERT_NE(find_board(board.hardware_id), nullptr);
    EXPECT_EQ(find_board(board.hardware_id)->name, board.name);
  }
}

TEST(Board, SeedBoardsAreKnown) {
  EXPECT_EQ(find_board("numaker-iot-m487")->hardware_id, kHardwareNumakerIotM487);
  EXPECT_EQ(find_board("numaker-pfm-m487")->hardware_id, kHardwareNumakerPfmM487);
  EXPECT_EQ(find_board("numaker-m2354")->hardware_id, kHardwareNumakerM2354);
}

TEST(Board, IdsAreDistinct) {
  for (std::size_t i = 0; i < kBoards.size(); ++i) {
    for (std::size_t j = i + 1; j < kBoards.size(); ++j) EXPECT_NE(kBoards[i].hardware_id, kBoards[j].hardware_id);
  }
}

TEST(Board, UnknownNameOrIdIsNull) {
  EXPECT_EQ(find_board("numaker-iot-m488"), nullptr);
  EXPECT_EQ(find_board(std::uint32_t{0}), nullptr);
}

static_assert(find_board("numaker-m2354")->hardware_id == kHardwareNumakerM2354, "usable at compile time");

}  // namespace
}  // namespace otter::image
