#include "otter/image/stamp.h"

#include <gtest/gtest.h>

#include <vector>

#include "otter/image/board.h"
#include "otter/image/image_file.h"

namespace otter::image {
namespace {

std::vector<std::uint8_t> raw_firmware(std::size_t size, std::uint8_t slot_fill = 0xFF) {
  std::vector<std::uint8_t> fw(size);
  for (std::size_t i = 0; i < size; ++i) fw[i] = static_cast<std::uint8_t>(i * 31 + 7);
  std::fill_n(fw.begin() + kDescriptorOffset, kDescriptorSize, slot_fill);
  return fw;
}

StampOptions options() {
  StampOptions o;
  o.version = Version{1, 0, 1};
  o.hardware_id = kHardwareNumakerIotM487;
  return o;
}

TEST(Stamp, WritesDescriptorAndLeavesOtherBytesAlone) {
  const auto fw = raw_firmware(8192);
  const auto stamped = stamp_image(fw, options());
  ASSERT_EQ(stamped.size(), fw.size());
  const auto d = descriptor_of(stamped);
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->version, (Version{1, 0, 1}));
  EXPECT_EQ(d->hardware_id, kHardwareNumakerIotM487);
  EXPECT_EQ(d->image_size, 8192u);
  EXPECT_TRUE(std::equal(fw.begin(), fw.begin() + kDescriptorOffset, stamped.begin()));
  EXPECT_TRUE(std::equal(fw.begin() + kMinImageSize, fw.end(), stamped.begin() + kMinImageSize));
}

TEST(Stamp, AcceptsZeroFilledSlot) { EXPECT_NO_THROW(stamp_image(raw_firmware(4096, 0x00), options())); }

TEST(Stamp, RestampingReplacesTheOldDescriptor) {
  auto o = options();
  const auto first = stamp_image(raw_firmware(4096), o);
  o.version = Version{1, 0, 2};
  const auto second = stamp_image(first, o);
  EXPECT_EQ(descriptor_of(second)->version, (Version{1, 0, 2}));
}

TEST(Stamp, RefusesToOverwriteCodeInAnUnreservedSlot) {
  auto fw = raw_firmware(4096);
  fw[kDescriptorOffset + 3] = 0x42;
  EXPECT_THROW(stamp_image(fw, options()), ImageFileError);
  auto o = options();
  o.force = true;
  EXPECT_TRUE(descriptor_of(stamp_image(fw, o)).ok());
}

TEST(Stamp, RefusesImageTooSmallForDescriptor) {
  EXPECT_THROW(stamp_image(std::vector<std::uint8_t>(kMinImageSize - 1, 0xFF), options()), ImageFileError);
}

TEST(Stamp, DefaultBuildIdIgnoresTheDescriptorSlot) {
  const auto fw = raw_firmware(4096);
  const auto stamped = stamp_image(fw, options());
  EXPECT_EQ(descriptor_of(stamped)->build_id, default_build_id(fw));
  EXPECT_EQ(default_build_id(stamped), default_build_id(fw));
}

TEST(Stamp, ExplicitBuildIdIsKept) {
  auto o = options();
  o.build_id = parse_build_id("0123456789abcdef0123456789ABCDEF01234567");
  EXPECT_EQ(descriptor_of(stamp_image(raw_firmware(4096), o))->build_id[19], 0x67);
}

TEST(Stamp, ShortBuildIdIsZeroPadded) {
  const auto id = parse_build_id("abcd");
  EXPECT_EQ(id[0], 0xAB);
  EXPECT_EQ(id[1], 0xCD);
  EXPECT_EQ(id[2], 0x00);
}

TEST(Stamp, MalformedBuildIdIsRejected) {
  EXPECT_THROW(parse_build_id("abc"), std::invalid_argument);
  EXPECT_THROW(parse_build_id("zz"), std::invalid_argument);
  EXPECT_THROW(parse_build_id(std::string(42, 'a')), std::invalid_argument);
}

TEST(Stamp, DescriptorOfShortFileIsNotFound) {
  EXPECT_EQ(descriptor_of(std::vector<std::uint8_t>(100, 0)).status(), Status::kNotFound);
}

TEST(Stamp, BoardLabelNamesKnownAndUnknownBoards) {
  EXPECT_EQ(board_label(kHardwareNumakerM2354), "numaker-m2354");
  EXPECT_EQ(board_label(0x12345678), "unknown board 0x12345678");
}

}  // namespace
}  // namespace otter::image
