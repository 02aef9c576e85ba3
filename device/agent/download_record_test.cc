#include "otter/agent/download_record.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <optional>
#include <vector>

#include "otter/boards/board_profile.h"
#include "otter/sim/parts.h"
#include "otter/sim/sd_card.h"
#include "ram_nor_flash.h"

namespace otter::agent {
namespace {

constexpr DownloadIdentity kJob{0x1234, 100000, 1024};

struct Fixture : ::testing::Test {
  testing::RamNorFlash flash{16 * 4096};
  flash::Partition area{flash, 0, 2 * 4096, "download"};
  Bitmap<kMaxBlocks> bits{98};
};

TEST_F(Fixture, ResumesTheBlocksMarkedBeforeARestart) {
  DownloadRecord record(area);
  ASSERT_EQ(record.start(kJob, bits.view()), Status::kOk);
  for (std::uint32_t b : {0u, 5u, 97u}) {
    bits->set(b);
    ASSERT_EQ(record.mark(b, bits.view()), Status::kOk);
  }
  DownloadRecord after_reset(area);
  Bitmap<kMaxBlocks> loaded(98);
  ASSERT_EQ(after_reset.resume(kJob, loaded.view()), Status::kOk);
  EXPECT_EQ(loaded->count(), 3u);
  EXPECT_TRUE(loaded->test(0) && loaded->test(5) && loaded->test(97));
}

TEST_F(Fixture, DoesNotResumeAnotherDownload) {
  DownloadRecord record(area);
  ASSERT_EQ(record.start(kJob, bits.view()), Status::kOk);
  Bitmap<kMaxBlocks> loaded(98);
  DownloadIdentity other = kJob;
  other.job_hash = 99;
  EXPECT_EQ(DownloadRecord(area).resume(other, loaded.view()), Status::kNotFound);
}

TEST_F(Fixture, CompactsIntoTheOtherUnitWhenFullAndKeepsEveryBlock) {
  Bitmap<kMaxBlocks> many(4000);
  DownloadRecord record(area);
  ASSERT_EQ(record.start({1, 4000 * 256, 256}, many.view()), Status::kOk);
  for (std::uint32_t b = 0; b < 4000; b += 3) {
    many->set(b);
    ASSERT_EQ(record.mark(b, many.view()), Status::kOk);
  }
  Bitmap<kMaxBlocks> loaded(4000);
  ASSERT_EQ(DownloadRecord(area).resume({1, 4000 * 256, 256}, loaded.view()), Status::kOk);
  EXPECT_EQ(loaded->count(), many->count());
  for (std::uint32_t b = 0; b < 4000; ++b) ASSERT_EQ(loaded->test(b), many->test(b)) << b;
}

TEST_F(Fixture, WriteAmplificationIsBoundedByOneRecordPerBlockPlusSnapshots) {
  Bitmap<kMaxBlocks> many(2000);
  DownloadRecord record(area);
  ASSERT_EQ(record.start({1, 2000 * 256, 256}, many.view()), Status::kOk);
  const std::uint32_t erases_before = record.erase_count();
  for (std::uint32_t b = 0; b < 2000; ++b) {
    many->set(b);
    ASSERT_EQ(record.mark(b, many.view()), Status::kOk);
  }
  // 4 KiB units hold (4096 - 32 - 256) / 16 = 238 records: about 2000/238 compactions.
  EXPECT_LE(record.erase_count() - erases_before, 2000u / 200 + 1);
}

TEST_F(Fixture, ATornRecordIsSkippedAndAppendsContinueAfterIt) {
  DownloadRecord record(area);
  ASSERT_EQ(record.start(kJob, bits.view()), Status::kOk);
  bits->set(1);
  ASSERT_EQ(record.mark(1, bits.view()), Status::kOk);
  // Simulate a cut in the middle of programming the next record: a few bytes
  // of the next slot are programmed with garbage.
  const std::uint32_t records = 32 + 32;  // header + bitmap area rounded to 32
  flash.bytes()[records + 16 + 2] = 0x12;
  DownloadRecord resumed(area);
  Bitmap<kMaxBlocks> loaded(98);
  ASSERT_EQ(resumed.resume(kJob, loaded.view()), Status::kOk);
  EXPECT_EQ(loaded->count(), 1u);
  loaded->set(7);
  ASSERT_EQ(resumed.mark(7, loaded.view()), Status::kOk);
  Bitmap<kMaxBlocks> again(98);
  ASSERT_EQ(DownloadRecord(area).resume(kJob, again.view()), Status::kOk);
  EXPECT_TRUE(again->test(1) && again->test(7));
  EXPECT_EQ(again->count(), 2u);
}

TEST_F(Fixture, ATornSnapshotLeavesThePreviousStateCurrent) {
  Bitmap<kMaxBlocks> many(2000);
  DownloadRecord record(area);
  ASSERT_EQ(record.start({1, 2000 * 256, 256}, many.view()), Status::kOk);
  for (std::uint32_t b = 0; b < 10; ++b) {
    many->set(b);
    ASSERT_EQ(record.mark(b, many.view()), Status::kOk);
  }
  // A new snapshot whose header never got written (bitmap only) in unit 1.
  flash.bytes()[4096 + 40] = 0x00;
  Bitmap<kMaxBlocks> loaded(2000);
  ASSERT_EQ(DownloadRecord(area).resume({1, 2000 * 256, 256}, loaded.view()), Status::kOk);
  EXPECT_EQ(loaded->count(), 10u);
}

TEST_F(Fixture, ClearForgetsTheDownload) {
  DownloadRecord record(area);
  ASSERT_EQ(record.start(kJob, bits.view()), Status::kOk);
  ASSERT_EQ(record.clear(), Status::kOk);
  Bitmap<kMaxBlocks> loaded(98);
  EXPECT_EQ(DownloadRecord(area).resume(kJob, loaded.view()), Status::kNotFound);
}

TEST_F(Fixture, ANewDownloadWinsOverAnOlderRecordInTheOtherUnit) {
  DownloadRecord first(area);
  ASSERT_EQ(first.start({7, 1000, 256}, Bitmap<kMaxBlocks>(4).view()), Status::kOk);
  DownloadRecord second(area);  // a fresh object after a reset: not open
  ASSERT_EQ(second.start(kJob, bits.view()), Status::kOk);
  Bitmap<kMaxBlocks> loaded(98);
  EXPECT_EQ(DownloadRecord(area).resume(kJob, loaded.view()), Status::kOk);
}

TEST(DownloadRecordGeometry, RefusesAPartitionTooSmallForTwoUnits) {
  testing::RamNorFlash flash(8 * 4096);
  EXPECT_EQ(DownloadRecord(flash::Partition(flash, 0, 4096)).check_geometry(), Status::kTooLarge);
}

TEST(DownloadRecordGeometry, RefusesAMediumWithoutEraseWhoseBlockDoesNotDivide512Bytes) {
  struct OddBlocks final : flash::FlashDevice {
    flash::Geometry geometry() const override {
      return {.size = 1 << 20, .erase_size = 0, .program_size = 768, .needs_erase = false};
    }
    Status read(std::uint32_t, std::span<std::uint8_t>) override { return Status::kOk; }
    Status program(std::uint32_t, std::span<const std::uint8_t>) override { return Status::kOk; }
    Status erase(std::uint32_t, std::uint32_t) override { return Status::kOk; }
  } odd;
  EXPECT_EQ(DownloadRecord(flash::Partition(odd, 0, 768 * 16)).check_geometry(), Status::kUnsupported);
}

// --- on an SD card (sim/flash's model: 512-byte blocks written in place, no
// erase, a torn write leaves its block old, new or garbage) ---------------

struct DownloadRecordOnSd : ::testing::Test {
  sim::PowerSupply power{7};
  sim::SdCard card{"sd", 1 << 20, sim::sd_card_time(), power};
  flash::Partition area{card, 0x10000, 0x2000, "download"};
};

TEST_F(DownloadRecordOnSd, TheGeometryIsAccepted) { EXPECT_EQ(DownloadRecord(area).check_geometry(), Status::kOk); }

TEST_F(DownloadRecordOnSd, ResumesTheBlocksMarkedBeforeARestart) {
  Bitmap<kMaxBlocks> bits(98);
  DownloadRecord record(area);
  ASSERT_EQ(record.start(kJob, bits.view()), Status::kOk);
  for (std::uint32_t b : {0u, 5u, 97u}) {
    bits->set(b);
    ASSERT_EQ(record.mark(b, bits.view()), Status::kOk);
  }
  Bitmap<kMaxBlocks> loaded(98);
  ASSERT_EQ(DownloadRecord(area).resume(kJob, loaded.view()), Status::kOk);
  EXPECT_EQ(loaded->count(), 3u);
  EXPECT_TRUE(loaded->test(0) && loaded->test(5) && loaded->test(97));
}

TEST_F(DownloadRecordOnSd, AppendsToAResumedRecord) {
  Bitmap<kMaxBlocks> bits(98);
  DownloadRecord record(area);
  ASSERT_EQ(record.start(kJob, bits.view()), Status::kOk);
  bits->set(3);
  ASSERT_EQ(record.mark(3, bits.view()), Status::kOk);
  DownloadRecord after_reset(area);
  Bitmap<kMaxBlocks> loaded(98);
  ASSERT_EQ(after_reset.resume(kJob, loaded.view()), Status::kOk);
  loaded->set(4);
  ASSERT_EQ(after_reset.mark(4, loaded.view()), Status::kOk);
  Bitmap<kMaxBlocks> again(98);
  ASSERT_EQ(DownloadRecord(area).resume(kJob, again.view()), Status::kOk);
  EXPECT_EQ(again->count(), 2u);
  EXPECT_TRUE(again->test(3) && again->test(4));
}

TEST_F(DownloadRecordOnSd, EachReceivedBlockCostsOneCardBlockWrite) {
  Bitmap<kMaxBlocks> bits(1024);  // a 512 KiB image in 512-byte blocks
  DownloadRecord record(area);
  ASSERT_EQ(record.start({1, 1024 * 512, 512}, bits.view()), Status::kOk);
  card.reset_counters();
  for (std::uint32_t b = 0; b < 1024; ++b) {
    bits->set(b);
    ASSERT_EQ(record.mark(b, bits.view()), Status::kOk);
  }
  EXPECT_EQ(card.counters().programs, 1024u);
  EXPECT_EQ(card.counters().bytes_programmed, 1024u * 512);
}

TEST_F(DownloadRecordOnSd, ABitmapOfMoreThan3840BlocksCostsTwoCardBlockWrites) {
  Bitmap<kMaxBlocks> bits(4000);
  DownloadRecord record(area);
  ASSERT_EQ(record.start({1, 4000 * 256, 256}, bits.view()), Status::kOk);
  card.reset_counters();
  for (std::uint32_t b = 0; b < 10; ++b) {
    bits->set(b * 397);
    ASSERT_EQ(record.mark(b * 397, bits.view()), Status::kOk);
  }
  EXPECT_EQ(card.counters().programs, 20u);
  Bitmap<kMaxBlocks> loaded(4000);
  ASSERT_EQ(DownloadRecord(area).resume({1, 4000 * 256, 256}, loaded.view()), Status::kOk);
  for (std::uint32_t b = 0; b < 4000; ++b) ASSERT_EQ(loaded->test(b), bits->test(b)) << b;
}

TEST_F(DownloadRecordOnSd, ClearForgetsTheDownload) {
  Bitmap<kMaxBlocks> bits(98);
  DownloadRecord record(area);
  ASSERT_EQ(record.start(kJob, bits.view()), Status::kOk);
  bits->set(1);
  ASSERT_EQ(record.mark(1, bits.view()), Status::kOk);
  ASSERT_EQ(record.clear(), Status::kOk);
  Bitmap<kMaxBlocks> loaded(98);
  EXPECT_EQ(DownloadRecord(area).resume(kJob, loaded.view()), Status::kNotFound);
}

TEST_F(DownloadRecordOnSd, NeverWritesOutsideItsPartition) {
  std::vector<std::uint8_t> pattern(0x1000, 0x5A);
  card.poke(0x10000 - 0x1000, pattern);
  card.poke(0x12000, pattern);
  Bitmap<kMaxBlocks> bits(4096);
  DownloadRecord record(area);
  ASSERT_EQ(record.start({1, 4096 * 256, 256}, bits.view()), Status::kOk);
  for (std::uint32_t b = 0; b < 4096; b += 41) {
    bits->set(b);
    ASSERT_EQ(record.mark(b, bits.view()), Status::kOk);
  }
  ASSERT_EQ(record.clear(), Status::kOk);
  std::vector<std::uint8_t> before(0x1000), after(0x1000);
  card.peek(0x10000 - 0x1000, before);
  card.peek(0x12000, after);
  EXPECT_EQ(before, pattern);
  EXPECT_EQ(after, pattern);
}

// One download's record operations: start, marks in a scattered order,
// clear. A power cut at flash operation `cut` stops the sequence; after the
// reboot the record must read as the state before the interrupted call or
// after it, never anything else (for a clear: the last state or nothing).
struct SdReplay {
  static constexpr std::uint32_t kBlocks = 40;
  DownloadIdentity id{0xBEEF, kBlocks * 2048, 2048};

