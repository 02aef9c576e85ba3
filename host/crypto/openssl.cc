#include "otter/crypto/openssl.h"

#include <openssl/err.h>

namespace otter::crypto {

std::string openssl_errors() {
  std::string text;
  unsigned long code = 0;
  while ((code = ERR_get_error()) != 0) {
    char buf[256];
    ERR_error_string_n(code, buf, sizeof(buf));
    if (!text.empty()) text += "; ";
    text += buf;
  }
  return text;
}

void throw_openssl(const std::string& what) {
  const std::string errors = openssl_errors();
  throw CryptoError(errors.empty() ? what : what + ": " + errors);
}

}  // namespace otter::crypto
