#include "otter/image/bundle.h"

#include <gtest/gtest.h>

#include "otter/crypto/keys.h"
#include "otter/crypto/signature.h"
#include "otter/image/image_file.h"
#include "otter/image/test_image.h"

namespace otter::image {
namespace {

Bundle sample(const TestSigner& signer) {
  Bundle b;
  b.file_name = "fw_v1.0.1.bin";
  b.image = make_test_image({.size = 4096});
  b.signature = signer.sign(b.image);
  b.key_fingerprint = crypto::to_hex(crypto::key_fingerprint(signer.key()));
  b.certificate_pem = signer.certificate_pem();
  return b;
}

TEST(Bundle, RoundTrips) {
  TestSigner signer;
  const Bundle b = sample(signer);
  const auto bytes = encode_bundle(b);
  ASSERT_TRUE(is_bundle(bytes));
  const Bundle back = decode_bundle(bytes);
  EXPECT_EQ(back.file_name, b.file_name);
  EXPECT_EQ(back.image, b.image);
  EXPECT_EQ(back.signature, b.signature);
  EXPECT_EQ(back.key_fingerprint, b.key_fingerprint);
  EXPECT_EQ(back.certificate_pem, b.certificate_pem);
  EXPECT_EQ(back.image_sha256, crypto::to_hex(crypto::sha256(b.image)));
}

TEST(Bundle, TruncatedPayloadIsReported) {
  TestSigner signer;
  auto bytes = encode_bundle(sample(signer));
  bytes.pop_back();
  EXPECT_THROW(decode_bundle(bytes), ImageFileError);
}

TEST(Bundle, TruncatedManifestIsReported) {
  TestSigner signer;
  auto bytes = encode_bundle(sample(signer));
  bytes.resize(20);
  EXPECT_THROW(decode_bundle(bytes), ImageFileError);
}

TEST(Bundle, CorruptManifestIsReported) {
  TestSigner signer;
  auto bytes = encode_bundle(sample(signer));
  bytes[12] = '[';
  EXPECT_THROW(decode_bundle(bytes), ImageFileError);
}

TEST(Bundle, PlainImageIsNotABundle) { EXPECT_FALSE(is_bundle(make_test_image({.size = 4096}))); }

}  // namespace
}  // namespace otter::image
