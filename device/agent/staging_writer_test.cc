#include "otter/agent/staging_writer.h"

#include <gtest/gtest.h>

#include <vector>

#include "otter/codec/base64.h"
#include "otter/sim/parts.h"
#include "otter/sim/sd_card.h"
#include "ram_nor_flash.h"

namespace otter::agent {
namespace {

std::vector<std::uint8_t> pattern(std::size_t n) {
  std::vector<std::uint8_t> v(n);
  for (std::size_t i = 0; i < n; ++i) v[i] = static_cast<std::uint8_t>(i * 7 + 3);
  return v;
}

TEST(StagingWriter, WritesABlockAcrossPagesWithoutCrossingAny) {
  testing::RamNorFlash flash(64 * 1024);
  flash::Partition staging(flash, 4096, 32 * 1024);
  StagingWriter writer(staging);
  const auto data = pattern(2048);
  ASSERT_EQ(writer.write(2048, data), Status::kOk);
  EXPECT_TRUE(std::equal(data.begin(), data.end(), flash.bytes().begin() + 4096 + 2048));
  EXPECT_EQ(flash.programs, 8u);
}

TEST(StagingWriter, PadsAShortLastBlockToTheProgramUnit) {
  testing::RamNorFlash flash(64 * 1024, 4096, 8);
  flash::Partition staging(flash, 0, 32 * 1024);
  StagingWriter writer(staging);
  const auto data = pattern(13);
  ASSERT_EQ(writer.write(256, data), Status::kOk);
  EXPECT_TRUE(std::equal(data.begin(), data.end(), flash.bytes().begin() + 256));
  EXPECT_EQ(flash.bytes()[256 + 13], 0xFF);
}

TEST(StagingWriter, NeverWritesOutsideTheBank) {
  testing::RamNorFlash flash(64 * 1024);
  flash::Partition staging(flash, 0, 8192);
  StagingWriter writer(staging);
  const auto data = pattern(256);
  EXPECT_EQ(writer.write(8192 - 128, data), Status::kOutOfRange);
  for (std::size_t i = 8192; i < flash.bytes().size(); ++i) ASSERT_EQ(flash.bytes()[i], 0xFF);
}

TEST(StagingWriter, DecodesBase64PayloadsInChunks) {
  testing::RamNorFlash flash(64 * 1024);
  flash::Partition staging(flash, 0, 32 * 1024);
  StagingWriter writer(staging);
  const auto data = pattern(1000);
  std::vector<char> text(codec::base64_encoded_size(data.size()));
  ASSERT_TRUE(codec::base64_encode(data, text).ok());
  ASSERT_EQ(writer.write_base64(1024, {text.data(), text.size()}, 1000), Status::kOk);
  EXPECT_TRUE(std::equal(data.begin(), data.end(), flash.bytes().begin() + 1024));
}

TEST(StagingWriter, RefusesMalformedBase64) {
  testing::RamNorFlash flash(64 * 1024);
  flash::Partition staging(flash, 0, 32 * 1024);
  StagingWriter writer(staging);
  EXPECT_EQ(writer.write_base64(0, "Zm9v*m9v", 6), Status::kMalformed);
}

TEST(StagingWriter, AcceptsProgramUnitsUpToACardBlock) {
  testing::RamNorFlash flash(64 * 1024, 4096, 64);
  EXPECT_EQ(StagingWriter(flash::Partition(flash, 0, 32 * 1024)).check_geometry(), Status::kOk);
}

// --- on an SD card (sim/flash's model: 512-byte blocks, no erase) ---------

struct StagingWriterOnSd : ::testing::Test {
  StagingWriterOnSd() {
    // Whatever an earlier download left: the card is never erased.
    std::vector<std::uint8_t> old(64 * 1024, 0x3C);
    card.poke(0, old);
  }
  std::vector<std::uint8_t> at(std::uint32_t address, std::size_t n) {
    std::vector<std::uint8_t> v(n);
    card.peek(address, v);
    return v;
  }
  sim::PowerSupply power{3};
  sim::SdCard card{"sd", 1 << 20, sim::sd_card_time(), power};
  flash::Partition staging{card, 4096, 16 * 1024, "staging"};
  StagingWriter writer{staging};
};

TEST_F(StagingWriterOnSd, TheGeometryIsAccepted) { EXPECT_EQ(writer.check_geometry(), Status::kOk); }

TEST_F(StagingWriterOnSd, RefusesStreamBlocksSmallerThanACardBlock) {
  EXPECT_EQ(writer.check_geometry(256), Status::kUnsupported);
  EXPECT_EQ(writer.check_geometry(512), Status::kOk);
  EXPECT_EQ(writer.check_geometry(4096), Status::kOk);
}

TEST_F(StagingWriterOnSd, OverwritesWhatAnEarlierDownloadLeftWithoutErasing) {
  const auto data = pattern(2048);
  ASSERT_EQ(writer.erase(8192), Status::kOk);  // a no-op on a card
  ASSERT_EQ(writer.write(2048, data), Status::kOk);
  EXPECT_EQ(at(4096 + 2048, 2048), data);
  EXPECT_EQ(card.counters().programs, 1u);
}

TEST_F(StagingWriterOnSd, PadsAShortLastBlockToAWholeCardBlock) {
  const auto data = pattern(1000);  // 512 + 488
  ASSERT_EQ(writer.write(1024, data), Status::kOk);
  EXPECT_EQ(at(4096 + 1024, 1000), data);
  EXPECT_EQ(at(4096 + 1024 + 1000, 24), std::vector<std::uint8_t>(24, 0xFF));
  EXPECT_EQ(at(4096 + 2048, 512), std::vector<std::uint8_t>(512, 0x3C)) << "the next card block is untouched";
}

TEST_F(StagingWriterOnSd, RefusesAWriteThatIsNotOnACardBlockBoundary) {
  EXPECT_EQ(writer.write(256, pattern(256)), Status::kMisaligned);
  EXPECT_EQ(card.counters().programs, 0u);
}

TEST_F(StagingWriterOnSd, NeverWritesOutsideTheBank) {
  // A short last block in the bank's last card block stays inside it...
  ASSERT_EQ(writer.write(16 * 1024 - 512, pattern(100)), Status::kOk);
  // ...one that would spill past the end is refused whole.
  EXPECT_EQ(writer.write(16 * 1024 - 512, pattern(600)), Status::kOutOfRange);
  EXPECT_EQ(at(4096 + 16 * 1024, 4096), std::vector<std::uint8_t>(4096, 0x3C));
  EXPECT_EQ(at(0, 4096), std::vector<std::uint8_t>(4096, 0x3C));
}

TEST_F(StagingWriterOnSd, DecodesBase64PayloadsIntoWholeCardBlocks) {
  const auto data = pattern(1300);  // chunks at 0, 512 and 1024: not multiples of 3
  std::vector<char> text(codec::base64_encoded_size(data.size()));
  ASSERT_TRUE(codec::base64_encode(data, text).ok());
  ASSERT_EQ(writer.write_base64(2048, {text.data(), text.size()}, 1300), Status::kOk);
  EXPECT_EQ(at(4096 + 2048, 1300), data);
}

TEST_F(StagingWriterOnSd, ACutWhileWritingABlockTouchesNoOtherBlock) {
  // Stream blocks of 1 KiB: a cut during block 2 may leave its card blocks
  // in any state, but blocks 1 and 3 keep what they had (no read-modify-write
  // of a neighbour, so a block recorded as received is never damaged).
  const auto one = pattern(1024);
  ASSERT_EQ(writer.write(1024, one), Status::kOk);
  power.cut_at(0);
  EXPECT_NE(writer.write(2048, pattern(1024)), Status::kOk);
  power.restore();
  EXPECT_EQ(at(4096 + 1024, 1024), one);
  EXPECT_EQ(at(4096 + 3072, 1024), std::vector<std::uint8_t>(1024, 0x3C));
}

}  // namespace
}  // namespace otter::agent
