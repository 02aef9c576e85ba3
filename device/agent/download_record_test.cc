#include "otter/agent/download_record.h"

#include <gtest/gtest.h>

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

TEST(DownloadRecordGeometry, RefusesBlockDevicesWithoutEraseSemantics) {
  struct Sd final : flash::FlashDevice {
    flash::Geometry geometry() const override {
      return {.size = 1 << 20, .erase_size = 0, .program_size = 512, .needs_erase = false};
    }
    Status read(std::uint32_t, std::span<std::uint8_t>) override { return Status::kOk; }
    Status program(std::uint32_t, std::span<const std::uint8_t>) override { return Status::kOk; }
    Status erase(std::uint32_t, std::uint32_t) override { return Status::kOk; }
  } sd;
  EXPECT_EQ(DownloadRecord(flash::Partition(sd, 0, 1 << 16)).check_geometry(), Status::kUnsupported);
}

}  // namespace
}  // namespace otter::agent
