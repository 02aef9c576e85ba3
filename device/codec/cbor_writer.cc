#include "otter/codec/cbor.h"

namespace otter::codec {

CborWriter& CborWriter::head(std::uint8_t major, std::uint32_t value) {
  const auto type = static_cast<std::uint8_t>(major << 5);
  if (value < 24) {
    put(static_cast<std::uint8_t>(type | value));
    return *this;
  }
  // Argument width 1 << log2_width bytes (additional info 24 + log2_width).
  const unsigned log2_width = value > 0xFFFF ? 2 : value > 0xFF ? 1 : 0;
  put(static_cast<std::uint8_t>(type | (24 + log2_width)));
  for (int shift = (8 << log2_width) - 8; shift >= 0; shift -= 8) put(static_cast<std::uint8_t>(value >> shift));
  return *this;
}

CborWriter& CborWriter::string(std::uint8_t major, std::span<const std::uint8_t> value) {
  // A length past 32 bits cannot fit any buffer of ours: it only overflows.
  if (value.size() > UINT32_MAX) {
    pos_ = out_.size() + 1;
    return *this;
  }
  head(major, static_cast<std::uint32_t>(value.size()));
  for (const std::uint8_t b : value) put(b);
  return *this;
}

}  // namespace otter::codec
