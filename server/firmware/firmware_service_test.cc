#include "otter/firmware/firmware_service.h"

#include <gtest/gtest.h>

#include "otter/firmware/sqlite_firmware_catalog.h"
#include "otter/image/board.h"
#include "test_images.h"

namespace otter::firmware {
namespace {

using testing::make_image;
using testing::TempDir;

class FirmwareServiceTest : public ::testing::Test {
 protected:
  TempDir dir;
  ImageFiles files{dir.path() / "firmware"};
  SigningProfiles profiles{dir.path() / "signing"};
  SqliteFirmwareCatalog catalog{dir.path() / "firmware" / "catalog.db"};
  std::int64_t now = 1'800'000'000;
  FirmwareService service{files, profiles, catalog, [this] { return now; }};

  std::vector<std::uint8_t> image_v101 = make_image(8192, 1, 0, 1, image::kHardwareNumakerIotM487);
};

TEST_F(FirmwareServiceTest, UploadStoresTheFileAndTheDescriptorFields) {
  const auto stored = service.upload({.name = "fw_v1.0.1.bin", .image = image_v101});
  EXPECT_EQ(stored.id, sha256_hex(image_v101));
  EXPECT_EQ(stored.name, "fw_v1.0.1.bin");
  EXPECT_EQ(stored.size, 8192u);
  ASSERT_TRUE(stored.descriptor.has_value());
  EXPECT_EQ(stored.descriptor->version, "1.0.1");
  EXPECT_EQ(stored.descriptor->board, "numaker-iot-m487");
  EXPECT_EQ(stored.created_at, now);
  EXPECT_FALSE(stored.is_signed());
  EXPECT_EQ(service.content(stored.id), image_v101);
}

TEST_F(FirmwareServiceTest, RefusesAFileWithoutDescriptorUnlessRawIsAllowed) {
  const std::vector<std::uint8_t> raw(4096, 0x5A);
  try {
    service.upload({.name = "raw.bin", .image = raw});
    FAIL() << "a file without descriptor was accepted";
  } catch (const FirmwareError& e) {
    EXPECT_EQ(e.kind(), FirmwareError::Kind::kInvalid);
    EXPECT_NE(std::string(e.what()).find("raw=true"), std::string::npos) << e.what();
  }
  const auto stored = service.upload({.name = "raw.bin", .image = raw, .allow_raw = true});
  EXPECT_FALSE(stored.descriptor.has_value());
}

TEST_F(FirmwareServiceTest, AcceptsAPreSignedUploadThatVerifies) {
  const auto profile = profiles.create("release", "Release Signer");
  const auto signature = profiles.sign("release", image_v101);
  const auto stored = service.upload(
      {.name = "fw.bin", .image = image_v101, .signature = signature, .certificate_pem = profile.certificate_pem});
  EXPECT_EQ(stored.signature, signature);
  EXPECT_EQ(stored.signer, "Release Signer");
}

TEST_F(FirmwareServiceTest, RefusesAPreSignedUploadWhoseSignatureDoesNotVerify) {
  const auto profile = profiles.create("release", "Release Signer");
  auto other = image_v101;
  other[4000] ^= 0x01;
  const auto signature = profiles.sign("release", other);
  try {
    service.upload(
        {.name = "fw.bin", .image = image_v101, .signature = signature, .certificate_pem = profile.certificate_pem});
    FAIL() << "a bad signature was accepted";
  } catch (const FirmwareError& e) {
    EXPECT_EQ(e.kind(), FirmwareError::Kind::kBadSignature);
  }
  EXPECT_EQ(service.count(), 0u);
  EXPECT_FALSE(files.contains(sha256_hex(image_v101)));
}

TEST_F(FirmwareServiceTest, WithoutACertificateTheSignatureMustComeFromASigningProfile) {
  profiles.create("release", "Release Signer");
  const auto stored = service.upload({.image = image_v101, .signature = profiles.sign("release", image_v101)});
  EXPECT_EQ(stored.signer, "Release Signer");

  TempDir elsewhere;
  SigningProfiles foreign(elsewhere.path());
  foreign.create("stranger", "Stranger");
  const auto image_v102 = make_image(8192, 1, 0, 2, image::kHardwareNumakerIotM487);
  EXPECT_THROW(service.upload({.image = image_v102, .signature = foreign.sign("stranger", image_v102)}),
               FirmwareError);
}

TEST_F(FirmwareServiceTest, SignWithProfileOnUpload) {
  const auto profile = profiles.create("release", "Release Signer");
  const auto stored = service.upload({.image = image_v101, .sign_with_profile = "release"});
  EXPECT_TRUE(stored.is_signed());
  EXPECT_EQ(stored.signing_profile, "release");
  EXPECT_EQ(stored.signer_certificate_pem, profile.certificate_pem);
}

TEST_F(FirmwareServiceTest, SignAStoredImageLater) {
  profiles.create("release", "Release Signer");
  const auto stored = service.upload({.image = image_v101});
  const auto signed_image = service.sign(stored.id, "release");
  EXPECT_TRUE(signed_image.is_signed());
  EXPECT_TRUE(service.find(stored.id)->is_signed());
}

TEST_F(FirmwareServiceTest, SigningWithAnUnknownProfileIsNotFound) {
  const auto stored = service.upload({.image = image_v101});
  try {
    service.sign(stored.id, "nope");
    FAIL();
  } catch (const FirmwareError& e) {
    EXPECT_EQ(e.kind(), FirmwareError::Kind::kNotFound);
  }
}

TEST_F(FirmwareServiceTest, UploadingTheSameBytesAgainReturnsTheExistingRecord) {
  const auto first = service.upload({.name = "a.bin", .image = image_v101});
  now += 100;
  const auto second = service.upload({.name = "b.bin", .image = image_v101});
  EXPECT_EQ(second.id, first.id);
  EXPECT_EQ(second.name, "a.bin");
  EXPECT_EQ(service.count(), 1u);
}

TEST_F(FirmwareServiceTest, ADifferentSignatureForASignedImageIsAConflict) {
  profiles.create("one", "One");
  profiles.create("two", "Two");
  service.upload({.image = image_v101, .sign_with_profile = "one"});
  try {
    service.upload({.image = image_v101, .sign_with_profile = "two"});
    FAIL();
  } catch (const FirmwareError& e) {
    EXPECT_EQ(e.kind(), FirmwareError::Kind::kConflict);
  }
}

TEST_F(FirmwareServiceTest, RefusesAnImageAboveTheSizeLimit) {
  FirmwareService small{files, profiles, catalog, [] { return 0; }, 4096};
  try {
    small.upload({.image = image_v101});
    FAIL();
  } catch (const FirmwareError& e) {
    EXPECT_EQ(e.kind(), FirmwareError::Kind::kTooLarge);
  }
}

TEST_F(FirmwareServiceTest, RemoveRefusesAnImageInUse) {
  const auto stored = service.upload({.image = image_v101});
  EXPECT_THROW(service.remove(stored.id, [](const std::string&) { return true; }), FirmwareError);
  service.remove(stored.id);
  EXPECT_FALSE(service.find(stored.id).has_value());
  EXPECT_FALSE(files.contains(stored.id));
}

}  // namespace
}  // namespace otter::firmware
