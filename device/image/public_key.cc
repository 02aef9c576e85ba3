// The code-verification key provisioned on a device: PEM or DER, either a
// SubjectPublicKeyInfo or an X.509 certificate (AWS's "Code_Verify_Key").
#include <algorithm>
#include <string_view>

#include "crypto_session.h"
#include "der.h"
#include "otter/codec/base64.h"
#include "otter/image/image.h"
#include "p256.h"

namespace otter::image {
namespace {

// Room for the DER of a PEM certificate, on the stack: `otter keygen`
// certificates are about 400 B, typical CA-issued code-signing certificates
// under 1 KiB.
constexpr std::size_t kMaxDerSize = 1536;

bool is_space(std::uint8_t c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == 0; }

// PEM bodies may break lines anywhere: decode quad by quad, skipping
// whitespace, with the strict decoder (padding only in the final quad).
Result<std::size_t> decode_pem_base64(std::string_view body, std::span<std::uint8_t> out) {
  char quad[4];
  std::size_t filled = 0;
  std::size_t written = 0;
  bool padded = false;
  for (const char c : body) {
    if (is_space(static_cast<std::uint8_t>(c))) continue;
    if (padded) return Status::kMalformed;  // data after the padded final quad
    quad[filled++] = c;
    if (filled < 4) continue;
    filled = 0;
    OTTER_ASSIGN_OR_RETURN(const std::size_t n, codec::base64_decode({quad, 4}, out.subspan(written)));
    written += n;
    padded = quad[3] == '=';
  }
  if (filled != 0) return Status::kMalformed;  // missing padding
  return written;
}

std::string_view as_text(std::span<const std::uint8_t> bytes) {
  return {reinterpret_cast<const char*>(bytes.data()), bytes.size()};
}

// text[from, to) without std::string_view::substr, which may throw.
std::string_view slice(std::string_view text, std::size_t from, std::size_t to) {
  return {text.data() + from, to - from};
}

// The base64 body of the first "-----BEGIN <label>-----" block whose label is
// CERTIFICATE or PUBLIC KEY.
Result<std::string_view> pem_body(std::string_view text) {
  constexpr std::string_view kBegin = "-----BEGIN ";
  constexpr std::string_view kEnd = "-----END ";
  constexpr std::string_view kDashes = "-----";
  const std::size_t begin = text.find(kBegin);
  if (begin == std::string_view::npos) return Status::kMalformed;
  const std::size_t label_start = begin + kBegin.size();
  const std::size_t label_end = text.find(kDashes, label_start);
  if (label_end == std::string_view::npos) return Status::kMalformed;
  const std::string_view label = slice(text, label_start, label_end);
  if (label != "CERTIFICATE" && label != "PUBLIC KEY") return Status::kUnsupported;
  const std::size_t body_start = label_end + kDashes.size();
  const std::size_t end = text.find(kEnd, body_start);
  if (end == std::string_view::npos) return Status::kMalformed;
  // The END line must name the same label.
  const std::size_t end_label = end + kEnd.size();
  if (text.size() - end_label < label.size() + kDashes.size() ||
      slice(text, end_label, end_label + label.size()) != label ||
      slice(text, end_label + label.size(), end_label + label.size() + kDashes.size()) != kDashes) {
    return Status::kMalformed;
  }
  return slice(text, body_start, end);
}

Status check_on_curve(const PublicKey& key) {
  CryptoSession session;
  P256Key loaded;
  return loaded.load(key);
}

}  // namespace

Result<PublicKey> parse_public_key(std::span<const std::uint8_t> pem_or_der) {
  const auto first = std::find_if_not(pem_or_der.begin(), pem_or_der.end(), is_space);
  if (first == pem_or_der.end()) return Status::kMalformed;
  if (*first == der::kSequence) {
    OTTER_ASSIGN_OR_RETURN(const PublicKey key, der::extract_public_key(pem_or_der));
    OTTER_TRY(check_on_curve(key));
    return key;
  }
  OTTER_ASSIGN_OR_RETURN(const std::string_view body, pem_body(as_text(pem_or_der)));
  std::uint8_t der_bytes[kMaxDerSize];
  OTTER_ASSIGN_OR_RETURN(const std::size_t size, decode_pem_base64(body, der_bytes));
  OTTER_ASSIGN_OR_RETURN(const PublicKey key, der::extract_public_key(std::span<const std::uint8_t>(der_bytes, size)));
  OTTER_TRY(check_on_curve(key));
  return key;
}

}  // namespace otter::image
