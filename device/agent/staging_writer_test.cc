#include "otter/agent/staging_writer.h"

#include <gtest/gtest.h>

#include <vector>

#include "otter/codec/base64.h"
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

}  // namespace
}  // namespace otter::agent
