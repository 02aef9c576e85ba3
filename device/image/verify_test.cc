#include <gtest/gtest.h>

#include <thread>
#include <vector>

#include "otter/crypto/keys.h"
#include "otter/crypto/signature.h"
#include "otter/image/image.h"
#include "otter/image/memory_flash.h"
#include "otter/image/test_image.h"

namespace otter::image {
namespace {

class VerifyTest : public ::testing::Test {
 protected:
  TestSigner signer;
  std::vector<std::uint8_t> image = make_test_image({.size = 20000, .version = {1, 0, 1}});
  std::vector<std::uint8_t> signature = signer.sign(image);
};

TEST_F(VerifyTest, Sha256OfAreaMatchesOpenSsl) {
  MemoryFlash flash(image);
  const auto digest = sha256_of(flash.whole(), static_cast<std::uint32_t>(image.size()));
  ASSERT_TRUE(digest.ok());
  EXPECT_EQ(*digest, crypto::sha256(image));
}

TEST_F(VerifyTest, Sha256OfPrefixHashesOnlyThePrefix) {
  MemoryFlash flash(image);
  for (const std::uint32_t size : {0u, 1u, 255u, 256u, 257u, 513u}) {
    const auto digest = sha256_of(flash.whole(), size);
    ASSERT_TRUE(digest.ok());
    EXPECT_EQ(*digest, crypto::sha256(std::span<const std::uint8_t>(image).first(size))) << size;
  }
}

TEST_F(VerifyTest, Sha256BeyondAreaIsOutOfRange) {
  MemoryFlash flash(image);
  EXPECT_EQ(sha256_of(flash.whole(), static_cast<std::uint32_t>(image.size() + 1)).status(), Status::kOutOfRange);
}

// Flash that fails every read at or beyond `bad_from`.
class FailingFlash : public MemoryFlash {
 public:
  FailingFlash(std::vector<std::uint8_t> bytes, std::uint32_t bad_from) : MemoryFlash(std::move(bytes)), bad_from_(bad_from) {}
  Status read(std::uint32_t address, std::span<std::uint8_t> out) override {
    if (address + out.size() > bad_from_) return Status::kIoError;
    return MemoryFlash::read(address, out);
  }

 private:
  std::uint32_t bad_from_;
};

TEST_F(VerifyTest, FlashReadErrorIsReportedNotHashedOver) {
  FailingFlash flash(image, 10000);
  EXPECT_EQ(sha256_of(flash.whole(), static_cast<std::uint32_t>(image.size())).status(), Status::kIoError);
  EXPECT_EQ(verify_image(flash.whole(), static_cast<std::uint32_t>(image.size()), signature, signer.device_key()),
            Status::kIoError);
}

TEST_F(VerifyTest, OpenSslSignatureVerifiesOnDevice) {
  MemoryFlash flash(image);
  Digest digest{};
  EXPECT_EQ(verify_image(flash.whole(), static_cast<std::uint32_t>(image.size()), signature, signer.device_key(), &digest),
            Status::kOk);
  EXPECT_EQ(digest, crypto::sha256(image));
}

TEST_F(VerifyTest, VerifyDigestAcceptsMatchingSignature) {
  EXPECT_EQ(verify_digest(signer.device_key(), crypto::sha256(image), signature), Status::kOk);
}

TEST_F(VerifyTest, WrongKeyIsBadSignature) {
  TestSigner other;
  EXPECT_EQ(verify_digest(other.device_key(), crypto::sha256(image), signature), Status::kBadSignature);
}

TEST_F(VerifyTest, SignatureOfAnotherImageIsBadSignature) {
  const auto other = make_test_image({.size = 20000, .version = {1, 0, 1}, .seed = 2});
  EXPECT_EQ(verify_digest(signer.device_key(), crypto::sha256(other), signature), Status::kBadSignature);
}

TEST_F(VerifyTest, MalformedDerIsMalformed) {
  auto broken = signature;
  broken[0] = 0x31;
  EXPECT_EQ(verify_digest(signer.device_key(), crypto::sha256(image), broken), Status::kMalformed);
  EXPECT_EQ(verify_digest(signer.device_key(), crypto::sha256(image), {}), Status::kMalformed);
}

TEST_F(VerifyTest, ZeroScalarsAreBadSignature) {
  const std::vector<std::uint8_t> zero{0x30, 0x06, 0x02, 0x01, 0x00, 0x02, 0x01, 0x00};
  EXPECT_EQ(verify_digest(signer.device_key(), crypto::sha256(image), zero), Status::kBadSignature);
}

TEST_F(VerifyTest, ScalarAboveGroupOrderIsBadSignature) {
  std::vector<std::uint8_t> big{0x30, 0x46, 0x02, 0x21, 0x00};
  big.insert(big.end(), 32, 0xFF);
  big.insert(big.end(), {0x02, 0x21, 0x00});
  big.insert(big.end(), 32, 0xFF);
  EXPECT_EQ(verify_digest(signer.device_key(), crypto::sha256(image), big), Status::kBadSignature);
}

TEST_F(VerifyTest, InvalidKeyPointIsBadKey) {
  PublicKey key = signer.device_key();
  key.point[64] ^= 1;
  EXPECT_EQ(verify_digest(key, crypto::sha256(image), signature), Status::kBadKey);
}

TEST_F(VerifyTest, ConcurrentVerificationsOnHostAreSerialized) {
  // The simulator verifies for many boards on threads; the global mbedTLS
  // allocator must not be corrupted by that.
  const PublicKey key = signer.device_key();
  const Digest digest = crypto::sha256(image);
  std::vector<std::thread> threads;
  std::vector<int> failures(4, 0);
  for (std::size_t t = 0; t < failures.size(); ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 5; ++i) {
        if (verify_digest(key, digest, signature) != Status::kOk) ++failures[t];
      }
    });
  }
  for (auto& thread : threads) thread.join();
  for (const int f : failures) EXPECT_EQ(f, 0);
}

}  // namespace
}  // namespace otter::image
