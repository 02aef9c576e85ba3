#include <gtest/gtest.h>

#include <vector>

#include "otter/core/crc32.h"
#include "otter/image/image.h"
#include "otter/image/memory_flash.h"

namespace otter::image {
namespace {

Descriptor sample() {
  Descriptor d;
  d.version = Version{1, 2, 300};
  d.hardware_id = 0x04871001;
  d.image_size = 448 * 1024;
  d.min_version = Version{1, 0, 0}.encoded();
  d.flags = 0;
  for (std::size_t i = 0; i < d.build_id.size(); ++i) d.build_id[i] = static_cast<std::uint8_t>(i * 7 + 1);
  return d;
}

std::array<std::uint8_t, kDescriptorSize> wire(const Descriptor& d) {
  std::array<std::uint8_t, kDescriptorSize> bytes{};
  serialize_descriptor(d, bytes);
  return bytes;
}

// Rewrites the CRC after a deliberate edit, so the test reaches the check
// behind the CRC.
void fix_crc(std::array<std::uint8_t, kDescriptorSize>& bytes) {
  const std::uint32_t crc = crc32(std::span<const std::uint8_t>(bytes.data(), kDescriptorSize - 4));
  for (std::size_t i = 0; i < 4; ++i) bytes[kDescriptorSize - 4 + i] = static_cast<std::uint8_t>(crc >> (8 * i));
}

TEST(Descriptor, RoundTripsEveryField) {
  const Descriptor d = sample();
  const auto parsed = parse_descriptor(wire(d));
  ASSERT_TRUE(parsed.ok()) << to_string(parsed.status());
  EXPECT_EQ(parsed->version, d.version);
  EXPECT_EQ(parsed->hardware_id, d.hardware_id);
  EXPECT_EQ(parsed->image_size, d.image_size);
  EXPECT_EQ(parsed->min_version, d.min_version);
  EXPECT_EQ(parsed->flags, d.flags);
  EXPECT_EQ(parsed->build_id, d.build_id);
}

TEST(Descriptor, WireLayoutIsLittleEndianWithDocumentedOffsets) {
  const auto bytes = wire(sample());
  EXPECT_EQ(bytes[0], 'O');
  EXPECT_EQ(bytes[1], 'T');
  EXPECT_EQ(bytes[2], 'T');
  EXPECT_EQ(bytes[3], 'R');
  EXPECT_EQ(bytes[4], 1);  // format version
  EXPECT_EQ(bytes[5], 0);
  EXPECT_EQ(bytes[6], kDescriptorSize);
  // App version 1.2.300 = 0x0102012C, AWS encoding.
  EXPECT_EQ(bytes[8], 0x2C);
  EXPECT_EQ(bytes[9], 0x01);
  EXPECT_EQ(bytes[10], 0x02);
  EXPECT_EQ(bytes[11], 0x01);
  EXPECT_EQ(bytes[12], 0x01);  // hardware id 0x04871001
  EXPECT_EQ(bytes[15], 0x04);
  EXPECT_EQ(bytes[28], 1);  // build id starts at 28
  const std::uint32_t crc = crc32(std::span<const std::uint8_t>(bytes.data(), 48));
  EXPECT_EQ(bytes[48], static_cast<std::uint8_t>(crc));
  EXPECT_EQ(bytes[51], static_cast<std::uint8_t>(crc >> 24));
}

TEST(Descriptor, MissingMagicIsNotFound) {
  auto bytes = wire(sample());
  bytes[0] = 'X';
  EXPECT_EQ(parse_descriptor(bytes).status(), Status::kNotFound);
  std::array<std::uint8_t, kDescriptorSize> erased;
  erased.fill(0xFF);
  EXPECT_EQ(parse_descriptor(erased).status(), Status::kNotFound);
}

TEST(Descriptor, UnknownFormatVersionIsUnsupported) {
  auto bytes = wire(sample());
  bytes[4] = 2;
  fix_crc(bytes);
  EXPECT_EQ(parse_descriptor(bytes).status(), Status::kUnsupported);
}

TEST(Descriptor, WrongDescriptorSizeIsMalformed) {
  auto bytes = wire(sample());
  bytes[6] = kDescriptorSize + 4;
  fix_crc(bytes);
  EXPECT_EQ(parse_descriptor(bytes).status(), Status::kMalformed);
}

TEST(Descriptor, CrcMismatchIsCorrupt) {
  auto bytes = wire(sample());
  bytes[20] ^= 0x01;
  EXPECT_EQ(parse_descriptor(bytes).status(), Status::kCorrupt);
}

TEST(Descriptor, EveryBitFlipIsRejected) {
  const auto good = wire(sample());
  for (std::size_t bit = 0; bit < good.size() * 8; ++bit) {
    auto bytes = good;
    bytes[bit / 8] ^= static_cast<std::uint8_t>(1u << (bit % 8));
    EXPECT_FALSE(parse_descriptor(bytes).ok()) << "bit " << bit;
  }
}

TEST(Descriptor, ShortInputIsOutOfRange) {
  const auto bytes = wire(sample());
  EXPECT_EQ(parse_descriptor(std::span<const std::uint8_t>(bytes).first(kDescriptorSize - 1)).status(),
            Status::kOutOfRange);
  EXPECT_EQ(parse_descriptor(std::span<const std::uint8_t>(bytes).first(6)).status(), Status::kOutOfRange);
  EXPECT_EQ(parse_descriptor(std::span<const std::uint8_t>(bytes).first(2)).status(), Status::kNotFound);
}

TEST(Descriptor, ImageSizeTooSmallToHoldDescriptorIsMalformed) {
  Descriptor d = sample();
  d.image_size = kMinImageSize - 1;
  EXPECT_EQ(parse_descriptor(wire(d)).status(), Status::kMalformed);
}

TEST(Descriptor, ReadDescriptorReadsAtOffset0x200) {
  std::vector<std::uint8_t> image(4096, 0xAB);
  const auto bytes = wire(sample());
  std::copy(bytes.begin(), bytes.end(), image.begin() + kDescriptorOffset);
  MemoryFlash flash(image);
  const auto d = read_descriptor(flash.whole());
  ASSERT_TRUE(d.ok()) << to_string(d.status());
  EXPECT_EQ(d->version, (Version{1, 2, 300}));
}

TEST(Descriptor, ReadDescriptorOfTooSmallAreaIsOutOfRange) {
  MemoryFlash flash(std::vector<std::uint8_t>(kDescriptorOffset + 10, 0));
  EXPECT_EQ(read_descriptor(flash.whole()).status(), Status::kOutOfRange);
}

TEST(Descriptor, CheckRejectsOtherBoard) {
  const Descriptor d = sample();
  EXPECT_EQ(check_descriptor(d, 0x23541001, d.image_size), Status::kWrongBoard);
}

TEST(Descriptor, CheckRejectsTruncatedOrExtendedFile) {
  const Descriptor d = sample();
  EXPECT_EQ(check_descriptor(d, d.hardware_id, d.image_size - 1), Status::kCorrupt);
  EXPECT_EQ(check_descriptor(d, d.hardware_id, d.image_size + 1), Status::kCorrupt);
  EXPECT_EQ(check_descriptor(d, d.hardware_id, d.image_size), Status::kOk);
}

}  // namespace
}  // namespace otter::image
