#include "otter/codec/base64.h"

namespace otter::codec {

namespace {

constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

int value_of(char c) {
  if (c >= 'a') return c <= 'z' ? c - 'a' + 26 : -1;
  if (c >= 'A') return c <= 'Z' ? c - 'A' : -1;
  if (c >= '0') return c <= '9' ? c - '0' + 52 : -1;
  return c == '+' ? 62 : c == '/' ? 63 : -1;
}

// The number of '=' that end the text (at most two count as padding).
std::size_t padding(std::string_view text) {
  std::size_t pad = 0;
  while (pad < 2 && pad < text.size() && text[text.size() - 1 - pad] == '=') ++pad;
  return pad;
}

// Decodes from character `start` (the first of a quad) until `out` is full,
// `text` ending in `pad` padding characters.
Result<std::size_t> decode_quads(std::string_view text, std::size_t pad, std::size_t start, std::span<std::uint8_t> out) {
  // Padding is only the trailing '=' (any other '=' is outside the alphabet);
  // it decodes as zero bits, which must also be the bits it hides
  // (non-canonical encodings are refused).
  const std::size_t data_end = text.size() - pad;
  std::size_t produced = 0;
  std::uint32_t bits = 0;
  unsigned held = 0;  // decoded bits not yet output
  // Whole quads only, so every character of the last quad is checked.
  std::size_t i = start;
  for (; produced < out.size() || i % 4 != 0; ++i) {
    const int v = i < data_end ? value_of(text[i]) : 0;
    if (v < 0) return Status::kMalformed;
    bits = (bits << 6) | static_cast<std::uint32_t>(v);
    held += 6;
    if (held < 8) continue;
    held -= 8;
    if (produced < out.size()) out[produced++] = static_cast<std::uint8_t>(bits >> held);
  }
  if (i == text.size() && (bits & ((1U << (8 * pad)) - 1)) != 0) return Status::kMalformed;
  return produced;
}

}  // namespace

Result<std::size_t> base64_decoded_size(std::string_view text) {
  if (text.size() % 4 != 0) return Status::kMalformed;
  return text.size() / 4 * 3 - padding(text);
}

Result<std::size_t> base64_decode_range(std::string_view text, std::size_t offset, std::span<std::uint8_t> out) {
  OTTER_ASSIGN_OR_RETURN(const std::size_t total, base64_decoded_size(text));
  if (offset % 3 != 0 || offset > total || out.size() > total - offset) return Status::kOutOfRange;
  return decode_quads(text, text.size() / 4 * 3 - total, offset / 3 * 4, out);
}

Result<std::size_t> base64_decode(std::string_view text, std::span<std::uint8_t> out) {
  OTTER_ASSIGN_OR_RETURN(const std::size_t total, base64_decoded_size(text));
  if (total > out.size()) return Status::kBufferTooSmall;
  // Validate every quad, including the padding of the last one.
  return decode_quads(text, text.size() / 4 * 3 - total, 0, out.first(total));
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
