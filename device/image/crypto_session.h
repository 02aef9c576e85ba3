// Held around every use of mbedTLS: makes sure the static-buffer allocator is
// set up and, on host builds, serializes callers (the allocator is global).
#pragma once

namespace otter::image {

class CryptoSession {
 public:
  CryptoSession();
  ~CryptoSession();
  CryptoSession(const CryptoSession&) = delete;
  CryptoSession& operator=(const CryptoSession&) = delete;
};

}  // namespace otter::image
