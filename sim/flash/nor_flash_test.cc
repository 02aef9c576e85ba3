#include "otter/sim/nor_flash.h"

#include <gtest/gtest.h>

#include <array>
#include <vector>

#include "otter/sim/parts.h"

namespace otter::sim {
namespace {

class NorFlashTest : public ::testing::Test {
 protected:
  PowerSupply power{3};
  NorFlash flash{"w25q", flash::Geometry{64 * 1024, 4096, 1, 256, 0xFF, true}, w25q32jv_time(), power};
};

TEST_F(NorFlashTest, ReadsErasedWhenNew) {
  std::array<std::uint8_t, 16> out{};
  ASSERT_EQ(flash.read(100, out), Status::kOk);
  for (auto b : out) EXPECT_EQ(b, 0xFF);
  EXPECT_EQ(flash.allocated_bytes(), 0u);
}

TEST_F(NorFlashTest, ProgramsErasedBytesAndReadsThemBack) {
  const std::array<std::uint8_t, 4> data{1, 2, 3, 4};
  ASSERT_EQ(flash.program(10, data), Status::kOk);
  std::array<std::uint8_t, 4> out{};
  ASSERT_EQ(flash.read(10, out), Status::kOk);
  EXPECT_EQ(out, data);
}

TEST_F(NorFlashTest, ProgramOverNonErasedBytesIsRefusedAndReported) {
  const std::array<std::uint8_t, 1> a{0xF0};
  const std::array<std::uint8_t, 1> b{0x0F};
  ASSERT_EQ(flash.program(20, a), Status::kOk);
  EXPECT_EQ(flash.program(20, b), Status::kNotErased);
  EXPECT_EQ(flash.counters().not_erased, 1u);
  EXPECT_EQ(flash.last_not_erased_address(), 20u);
  std::array<std::uint8_t, 1> out{};
  ASSERT_EQ(flash.read(20, out), Status::kOk);
  EXPECT_EQ(out[0], 0xF0);
}

TEST_F(NorFlashTest, EraseSetsTheWholeSectorToFF) {
  const std::array<std::uint8_t, 2> data{0, 0};
  ASSERT_EQ(flash.program(4096 + 7, data), Status::kOk);
  ASSERT_EQ(flash.erase(4096, 4096), Status::kOk);
  std::array<std::uint8_t, 2> out{};
  ASSERT_EQ(flash.read(4096 + 7, out), Status::kOk);
  EXPECT_EQ(out[0], 0xFF);
  EXPECT_EQ(out[1], 0xFF);
  EXPECT_EQ(flash.allocated_bytes(), 0u);  // erased sectors cost no memory
}

TEST_F(NorFlashTest, EraseMustBeSectorAligned) {
  EXPECT_EQ(flash.erase(100, 4096), Status::kMisaligned);
  EXPECT_EQ(flash.erase(0, 100), Status::kMisaligned);
  EXPECT_EQ(flash.counters().misaligned, 2u);
}

TEST_F(NorFlashTest, ProgramMayNotCrossAPage) {
  std::vector<std::uint8_t> data(16, 0);
  EXPECT_EQ(flash.program(250, data), Status::kMisaligned);
  std::vector<std::uint8_t> page(256, 0);
  EXPECT_EQ(flash.program(256, page), Status::kOk);
}

TEST_F(NorFlashTest, ProgramHonoursTheProgramUnit) {
  NorFlash aprom{"aprom", flash::Geometry{16 * 1024, 4096, 4, 4096, 0xFF, true}, m480_aprom_time(), power};
  const std::array<std::uint8_t, 4> word{0, 0, 0, 0};
  EXPECT_EQ(aprom.program(2, word), Status::kMisaligned);
  EXPECT_EQ(aprom.program(4, std::span<const std::uint8_t>(word.data(), 2)), Status::kMisaligned);
  EXPECT_EQ(aprom.program(4, word), Status::kOk);
}

TEST_F(NorFlashTest, AccessesOutsideTheDeviceAreRefused) {
  std::array<std::uint8_t, 8> out{};
  EXPECT_EQ(flash.read(64 * 1024 - 4, out), Status::kOutOfRange);
  EXPECT_EQ(flash.program(64 * 1024, out), Status::kOutOfRange);
  EXPECT_EQ(flash.erase(64 * 1024, 4096), Status::kOutOfRange);
}

TEST_F(NorFlashTest, CountsOperationsBytesAndModelledTime) {
  std::vector<std::uint8_t> page(256, 0x11);
  ASSERT_EQ(flash.erase(0, 8192), Status::kOk);
  ASSERT_EQ(flash.program(0, page), Status::kOk);
  std::vector<std::uint8_t> out(512);
  ASSERT_EQ(flash.read(0, out), Status::kOk);
  const FlashCounters& c = flash.counters();
  EXPECT_EQ(c.erases, 1u);
  EXPECT_EQ(c.units_erased, 2u);
  EXPECT_EQ(c.programs, 1u);
  EXPECT_EQ(c.bytes_programmed, 256u);
  EXPECT_EQ(c.reads, 1u);
  EXPECT_EQ(c.bytes_read, 512u);
  const TimeModel t = w25q32jv_time();
  EXPECT_DOUBLE_EQ(c.time_us, t.erase_us(2) + t.program_us(256) + t.read_us(512));
  // W25Q32JV: two 4 KiB sector erases at tSE = 45 ms dominate.
  EXPECT_NEAR(c.time_us, 90000 + (0.64 + 256 * 0.16 + 400) + (0.64 + 512 * 0.16), 0.01);
}

TEST_F(NorFlashTest, SavedContentsRestoreExactlyAndIndependently) {
  const std::array<std::uint8_t, 1> a{0x12};
  ASSERT_EQ(flash.program(0, a), Status::kOk);
  const auto saved = flash.save();
  ASSERT_EQ(flash.erase(0, 4096), Status::kOk);
  const std::array<std::uint8_t, 1> b{0x34};
  ASSERT_EQ(flash.program(0, b), Status::kOk);
  flash.load(saved);
  std::array<std::uint8_t, 1> out{};
  flash.peek(0, out);
  EXPECT_EQ(out[0], 0x12);
  const std::array<std::uint8_t, 1> c{0x02};
  ASSERT_EQ(flash.program(1, c), Status::kOk);  // copy on write: `saved` unchanged
  flash.load(saved);
  flash.peek(1, out);
  EXPECT_EQ(out[0], 0xFF);
}

}  // namespace
}  // namespace otter::sim
