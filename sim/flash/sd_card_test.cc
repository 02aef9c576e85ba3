#include "otter/sim/sd_card.h"

#include <gtest/gtest.h>

#include <vector>

#include "otter/sim/parts.h"

namespace otter::sim {
namespace {

class SdCardTest : public ::testing::Test {
 protected:
  PowerSupply power{5};
  SdCard card{"sd", 1024 * 1024, sd_card_time(), power};
};

TEST_F(SdCardTest, HasBlockGeometryWithoutEraseSemantics) {
  const flash::Geometry g = card.geometry();
  EXPECT_EQ(g.program_size, 512u);
  EXPECT_EQ(g.erase_size, 0u);
  EXPECT_FALSE(g.needs_erase);
}

TEST_F(SdCardTest, OverwritesBlocksInPlace) {
  std::vector<std::uint8_t> a(512, 0x00), b(512, 0xA5), out(512);
  ASSERT_EQ(card.program(1024, a), Status::kOk);
  ASSERT_EQ(card.program(1024, b), Status::kOk);
  ASSERT_EQ(card.read(1024, out), Status::kOk);
  EXPECT_EQ(out, b);
  EXPECT_EQ(card.counters().not_erased, 0u);
}

TEST_F(SdCardTest, WritesWholeAlignedBlocksOnly) {
  std::vector<std::uint8_t> half(256, 0);
  EXPECT_EQ(card.program(0, half), Status::kMisaligned);
  std::vector<std::uint8_t> block(512, 0);
  EXPECT_EQ(card.program(100, block), Status::kMisaligned);
}

TEST_F(SdCardTest, EraseIsANoOpAndNotAnOperation) {
  std::vector<std::uint8_t> block(512, 0x42), out(512);
  ASSERT_EQ(card.program(0, block), Status::kOk);
  EXPECT_EQ(card.erase(0, 4096), Status::kOk);
  ASSERT_EQ(card.read(0, out), Status::kOk);
  EXPECT_EQ(out, block);
  EXPECT_EQ(card.counters().erases, 0u);
}

TEST_F(SdCardTest, ReadCostsTheBlocksItTouches) {
  std::vector<std::uint8_t> out(10);
  ASSERT_EQ(card.read(510, out), Status::kOk);  // spans two blocks
  EXPECT_DOUBLE_EQ(card.counters().time_us, sd_card_time().read_us(1024));
}

TEST_F(SdCardTest, TornMultiBlockWriteKeepsEarlierBlocksAndLeavesLaterOnesUntouched) {
  std::vector<std::uint8_t> old(4 * 512, 0x11), fresh(4 * 512, 0x22);
  ASSERT_EQ(card.program(0, old), Status::kOk);
  power.cut_at(0);
  EXPECT_EQ(card.program(0, fresh), Status::kIoError);
  std::vector<std::uint8_t> out(4 * 512);
  card.peek(0, out);
  // Find the block in progress: blocks before it are new, after it old.
  std::size_t block = 0;
  while (block < 4 && out[block * 512] == 0x22 && out[block * 512 + 511] == 0x22) ++block;
  for (std::size_t b = block + 1; b < 4; ++b) {
    for (std::size_t i = 0; i < 512; ++i) ASSERT_EQ(out[b * 512 + i], 0x11);
  }
}

}  // namespace
}  // namespace otter::sim
