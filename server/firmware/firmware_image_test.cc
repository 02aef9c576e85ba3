#include "otter/firmware/firmware_image.h"

#include <gtest/gtest.h>

#include "otter/image/board.h"
#include "test_images.h"

namespace otter::firmware {
namespace {

TEST(ReadImageDescriptor, ReturnsTheStampedFields) {
  const auto image = testing::make_image(4096, 1, 0, 1, image::kHardwareNumakerIotM487);
  const auto d = read_image_descriptor(image);
  EXPECT_EQ(d.version, "1.0.1");
  EXPECT_EQ(d.version_encoded, 0x01000001u);
  EXPECT_EQ(d.hardware_id, image::kHardwareNumakerIotM487);
  EXPECT_EQ(d.board, "numaker-iot-m487");
  EXPECT_EQ(d.image_size, 4096u);
  EXPECT_EQ(d.build_id, std::string(40, '0'));
}

TEST(ReadImageDescriptor, RefusesAFileWithoutADescriptor) {
  std::vector<std::uint8_t> image(4096, 0xFF);
  EXPECT_THROW(read_image_descriptor(image), std::invalid_argument);
}

TEST(ReadImageDescriptor, RefusesAFileTooShortToHoldOne) {
  std::vector<std::uint8_t> image(0x100, 0);
  EXPECT_THROW(read_image_descriptor(image), std::invalid_argument);
}

TEST(ReadImageDescriptor, RefusesATruncatedImage) {
  auto image = testing::make_image(4096, 1, 0, 1, image::kHardwareNumakerIotM487);
  image.resize(4000);
  try {
    read_image_descriptor(image);
    FAIL() << "a truncated image was accepted";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("4096"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace otter::firmware
