// SHA-256 of a flash area, read back through a small fixed buffer: blocks of
// an update arrive in any order, so the digest is computed once the staging
// bank is complete.
#include "mbedtls/sha256.h"
#include "otter/image/image.h"

namespace otter::image {
namespace {

constexpr std::uint32_t kChunkSize = 256;

// Clears the hash state however the function returns.
struct Sha256 {
  Sha256() { mbedtls_sha256_init(&ctx); }
  ~Sha256() { mbedtls_sha256_free(&ctx); }
  mbedtls_sha256_context ctx;
};

}  // namespace

Result<Digest> sha256_of(const flash::Partition& area, std::uint32_t size) {
  if (size > area.size()) return Status::kOutOfRange;
  Sha256 sha;
  if (mbedtls_sha256_starts_ret(&sha.ctx, 0) != 0) return Status::kInternal;
  std::uint8_t chunk[kChunkSize];
  for (std::uint32_t offset = 0; offset < size;) {
    const std::uint32_t n = size - offset < kChunkSize ? size - offset : kChunkSize;
    OTTER_TRY(area.read(offset, std::span<std::uint8_t>(chunk, n)));
    if (mbedtls_sha256_update_ret(&sha.ctx, chunk, n) != 0) return Status::kInternal;
    offset += n;
  }
  Digest digest;
  if (mbedtls_sha256_finish_ret(&sha.ctx, digest.data()) != 0) return Status::kInternal;
  return digest;
}

}  // namespace otter::image
