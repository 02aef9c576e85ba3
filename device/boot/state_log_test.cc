#include "otter/boot/state_log.h"

#include <gtest/gtest.h>

#include "otter/sim/nor_flash.h"
#include "otter/sim/parts.h"
#include "otter/sim/sd_card.h"

namespace otter::boot {
namespace {

// Two 4 KiB units of M480-like flash: 8 slots.
class StateLogTest : public ::testing::Test {
 protected:
  sim::PowerSupply power{7};
  sim::NorFlash flash{"aprom", flash::Geometry{16 * 1024, 4096, 4, 4096, 0xFF, true}, sim::m480_aprom_time(), power};
  flash::Partition area{flash, 4096, 8192, "boot_state"};

  StateRecord record(Phase phase) {
    StateRecord r;
    r.phase = phase;
    return r;
  }
};

TEST_F(StateLogTest, FreshLogIsEmpty) {
  StateLog log(area);
  ASSERT_EQ(log.open(), Status::kOk);
  EXPECT_TRUE(log.empty());
}

TEST_F(StateLogTest, NewestRecordWinsAfterReopen) {
  StateLog log(area);
  ASSERT_EQ(log.open(), Status::kOk);
  ASSERT_EQ(log.append(record(Phase::kIdle)), Status::kOk);
  ASSERT_EQ(log.append(record(Phase::kInstallRequested)), Status::kOk);
  StateLog again(area);
  ASSERT_EQ(again.open(), Status::kOk);
  EXPECT_EQ(again.latest().phase, Phase::kInstallRequested);
  EXPECT_EQ(again.latest().sequence, 2u);
}

TEST_F(StateLogTest, WrapsAroundManyTimesWithoutLosingState) {
  StateLog log(area);
  ASSERT_EQ(log.open(), Status::kOk);
  for (int i = 0; i < 100; ++i) {
    StateRecord r = record(Phase::kIdle);
    r.min_version = static_cast<std::uint32_t>(i);
    ASSERT_EQ(log.append(r), Status::kOk);
  }
  StateLog again(area);
  ASSERT_EQ(again.open(), Status::kOk);
  EXPECT_EQ(again.latest().min_version, 99u);
  EXPECT_EQ(flash.counters().not_erased, 0u);
}

TEST_F(StateLogTest, NeverErasesTheUnitHoldingTheNewestRecord) {
  StateLog log(area);
  ASSERT_EQ(log.open(), Status::kOk);
  for (int i = 0; i < 40; ++i) {
    ASSERT_EQ(log.append(record(Phase::kIdle)), Status::kOk);
    // Every erase the log did must have spared the newest record: reopening
    // at any moment finds it.
    StateLog again(area);
    ASSERT_EQ(again.open(), Status::kOk);
    ASSERT_FALSE(again.empty());
    EXPECT_EQ(again.latest().sequence, static_cast<std::uint32_t>(i + 1));
  }
}

TEST_F(StateLogTest, AppendCutAtAnyOperationKeepsTheOldOrTheNewStateAndTheLogStaysUsable) {
  // Prefill 1..9 records so the cut append sometimes has to erase the next unit.
  for (int prefill = 1; prefill <= 9; ++prefill) {
    flash.wipe();
    StateLog log(area);
    ASSERT_EQ(log.open(), Status::kOk);
    for (int i = 0; i < prefill; ++i) ASSERT_EQ(log.append(record(Phase::kIdle)), Status::kOk);
    const auto snapshot = flash.save();
    const std::uint64_t start = power.operations();
    ASSERT_EQ(log.append(record(Phase::kTrial)), Status::kOk);
    const std::uint64_t operations = power.operations() - start;
    for (std::uint64_t cut = 0; cut < operations; ++cut) {
      flash.load(snapshot);
      power.reseed(cut);
      StateLog before(area);
      ASSERT_EQ(before.open(), Status::kOk);
      power.cut_at(cut);
      EXPECT_NE(before.append(record(Phase::kTrial)), Status::kOk);
      power.restore();
      StateLog after(area);
      ASSERT_EQ(after.open(), Status::kOk);
      const bool old_state = after.latest().sequence == static_cast<std::uint32_t>(prefill) &&
                             after.latest().phase == Phase::kIdle;
      const bool new_state = after.latest().sequence == static_cast<std::uint32_t>(prefill + 1) &&
                             after.latest().phase == Phase::kTrial;
      EXPECT_TRUE(old_state || new_state) << "prefill " << prefill << " cut " << cut;
      ASSERT_EQ(after.append(record(Phase::kRolledBack)), Status::kOk);
      StateLog last(area);
      ASSERT_EQ(last.open(), Status::kOk);
      EXPECT_EQ(last.latest().phase, Phase::kRolledBack);
    }
  }
  EXPECT_EQ(flash.counters().not_erased, 0u);
}

TEST_F(StateLogTest, MarksArePerRecordAndCounted) {
  StateLog log(area);
  ASSERT_EQ(log.open(), Status::kOk);
  ASSERT_EQ(log.append(record(Phase::kTrial)), Status::kOk);
  EXPECT_EQ(*log.count_marks(), 0u);
  ASSERT_EQ(log.mark(0), Status::kOk);
  ASSERT_EQ(log.mark(1), Status::kOk);
  ASSERT_EQ(log.mark(1), Status::kOk);  // idempotent
  EXPECT_EQ(*log.count_marks(), 2u);
  EXPECT_TRUE(*log.is_marked(1));
  EXPECT_FALSE(*log.is_marked(2));
  ASSERT_EQ(log.append(record(Phase::kIdle)), Status::kOk);
  EXPECT_EQ(*log.count_marks(), 0u);
  EXPECT_EQ(log.mark(log.mark_capacity()), Status::kOutOfRange);
}

TEST_F(StateLogTest, RefusesAreasThatCannotHoldALog) {
  flash::Partition one_unit(flash, 0, 4096);
  StateLog log(one_unit);
  EXPECT_EQ(log.open(), Status::kUnsupported);
  sim::SdCard card("sd", 1024 * 1024, sim::sd_card_time(), power);
  StateLog on_sd(flash::Partition(card, 0, 8192));
  EXPECT_EQ(on_sd.open(), Status::kUnsupported);
}

}  // namespace
}  // namespace otter::boot