  // The bitmap after each call (index 0: before start, no record); nullopt
  // stands for "no record" (before start, after clear).
  std::vector<std::optional<std::vector<bool>>> states;
  std::size_t completed = 0;  // calls that returned kOk

  explicit SdReplay(std::uint32_t blocks = kBlocks) : blocks_(blocks) { id.file_size = blocks * 2048; }

  // Runs the sequence; returns false when the cut was never reached.
  bool run(sim::PowerSupply& power, const flash::Partition& area, std::uint64_t cut) {
    states.clear();
    completed = 0;
    states.push_back(std::nullopt);
    power.cut_at(cut);
    Bitmap<kMaxBlocks> bits(blocks_);
    DownloadRecord record(area);
    std::vector<bool> now(blocks_, false);
    bool ok = record.start(id, bits.view()) == Status::kOk;
    states.push_back(now);
    completed += ok ? 1 : 0;
    for (std::uint32_t i = 0; ok && i < marks(); ++i) {
      const std::uint32_t b = (i * 7 + 3) % blocks_;
      bits->set(b);
      now[b] = true;
      states.push_back(now);
      ok = record.mark(b, bits.view()) == Status::kOk;
      completed += ok ? 1 : 0;
    }
    if (ok) {
      states.push_back(std::nullopt);
      ok = record.clear() == Status::kOk;
      completed += ok ? 1 : 0;
    }
    const bool reached = !power.on();
    power.restore();
    power.cancel_cut();
    return reached;
  }

