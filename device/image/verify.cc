// ECDSA P-256 verification with mbedTLS, all bignum memory from the static
// crypto heap (crypto_heap.h).
#include "crypto_session.h"
#include "der.h"
#include "mbedtls/ecdsa.h"
#include "otter/image/image.h"
#include "p256.h"

namespace otter::image {
namespace {

struct Scalars {
  Scalars() {
    mbedtls_mpi_init(&r);
    mbedtls_mpi_init(&s);
  }
  ~Scalars() {
    mbedtls_mpi_free(&r);
    mbedtls_mpi_free(&s);
  }
  mbedtls_mpi r;
  mbedtls_mpi s;
};

}  // namespace

Status verify_digest(const PublicKey& key, const Digest& digest, std::span<const std::uint8_t> der_signature) {
  OTTER_ASSIGN_OR_RETURN(const der::SignatureScalars sig, der::decode_signature(der_signature));
  CryptoSession session;
  P256Key q;
  OTTER_TRY(q.load(key));
  Scalars scalars;
  if (mbedtls_mpi_read_binary(&scalars.r, sig.r.data(), sig.r.size()) != 0 ||
      mbedtls_mpi_read_binary(&scalars.s, sig.s.data(), sig.s.size()) != 0) {
    return Status::kInternal;  // crypto heap exhausted
  }
  const int rc = mbedtls_ecdsa_verify(&q.group, digest.data(), digest.size(), &q.point, &scalars.r, &scalars.s);
  if (rc == 0) return Status::kOk;
  if (rc == MBEDTLS_ERR_MPI_ALLOC_FAILED) return Status::kInternal;
  return Status::kBadSignature;
}

Status verify_image(const flash::Partition& area, std::uint32_t size, std::span<const std::uint8_t> der_signature,
                    const PublicKey& key, Digest* digest_out) {
  OTTER_ASSIGN_OR_RETURN(const Digest digest, sha256_of(area, size));
  if (digest_out != nullptr) *digest_out = digest;
  return verify_digest(key, digest, der_signature);
}

}  // namespace otter::image
