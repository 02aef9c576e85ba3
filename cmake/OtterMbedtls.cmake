# mbedTLS for device code, host and Cortex-M4 alike, compiled from Debian's own
# source package (scripts/fetch-mbedtls-source) with Otter's minimal config, so
# the host tests exercise exactly the configuration that ships: only SHA-256 and
# ECDSA P-256 verification, a static-buffer allocator and no malloc.
set(OTTER_CACHE_DIR "$ENV{HOME}/.cache/otter" CACHE PATH "Where install-deps keeps fetched Debian sources")
set(OTTER_MBEDTLS_SOURCE_DIR "${OTTER_CACHE_DIR}/mbedtls-src" CACHE PATH "mbedTLS source tree")
set(OTTER_MBEDTLS_CONFIG "${PROJECT_SOURCE_DIR}/device/image/mbedtls/otter_mbedtls_config.h"
    CACHE FILEPATH "mbedTLS config header used for device code")

if(NOT EXISTS "${OTTER_MBEDTLS_SOURCE_DIR}/library/sha256.c")
  message(FATAL_ERROR "mbedTLS source not found at ${OTTER_MBEDTLS_SOURCE_DIR}; run scripts/install-deps")
endif()

file(GLOB OTTER_MBEDTLS_SOURCES "${OTTER_MBEDTLS_SOURCE_DIR}/library/*.c")
add_library(otter_mbedcrypto STATIC ${OTTER_MBEDTLS_SOURCES})
target_include_directories(otter_mbedcrypto SYSTEM PUBLIC "${OTTER_MBEDTLS_SOURCE_DIR}/include")
target_compile_definitions(otter_mbedcrypto PUBLIC "MBEDTLS_CONFIG_FILE=\"${OTTER_MBEDTLS_CONFIG}\"")
target_compile_options(otter_mbedcrypto PRIVATE -w -ffunction-sections -fdata-sections)
set_target_properties(otter_mbedcrypto PROPERTIES C_STANDARD 99 POSITION_INDEPENDENT_CODE ON)
