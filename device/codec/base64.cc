#include "otter/codec/base64.h"

namespace otter::codec {

namespace {

constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

int value_of(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

}  // namespace

Result<std::size_t> base64_decoded_size(std::string_view text) {
  if (text.size() % 4 != 0) return Status::kMalformed;
  std::size_t size = text.size() / 4 * 3;
  if (!text.empty() && text.back() == '=') --size;
  if (text.size() >= 2 && text[text.size() - 2] == '=') --size;
  return size;
}

Result<std::size_t> base64_decode_range(std::string_view text, std::size_t offset, std::span<std::uint8_t> out) {
  OTTER_ASSIGN_OR_RETURN(const std::size_t total, base64_decoded_size(text));
  if (offset % 3 != 0 || offset > total || out.size() > total - offset) return Status::kOutOfRange;
  std::size_t produced = 0;
  for (std::size_t quad = offset / 3 * 4; produced < out.size(); quad += 4) {
    int v[4];
    int pad = 0;
    for (int k = 0; k < 4; ++k) {
      const char c = text[quad + static_cast<std::size_t>(k)];
      if (c == '=') {
        // Padding only in the last quad's last two places, and only trailing.
        if (quad + 4 != text.size() || k < 2) return Status::kMalformed;
        ++pad;
        v[k] = 0;
      } else {
        if (pad != 0) return Status::kMalformed;
        v[k] = value_of(c);
        if (v[k] < 0) return Status::kMalformed;
      }
    }
    const std::uint32_t bits = (static_cast<std::uint32_t>(v[0]) << 18) | (static_cast<std::uint32_t>(v[1]) << 12) |
                               (static_cast<std::uint32_t>(v[2]) << 6) | static_cast<std::uint32_t>(v[3]);
    // Non-canonical encodings (stray bits under the padding) are refused.
    if ((pad == 1 && (bits & 0xFF) != 0) || (pad == 2 && (bits & 0xFFFF) != 0)) return Status::kMalformed;
    const std::uint8_t bytes[3] = {static_cast<std::uint8_t>(bits >> 16), static_cast<std::uint8_t>(bits >> 8),
                                   static_cast<std::uint8_t>(bits)};
    for (int k = 0; k < 3 - pad && produced < out.size(); ++k) out[produced++] = bytes[k];
  }
  return produced;
}

Result<std::size_t> base64_decode(std::string_view text, std::span<std::uint8_t> out) {
  OTTER_ASSIGN_OR_RETURN(const std::size_t total, base64_decoded_size(text));
  if (total > out.size()) return Status::kBufferTooSmall;
  // Validate every quad, including the padding of the last one.
  return base64_decode_range(text, 0, out.first(total));
}

Result<std::size_t> base64_encode(std::span<const std::uint8_t> data, std::span<char> out) {
  if (out.size() < base64_encoded_size(data.size())) return Status::kBufferTooSmall;
  std::size_t pos = 0;
  for (std::size_t i = 0; i < data.size(); i += 3) {
    const std::size_t left = data.size() - i;
    std::uint32_t bits = static_cast<std::uint32_t>(data[i]) << 16;
    if (left > 1) bits |= static_cast<std::uint32_t>(data[i + 1]) << 8;
    if (left > 2) bits |= data[i + 2];
    out[pos++] = kAlphabet[(bits >> 18) & 0x3F];
    out[pos++] = kAlphabet[(bits >> 12) & 0x3F];
    out[pos++] = left > 1 ? kAlphabet[(bits >> 6) & 0x3F] : '=';
    out[pos++] = left > 2 ? kAlphabet[bits & 0x3F] : '=';
  }
  return pos;
}

}  // namespace otter::codec
