// mbedTLS 2.28 configuration for Otter device code: SHA-256 and ECDSA P-256
// signature verification only. Memory comes from a static buffer
// (MBEDTLS_MEMORY_BUFFER_ALLOC_C), never from malloc.
#ifndef OTTER_MBEDTLS_CONFIG_H
#define OTTER_MBEDTLS_CONFIG_H

#define MBEDTLS_PLATFORM_C
#define MBEDTLS_PLATFORM_MEMORY
#define MBEDTLS_PLATFORM_NO_STD_FUNCTIONS
#define MBEDTLS_MEMORY_BUFFER_ALLOC_C

#define MBEDTLS_SHA256_C
#define MBEDTLS_SHA256_SMALLER

// Inline assembly multiply-accumulate (UMAAL on Cortex-M4): smaller and faster
// than the unrolled C loops.
#define MBEDTLS_HAVE_ASM
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
