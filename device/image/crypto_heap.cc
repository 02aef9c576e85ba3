#include "otter/image/crypto_heap.h"

#include <cstring>

#include "crypto_session.h"
#include "mbedtls/platform.h"

#if defined(OTTER_IMAGE_THREADSAFE)
#include <mutex>
#endif

// mbedTLS's own MBEDTLS_MEMORY_BUFFER_ALLOC_C costs about 800 bytes of flash
// and 32-byte block headers; verification needs only a first-fit list: it
// holds a few dozen small blocks at a time (bignum limbs, points) and frees
// them all before it returns.

namespace otter::image {
namespace {

// Blocks lie end to end, each behind an 8-byte header (payloads stay 8-byte
// aligned for 64-bit limbs on hosts) whose first word is the block's size,
// header included, with bit 0 set while in use. Free neighbours are merged
// when an allocation walks over them.
constexpr std::size_t kAlign = 8;
constexpr std::size_t kHeader = 8;
constexpr std::uint32_t kUsed = 1;

alignas(kAlign) std::uint8_t g_heap[kCryptoHeapSize];
std::uint8_t* g_base = nullptr;
std::size_t g_size = 0;  // multiple of kAlign
std::size_t g_first_free = 0;  // every block before this offset is in use
bool g_initialized = false;

std::uint32_t word_at(std::size_t offset) {
  std::uint32_t w;
  std::memcpy(&w, g_base + offset, sizeof w);
  return w;
}
void set_word(std::size_t offset, std::uint32_t w) { std::memcpy(g_base + offset, &w, sizeof w); }

#if defined(OTTER_IMAGE_THREADSAFE)
std::mutex g_mutex;  // a namespace-scope object: no threadsafe-statics needed
void lock() { g_mutex.lock(); }
void unlock() { g_mutex.unlock(); }
#else
void lock() {}
void unlock() {}
#endif

void init_locked(std::span<std::uint8_t> heap) {
  const auto start = reinterpret_cast<std::uintptr_t>(heap.data());
  const std::size_t skip = (kAlign - start % kAlign) % kAlign;
  g_base = heap.data() + skip;
  g_size = heap.size() > skip ? (heap.size() - skip) / kAlign * kAlign : 0;
  if (g_size > UINT32_MAX - kAlign) g_size = (UINT32_MAX - kAlign) / kAlign * kAlign;  // sizes are 32-bit words
  if (g_size < kHeader + kAlign) g_size = 0;
  if (g_size != 0) set_word(0, static_cast<std::uint32_t>(g_size));  // one free block
  g_first_free = 0;
  g_initialized = true;
}

}  // namespace

void crypto_init() {
  lock();
  init_locked(g_heap);
  unlock();
}

void crypto_init(std::span<std::uint8_t> heap) {
  lock();
  init_locked(heap);
  unlock();
}

CryptoSession::CryptoSession() {
  lock();
  if (!g_initialized) init_locked(g_heap);
}

CryptoSession::~CryptoSession() { unlock(); }

}  // namespace otter::image

using otter::image::g_base;
using otter::image::g_first_free;
using otter::image::g_size;
using otter::image::kAlign;
using otter::image::kHeader;
using otter::image::kUsed;
using otter::image::set_word;
using otter::image::word_at;

// mbedtls_calloc / mbedtls_free (MBEDTLS_PLATFORM_*_MACRO in the config):
// only called inside a CryptoSession.
extern "C" void* otter_crypto_calloc(std::size_t count, std::size_t size) {
  if (count == 0 || size == 0 || size > g_size / count) return nullptr;
  const std::size_t need = (count * size + kAlign - 1) / kAlign * kAlign + kHeader;
  for (std::size_t at = g_first_free; at < g_size; at += word_at(at) & ~kUsed) {
    std::uint32_t block = word_at(at);
    if ((block & kUsed) != 0) continue;
    for (std::size_t next = at + block; next < g_size && (word_at(next) & kUsed) == 0; next = at + block) {
      block += word_at(next);
      set_word(at, block);
    }
    if (block < need) continue;
    if (block - need >= kHeader + kAlign) {  // split off the rest as a free block
      set_word(at + need, static_cast<std::uint32_t>(block - need));
      block = static_cast<std::uint32_t>(need);
    }
    set_word(at, block | kUsed);
    if (at == g_first_free) g_first_free = at + block;
    std::memset(g_base + at + kHeader, 0, block - kHeader);
    return g_base + at + kHeader;
  }
  return nullptr;
}

extern "C" void otter_crypto_free(void* pointer) {
  auto* p = static_cast<std::uint8_t*>(pointer);
  if (p == nullptr || p < g_base + kHeader || p >= g_base + g_size) return;  // not ours
  const std::size_t at = static_cast<std::size_t>(p - g_base) - kHeader;
  set_word(at, word_at(at) & ~kUsed);
  if (at < g_first_free) g_first_free = at;
}
