// The memory mbedTLS works in. mbedTLS's bignum code allocates; Otter builds it
// with MBEDTLS_PLATFORM_CALLOC_MACRO/FREE_MACRO pointing at a small first-fit
// allocator over one static buffer (crypto_heap.cc), never at malloc. That
// allocator is global state:
//  - On a device, verification must not run concurrently from two threads or
//    from an interrupt (the agent and the bootloader verify one image at a
//    time, so this holds by construction).
//  - Host builds (simulator with many boards in one process) serialize every
//    use of mbedTLS with a process-wide mutex inside this module.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

namespace otter::image {

// Size of the built-in buffer. The smallest buffer that verifies measures
// 2,208 B on Cortex-M4 (image_verify_on_cortex_m4, QEMU) and 2,304 B on 64-bit
// hosts (crypto_heap_test); both tests require 1/8 headroom, the sizes leave
// about 1/3. Figures in docs/image-format.md.
inline constexpr std::size_t kCryptoHeapSize = sizeof(void*) == 4 ? 3072 : 3584;

// Points mbedTLS at the built-in static buffer (again). Verification and key
// parsing do this on first use, so calling it is optional; not to be called
// while a verification runs.
void crypto_init();

// Points mbedTLS at a caller-owned buffer instead (e.g. placed in a particular
// RAM bank). The buffer must outlive every later verification. Not to be
// called while a verification runs.
void crypto_init(std::span<std::uint8_t> heap);

}  // namespace otter::image
