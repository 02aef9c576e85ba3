#include "otter/image/verification.h"

#include <gtest/gtest.h>

#include "otter/crypto/keys.h"
#include "otter/crypto/signature.h"
#include "otter/image/test_image.h"

namespace otter::image {
namespace {

std::span<const std::uint8_t> bytes_of(const std::string& s) {
  return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

class VerificationTest : public ::testing::Test {
 protected:
  Verification verify(std::optional<SigningRecord> record = std::nullopt) {
    VerifyRequest request;
    request.image = image;
    request.signature_der = signature;
    request.key_pem_or_der = bytes_of(cert);
    request.expected_hardware_id = board;
    request.record = record;
    return verify_signed_image(request);
  }
  SigningRecord record_of(const std::vector<std::uint8_t>& signed_image, const TestSigner& by) {
    return {crypto::to_hex(crypto::sha256(signed_image)), signed_image.size(),
            crypto::to_hex(crypto::key_fingerprint(by.key()))};
  }

  TestSigner signer;
  std::vector<std::uint8_t> image = make_test_image({.size = 8192, .version = {1, 0, 1}});
  std::vector<std::uint8_t> signature = signer.sign(image);
  std::string cert = signer.certificate_pem();
  std::optional<std::uint32_t> board;
};

TEST_F(VerificationTest, SignedImageIsValid) {
  const auto v = verify();
  EXPECT_EQ(v.verdict, Verdict::kValid) << v.message;
  EXPECT_EQ(v.digest, crypto::sha256(image));
  ASSERT_TRUE(v.descriptor);
  EXPECT_EQ(v.descriptor->version, (Version{1, 0, 1}));
}

TEST_F(VerificationTest, FingerprintMatchesOpenSsl) {
  EXPECT_EQ(verify().key_fingerprint, crypto::to_hex(crypto::key_fingerprint(signer.key())));
}

TEST_F(VerificationTest, BareSignatureWithOtherKeyIsBadSignature) {
  TestSigner other;
  cert = other.certificate_pem();
  EXPECT_EQ(verify().verdict, Verdict::kBadSignature);
}

TEST_F(VerificationTest, RecordedSignerTellsWrongKey) {
  TestSigner other;
  const auto record = record_of(image, signer);
  cert = other.certificate_pem();
  const auto v = verify(record);
  EXPECT_EQ(v.verdict, Verdict::kWrongKey);
  EXPECT_NE(v.message.find("wrong key"), std::string::npos);
}

TEST_F(VerificationTest, RecordedDigestTellsOtherFile) {
  const auto other = make_test_image({.size = 8192, .version = {1, 0, 1}, .seed = 9});
  const auto record = record_of(other, signer);
  signature = signer.sign(other);
  const auto v = verify(record);
  EXPECT_EQ(v.verdict, Verdict::kOtherFile);
  EXPECT_NE(v.message.find("another file"), std::string::npos);
}

TEST_F(VerificationTest, TruncatedImageIsReportedAsTruncated) {
  image.pop_back();
  EXPECT_EQ(verify().verdict, Verdict::kTruncated);
}

TEST_F(VerificationTest, ExtendedImageIsReportedAsExtended) {
  image.push_back(0xFF);
  EXPECT_EQ(verify().verdict, Verdict::kExtended);
}

TEST_F(VerificationTest, BoardMismatchIsReported) {
  board = kHardwareNumakerM2354;
  const auto v = verify();
  EXPECT_EQ(v.verdict, Verdict::kWrongBoard);
  EXPECT_NE(v.message.find("numaker-iot-m487"), std::string::npos);
  EXPECT_NE(v.message.find("numaker-m2354"), std::string::npos);
}

TEST_F(VerificationTest, MatchingBoardIsValid) {
  board = kHardwareNumakerIotM487;
  EXPECT_EQ(verify().verdict, Verdict::kValid);
}

TEST_F(VerificationTest, MissingDescriptorIsReported) {
  std::fill_n(image.begin() + kDescriptorOffset, 4, 0xFF);
  signature = signer.sign(image);
  EXPECT_EQ(verify().verdict, Verdict::kNoDescriptor);
}

TEST_F(VerificationTest, CorruptDescriptorIsReported) {
  image[kDescriptorOffset + 10] ^= 1;
  signature = signer.sign(image);
  EXPECT_EQ(verify().verdict, Verdict::kDescriptorCorrupt);
}

TEST_F(VerificationTest, RawImageWithoutDescriptorVerifiesWhenAllowed) {
  std::fill_n(image.begin() + kDescriptorOffset, 4, 0xFF);
  signature = signer.sign(image);
  VerifyRequest request{image, signature, bytes_of(cert), std::nullopt, std::nullopt, false};
  EXPECT_EQ(verify_signed_image(request).verdict, Verdict::kValid);
}

TEST_F(VerificationTest, MalformedSignatureIsAnInputError) {
  signature.resize(signature.size() - 1);
  const auto v = verify();
  EXPECT_EQ(v.verdict, Verdict::kSignatureMalformed);
  EXPECT_TRUE(v.input_error());
}

TEST_F(VerificationTest, UnusableKeyIsAnInputError) {
  cert = "-----BEGIN CERTIFICATE-----\nnot base64!\n-----END CERTIFICATE-----\n";
  const auto v = verify();
  EXPECT_EQ(v.verdict, Verdict::kKeyUnusable);
  EXPECT_TRUE(v.input_error());
}

}  // namespace
}  // namespace otter::image
