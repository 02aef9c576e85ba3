#include "otter/image/crypto_heap.h"

#include "crypto_session.h"
#include "mbedtls/memory_buffer_alloc.h"

#if defined(OTTER_IMAGE_THREADSAFE)
#include <mutex>
#endif

namespace otter::image {
namespace {

alignas(8) std::uint8_t g_heap[kCryptoHeapSize];
bool g_initialized = false;

#if defined(OTTER_IMAGE_THREADSAFE)
std::mutex g_mutex;  // a namespace-scope object: no threadsafe-statics needed
void lock() { g_mutex.lock(); }
void unlock() { g_mutex.unlock(); }
#else
void lock() {}
void unlock() {}
#endif

void init_locked(std::span<std::uint8_t> heap) {
  mbedtls_memory_buffer_alloc_init(heap.data(), heap.size());
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
