#include "otter/crypto/signature.h"

#include <openssl/err.h>

#include "otter/crypto/keys.h"

namespace otter::crypto {

std::array<std::uint8_t, 32> sha256(std::span<const std::uint8_t> data) {
  std::array<std::uint8_t, 32> digest{};
  unsigned int n = 0;
  if (EVP_Digest(data.data(), data.size(), digest.data(), &n, EVP_sha256(), nullptr) != 1) {
    throw_openssl("SHA-256 failed");
  }
  return digest;
}

std::vector<std::uint8_t> sign_sha256(const PKey& key, std::span<const std::uint8_t> data) {
  require_p256(key, "signing key");
  MdCtx ctx(EVP_MD_CTX_new());
  std::size_t size = 0;
  if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key.get()) != 1 ||
      EVP_DigestSign(ctx.get(), nullptr, &size, data.data(), data.size()) != 1) {
    throw_openssl("cannot sign (is the key a private key?)");
  }
  std::vector<std::uint8_t> der(size);
  if (EVP_DigestSign(ctx.get(), der.data(), &size, data.data(), data.size()) != 1) throw_openssl("signing failed");
  der.resize(size);
  return der;
}

bool verify_sha256(const PKey& key, std::span<const std::uint8_t> data, std::span<const std::uint8_t> der_signature) {
  MdCtx ctx(EVP_MD_CTX_new());
  if (!ctx || EVP_DigestVerifyInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key.get()) != 1) {
    throw_openssl("cannot start verification");
  }
  const int rc = EVP_DigestVerify(ctx.get(), der_signature.data(), der_signature.size(), data.data(), data.size());
  ERR_clear_error();
  return rc == 1;
}

std::string encode_base64(std::span<const std::uint8_t> data) {
  std::string text((data.size() + 2) / 3 * 4 + 1, '\0');
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(text.data()), data.data(), static_cast<int>(data.size()));
  text.resize(static_cast<std::size_t>(n));
  return text;
}

std::vector<std::uint8_t> decode_base64(std::string_view text) {
  auto value = [](char c) -> int {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
  };
  std::vector<std::uint8_t> out;
  std::uint32_t quantum = 0;
  std::size_t sextets = 0;
  std::size_t pads = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n') continue;
    const std::string where = " at character " + std::to_string(i + 1);
    if (c == '=') {
      if (sextets < 2 || sextets + pads >= 4) throw CryptoError("malformed base64: misplaced '='" + where);
      ++pads;
      continue;
    }
    const int v = value(c);
    if (v < 0) {
      const bool printable = c > 32 && c < 127;
      throw CryptoError("malformed base64: invalid character " +
                        (printable ? "'" + std::string(1, c) + "'" : "0x" + to_hex({reinterpret_cast<const std::uint8_t*>(&c), 1})) + where);
    }
    if (pads != 0) throw CryptoError("malformed base64: data after '=' padding" + where);
    quantum = quantum << 6 | static_cast<std::uint32_t>(v);
    if (++sextets == 4) {
      out.push_back(static_cast<std::uint8_t>(quantum >> 16));
      out.push_back(static_cast<std::uint8_t>(quantum >> 8));
      out.push_back(static_cast<std::uint8_t>(quantum));
      quantum = 0;
      sextets = 0;
    }
  }
  if (sextets != 0) {
    if (sextets + pads != 4) throw CryptoError("malformed base64: length is not a multiple of 4 (truncated?)");
    const std::uint32_t bits = quantum << (6 * pads);
    if ((bits & (sextets == 2 ? 0xFFFFu : 0xFFu)) != 0) {
      throw CryptoError("malformed base64: non-canonical final group (unused bits are not zero)");
    }
    out.push_back(static_cast<std::uint8_t>(bits >> 16));
    if (sextets == 3) out.push_back(static_cast<std::uint8_t>(bits >> 8));
  }
  if (out.empty()) throw CryptoError("malformed base64: empty");
  return out;
}

std::string to_hex(std::span<const std::uint8_t> data) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string text;
  text.reserve(data.size() * 2);
  for (const std::uint8_t b : data) {
    text += kDigits[b >> 4];
    text += kDigits[b & 0xF];
  }
  return text;
}

}  // namespace otter::crypto
