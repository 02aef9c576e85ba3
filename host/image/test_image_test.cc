#include "otter/image/test_image.h"

#include <gtest/gtest.h>

#include "otter/image/memory_flash.h"
#include "otter/image/stamp.h"

namespace otter::image {
namespace {

TEST(TestImage, IsDeterministicPerSpec) {
  EXPECT_EQ(make_test_image({.size = 4096, .seed = 3}), make_test_image({.size = 4096, .seed = 3}));
  EXPECT_NE(make_test_image({.size = 4096, .seed = 3}), make_test_image({.size = 4096, .seed = 4}));
}

TEST(TestImage, CarriesTheRequestedDescriptor) {
  const auto image = make_test_image(
      {.size = 10000, .version = {3, 2, 1}, .hardware_id = kHardwareNumakerM2354, .min_version = 0x03000000});
  ASSERT_EQ(image.size(), 10000u);
  const auto d = descriptor_of(image);
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->version, (Version{3, 2, 1}));
  EXPECT_EQ(d->hardware_id, kHardwareNumakerM2354);
  EXPECT_EQ(d->image_size, 10000u);
  EXPECT_EQ(d->min_version, 0x03000000u);
}

TEST(TestImage, StartsWithAPlausibleVectorTable) {
  const auto image = make_test_image({.size = 4096});
  EXPECT_EQ(image[3], 0x20);  // initial SP in SRAM
  EXPECT_EQ(image[4] & 1, 1);  // Thumb reset handler
}

TEST(TestImage, TooSmallSizeIsRejected) {
  EXPECT_THROW(make_test_image({.size = kMinImageSize - 1}), std::invalid_argument);
}

TEST(TestImage, SignerSignaturesVerifyWithTheDeviceKey) {
  TestSigner signer;
  const auto image = make_test_image({.size = 8192});
  MemoryFlash flash(image);
  EXPECT_EQ(verify_image(flash.whole(), 8192, signer.sign(image), signer.device_key()), Status::kOk);
  EXPECT_EQ(parse_public_key(std::span<const std::uint8_t>(
                                 reinterpret_cast<const std::uint8_t*>(signer.certificate_pem().data()),
                                 signer.certificate_pem().size()))
                .status(),
            Status::kOk);
}

}  // namespace
}  // namespace otter::image
