#include "otter/image/signature_file.h"

#include <algorithm>
#include <string_view>

#include "otter/crypto/signature.h"
#include "otter/image/image_file.h"

namespace otter::image {
namespace {

bool is_base64_text(std::uint8_t c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' || c == '/' ||
         c == '=' || c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

}  // namespace

SignatureFile load_signature(std::span<const std::uint8_t> bytes) {
  SignatureFile file;
  if (bytes.empty()) throw ImageFileError("signature file is empty");
  if (is_bundle(bytes)) {
    file.bundle = decode_bundle(bytes);
    file.der = file.bundle->signature;
    return file;
  }
  // A DER signature starts with SEQUENCE (0x30) and, having random r and s,
  // practically always holds bytes outside the base64 alphabet.
  const bool text = std::all_of(bytes.begin(), bytes.end(), is_base64_text);
  if (!text && bytes[0] == 0x30) {
    file.der.assign(bytes.begin(), bytes.end());
    return file;
  }
  try {
    file.der = crypto::decode_base64(std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()));
  } catch (const crypto::CryptoError& e) {
    throw ImageFileError(std::string("signature is neither DER nor valid base64: ") + e.what());
  }
  return file;
}

}  // namespace otter::image
