// mbedTLS 2.28 configuration for Otter device code: SHA-256 and ECDSA P-256
// signature verification only. Memory comes from a static buffer through
// Otter's allocator (device/image/crypto_heap.cc), never from malloc.
#ifndef OTTER_MBEDTLS_CONFIG_H
#define OTTER_MBEDTLS_CONFIG_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif
void* otter_crypto_calloc(size_t count, size_t size);
void otter_crypto_free(void* pointer);
#ifdef __cplusplus
}
#endif

#define MBEDTLS_PLATFORM_C
#define MBEDTLS_PLATFORM_MEMORY
#define MBEDTLS_PLATFORM_NO_STD_FUNCTIONS
#define MBEDTLS_PLATFORM_CALLOC_MACRO otter_crypto_calloc
#define MBEDTLS_PLATFORM_FREE_MACRO otter_crypto_free

#define MBEDTLS_SHA256_C
#define MBEDTLS_SHA256_SMALLER

// Inline assembly multiply-accumulate (UMAAL on Cortex-M4): smaller and faster
// than the unrolled C loops.
#define MBEDTLS_HAVE_ASM
// Bignum division by a limb without 64-by-64-bit division: keeps libgcc's
// __udivmoddi4 (about 750 bytes) out of the image.
#define MBEDTLS_NO_UDBL_DIVISION
#define MBEDTLS_BIGNUM_C
#define MBEDTLS_ECP_C
#define MBEDTLS_ECP_DP_SECP256R1_ENABLED
#define MBEDTLS_ECP_WINDOW_SIZE 2
#define MBEDTLS_ECP_FIXED_POINT_OPTIM 0
// Verification handles no secrets, so no blinding RNG is needed.
#define MBEDTLS_ECP_NO_INTERNAL_RNG
#define MBEDTLS_ECDSA_C
#define MBEDTLS_ASN1_PARSE_C
#define MBEDTLS_ASN1_WRITE_C  // required by ECDSA_C; unused by verify, removed by --gc-sections

#include "mbedtls/check_config.h"

#endif
