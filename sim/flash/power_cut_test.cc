#include <gtest/gtest.h>

#include <array>
#include <vector>

#include "otter/sim/nor_flash.h"
#include "otter/sim/parts.h"

namespace otter::sim {
namespace {

flash::Geometry small_nor() { return flash::Geometry{64 * 1024, 4096, 1, 256, 0xFF, true}; }

TEST(PowerCut, CutOperationFailsAndEveryLaterOneUntilPowerIsRestored) {
  PowerSupply power;
  NorFlash flash("nor", small_nor(), w25q32jv_time(), power);
  std::array<std::uint8_t, 4> out{};
  power.cut_at(2);
  EXPECT_EQ(flash.read(0, out), Status::kOk);
  EXPECT_EQ(flash.read(0, out), Status::kOk);
  EXPECT_EQ(flash.read(0, out), Status::kIoError);  // operation 2
  EXPECT_FALSE(power.on());
  EXPECT_EQ(flash.read(0, out), Status::kIoError);
  EXPECT_EQ(flash.erase(0, 4096), Status::kIoError);
  EXPECT_EQ(flash.counters().refused, 2u);
  power.restore();
  EXPECT_EQ(flash.read(0, out), Status::kOk);
}

TEST(PowerCut, OperationsAreNumberedAcrossTheMemoriesOfOneBoard) {
  PowerSupply power;
  NorFlash a("a", small_nor(), w25q32jv_time(), power);
  NorFlash b("b", small_nor(), w25q32jv_time(), power);
  std::array<std::uint8_t, 1> out{};
  power.cut_at(1);
  EXPECT_EQ(a.read(0, out), Status::kOk);
  EXPECT_EQ(b.read(0, out), Status::kIoError);
  EXPECT_EQ(a.read(0, out), Status::kIoError);
}

TEST(PowerCut, TornProgramOnlyClearsBitsTheProgramWouldClear) {
  std::vector<std::uint8_t> data(256);
  for (std::size_t i = 0; i < data.size(); ++i) data[i] = static_cast<std::uint8_t>(i * 37);
  bool saw_partial = false;
  for (std::uint64_t seed = 0; seed < 32; ++seed) {
    PowerSupply power(seed);
    NorFlash flash("nor", small_nor(), w25q32jv_time(), power);
    power.cut_at(0);
    EXPECT_EQ(flash.program(0, data), Status::kIoError);
    std::vector<std::uint8_t> out(256);
    flash.peek(0, out);
    bool all_old = true, all_new = true;
    for (std::size_t i = 0; i < out.size(); ++i) {
      // Only bits cleared in `data` may be cleared.
      EXPECT_EQ(out[i] & data[i], data[i]);
      all_old &= out[i] == 0xFF;
      all_new &= out[i] == data[i];
    }
    saw_partial |= !all_old && !all_new;
  }
  EXPECT_TRUE(saw_partial);
}

TEST(PowerCut, TornEraseLeavesUnpredictableBitsInTheSectorInProgressOnly) {
  bool saw_partial = false;
  for (std::uint64_t seed = 0; seed < 32; ++seed) {
    PowerSupply power(seed);
    NorFlash flash("nor", small_nor(), w25q32jv_time(), power);
    std::vector<std::uint8_t> zeros(256, 0x00);
    for (std::uint32_t a = 0; a < 3 * 4096; a += 256) ASSERT_EQ(flash.program(a, zeros), Status::kOk);
    power.cut_at(0);
    EXPECT_EQ(flash.erase(0, 2 * 4096), Status::kIoError);
    std::vector<std::uint8_t> third(4096);
    flash.peek(2 * 4096, third);
    for (auto b : third) ASSERT_EQ(b, 0x00);  // outside the erase: untouched
    std::vector<std::uint8_t> erased(2 * 4096);
    flash.peek(0, erased);
    std::size_t ff = 0;
    for (auto b : erased) ff += b == 0xFF;
    saw_partial |= ff != 0 && ff != erased.size() && ff != 4096;
  }
  EXPECT_TRUE(saw_partial);
}

TEST(PowerCut, SameSeedTearsTheSameWay) {
  std::vector<std::uint8_t> data(256, 0x00), first(256), second(256);
  for (int run = 0; run < 2; ++run) {
    PowerSupply power(99);
    NorFlash flash("nor", small_nor(), w25q32jv_time(), power);
    power.cut_at(0);
    (void)flash.program(0, data);
    flash.peek(0, run == 0 ? first : second);
  }
  EXPECT_EQ(first, second);
}

}  // namespace
}  // namespace otter::sim
