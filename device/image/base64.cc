#include "otter/image/base64.h"

namespace otter::image {
namespace {

constexpr std::uint8_t kInvalid = 0xFF;
constexpr std::uint8_t kPad = 0xFE;
constexpr std::uint8_t kSpace = 0xFD;

std::uint8_t classify(char c) {
  if (c >= 'A' && c <= 'Z') return static_cast<std::uint8_t>(c - 'A');
  if (c >= 'a' && c <= 'z') return static_cast<std::uint8_t>(c - 'a' + 26);
  if (c >= '0' && c <= '9') return static_cast<std::uint8_t>(c - '0' + 52);
  if (c == '+') return 62;
  if (c == '/') return 63;
  if (c == '=') return kPad;
  if (c == ' ' || c == '\t' || c == '\r' || c == '\n') return kSpace;
  return kInvalid;
}

}  // namespace

Result<std::size_t> decode_base64(std::span<const char> text, std::span<std::uint8_t> out) {
  std::uint32_t quantum = 0;  // sextets of the current group of four
  std::size_t sextets = 0;    // data sextets in the current group
  std::size_t pads = 0;       // '=' seen; only '=' and whitespace may follow
  std::size_t written = 0;
  for (const char c : text) {
    const std::uint8_t v = classify(c);
    if (v == kSpace) continue;
    if (v == kInvalid) return Status::kMalformed;
    if (v == kPad) {
      // Padding completes a final group of 2 ("xx==") or 3 ("xxx=") sextets.
      if (sextets < 2 || sextets + pads >= 4) return Status::kMalformed;
      ++pads;
      continue;
    }
    if (pads != 0) return Status::kMalformed;
    quantum = quantum << 6 | v;
    if (++sextets == 4) {
      if (out.size() - written < 3) return Status::kBufferTooSmall;
      out[written++] = static_cast<std::uint8_t>(quantum >> 16);
      out[written++] = static_cast<std::uint8_t>(quantum >> 8);
      out[written++] = static_cast<std::uint8_t>(quantum);
      quantum = 0;
      sextets = 0;
    }
  }
  if (sextets == 0) return written;
  if (sextets + pads != 4) return Status::kMalformed;  // missing padding
  const std::uint32_t bits = quantum << (6 * pads);    // 24 bits, tail zero
  const std::size_t bytes = sextets - 1;               // 2 sextets -> 1 byte, 3 -> 2
  // Canonical encoding: the bits beyond the last byte must be zero.
  if ((bits & (bytes == 1 ? 0xFFFFu : 0xFFu)) != 0) return Status::kMalformed;
  if (out.size() - written < bytes) return Status::kBufferTooSmall;
  out[written++] = static_cast<std::uint8_t>(bits >> 16);
  if (bytes == 2) out[written++] = static_cast<std::uint8_t>(bits >> 8);
  return written;
}

}  // namespace otter::image
