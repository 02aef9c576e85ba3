#include <gtest/gtest.h>

#include <cstdio>
#include <vector>

#include "otter/crypto/signature.h"
#include "otter/image/crypto_heap.h"
#include "otter/image/image.h"
#include "otter/image/test_image.h"

namespace otter::image {
namespace {

class CryptoHeapTest : public ::testing::Test {
 protected:
  void TearDown() override { crypto_init(); }

  // Verifies with mbedTLS confined to a heap of `size` bytes.
  Status verify_with_heap(std::size_t size) {
    std::vector<std::uint8_t> heap(size);
    crypto_init(heap);
    const Status status = verify_digest(key, digest, signature);
    crypto_init();
    return status;
  }

  TestSigner signer;
  std::vector<std::uint8_t> image = make_test_image({.size = 4096});
  std::vector<std::uint8_t> signature = signer.sign(image);
  PublicKey key = signer.device_key();
  Digest digest = crypto::sha256(image);
};

TEST_F(CryptoHeapTest, BuiltInHeapVerifiesWithHeadroom) {
  std::size_t minimum = 0;
  for (std::size_t size = 256; size <= kCryptoHeapSize; size += 16) {
    if (verify_with_heap(size) == Status::kOk) {
      minimum = size;
      break;
    }
  }
  std::printf("crypto heap: smallest working buffer %zu bytes, built-in %zu bytes\n", minimum, kCryptoHeapSize);
  ASSERT_NE(minimum, 0u) << "P-256 verification does not fit in kCryptoHeapSize";
  // Headroom for allocator alignment differences between host and M4.
  EXPECT_LE(minimum + minimum / 8, kCryptoHeapSize);
}

TEST_F(CryptoHeapTest, ExhaustedHeapIsInternalErrorNotBadSignature) {
  EXPECT_EQ(verify_with_heap(512), Status::kInternal);
}

TEST_F(CryptoHeapTest, HeapIsReusableAfterExhaustion) {
  EXPECT_EQ(verify_with_heap(512), Status::kInternal);
  EXPECT_EQ(verify_digest(key, digest, signature), Status::kOk);
}

}  // namespace
}  // namespace otter::image