  std::uint32_t marks() const { return blocks_ < 12 ? blocks_ : 12; }

  // The record as a reboot finds it: nullopt when there is none.
  std::optional<std::vector<bool>> load(const flash::Partition& area) const {
    Bitmap<kMaxBlocks> loaded(blocks_);
    const Status s = DownloadRecord(area).resume(id, loaded.view());
    if (s == Status::kNotFound) return std::nullopt;
    EXPECT_EQ(s, Status::kOk);
    std::vector<bool> v(blocks_);
    for (std::uint32_t b = 0; b < blocks_; ++b) v[b] = loaded->test(b);
    return v;
  }

 private:
  std::uint32_t blocks_;
};

void replay_every_cut(std::uint32_t blocks) {
  int cuts = 0;
  for (std::uint64_t cut = 0;; ++cut) {
    sim::PowerSupply power(cut + 1);  // a different torn content at every cut
    sim::SdCard card("sd", 1 << 20, sim::sd_card_time(), power);
    const flash::Partition area(card, 0x10000, 0x2000, "download");
    // A previous download's record is on the card, and garbage around it.
    {
      Bitmap<kMaxBlocks> old(10);
      DownloadRecord previous(area);
      ASSERT_EQ(previous.start({0x1111, 10 * 2048, 2048}, old.view()), Status::kOk);
      old->set(2);
      ASSERT_EQ(previous.mark(2, old.view()), Status::kOk);
    }
    SdReplay replay(blocks);
    if (!replay.run(power, area, cut)) break;
    ++cuts;
    const auto found = replay.load(area);
    const auto& before = replay.states[replay.completed];
    const auto& after = replay.states[replay.completed + 1];
    EXPECT_TRUE(found == before || found == after)
        << "cut at flash operation " << cut << " during call " << replay.completed << " left another state";
    if (::testing::Test::HasFailure()) return;
  }
  EXPECT_GT(cuts, 15);
  std::printf("SD download record, %u blocks: %d power cuts replayed\n", blocks, cuts);
}

// The figures of docs/staging-media.md: one 512 KiB download in 1,024 blocks
// of 512 B, recorded on each memory a board could keep the record in (time
// from sim/flash's datasheet models).
TEST(DownloadRecordCost, PerReceivedBlockOnEachBoardMemoryIsBounded) {
  struct Medium {
    const char* what;
    boards::MemorySpec spec;
    std::uint32_t offset, size;
    std::uint64_t max_programs, max_erases;
  };
  const boards::BoardProfile& m487 = *boards::find_board("numaker-iot-m487");
  const boards::BoardProfile& m2354 = *boards::find_board("numaker-m2354");
  // NOR: one record per block plus a snapshot per full unit (4 KiB: 222
  // records, 2 KiB: 94), each snapshot 1 + 16 programs of 32 bytes.
  const Medium media[] = {
      {"M487: W25Q32JV SPI NOR", m487.external, m487.download.offset, m487.download.size, 1024 + 6 * 17, 6},
      {"M2354: internal flash (alternative)", m2354.internal, 0xD4000, 0x1000, 1024 + 12 * 17, 12},
      {"M2354: SD card", m2354.external, m2354.download.offset, m2354.download.size, 1024, 0},
  };
  for (const Medium& m : media) {
    sim::PowerSupply power;
    auto memory = sim::make_memory(m.spec, power);
    const flash::Partition area(*memory, m.offset, m.size, "download");
    Bitmap<kMaxBlocks> bits(1024);
    DownloadRecord record(area);
    ASSERT_EQ(record.start({1, 1024 * 512, 512}, bits.view()), Status::kOk) << m.what;
    memory->reset_counters();
    for (std::uint32_t b = 0; b < 1024; ++b) {
      bits->set(b);
      ASSERT_EQ(record.mark(b, bits.view()), Status::kOk) << m.what;
    }
    const sim::FlashCounters& c = memory->counters();
    EXPECT_LE(c.programs, m.max_programs) << m.what;
    EXPECT_LE(c.erases, m.max_erases) << m.what;
    std::printf("%-36s per received block: %.3f programs, %.1f bytes, %.1f us; %llu erases in 1,024 blocks\n",
                m.what, static_cast<double>(c.programs) / 1024.0, static_cast<double>(c.bytes_programmed) / 1024.0,
                c.time_us / 1024.0, static_cast<unsigned long long>(c.erases));
  }
}

TEST(DownloadRecordPowerCutsOnSd, ACutAtAnyFlashOperationLeavesTheOldOrTheNewRecord) { replay_every_cut(40); }

TEST(DownloadRecordPowerCutsOnSd, ACutInATwoBlockSnapshotLeavesTheOldOrTheNewRecord) { replay_every_cut(4000); }

}  // namespace
}  // namespace otter::agent
