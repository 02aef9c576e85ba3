// A P-256 public key loaded into mbedTLS structures. Use inside a
// CryptoSession: the group and point live on the crypto heap.
#pragma once

#include "mbedtls/ecp.h"
#include "otter/image/image.h"

namespace otter::image {

struct P256Key {
  P256Key() {
    mbedtls_ecp_group_init(&group);
    mbedtls_ecp_point_init(&point);
  }
  ~P256Key() {
    mbedtls_ecp_point_free(&point);
    mbedtls_ecp_group_free(&group);
  }
  P256Key(const P256Key&) = delete;
  P256Key& operator=(const P256Key&) = delete;

  // kBadKey when the point is not on the curve; kInternal when the crypto
  // heap is exhausted.
  Status load(const PublicKey& key) {
    if (mbedtls_ecp_group_load(&group, MBEDTLS_ECP_DP_SECP256R1) != 0) return Status::kInternal;
    const int rc = mbedtls_ecp_point_read_binary(&group, &point, key.point.data(), key.point.size());
    if (rc == MBEDTLS_ERR_MPI_ALLOC_FAILED) return Status::kInternal;
    if (rc != 0) return Status::kBadKey;
    const int check = mbedtls_ecp_check_pubkey(&group, &point);
    if (check == MBEDTLS_ERR_MPI_ALLOC_FAILED) return Status::kInternal;
    return check == 0 ? Status::kOk : Status::kBadKey;
  }

  mbedtls_ecp_group group;
  mbedtls_ecp_point point;
};

}  // namespace otter::image
