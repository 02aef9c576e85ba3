#include "otter/codec/cbor.h"

namespace otter::codec {

CborWriter& CborWriter::head(std::uint8_t major, std::uint32_t value) {
  // The argument in the initial byte (< 24) or in 1, 2 or 4 bytes after it
  // (additional information 24, 25, 26).
  std::uint32_t info = value;
  unsigned width = 0;
  if (value > 0xFFFF) {
    info = 26;
    width = 4;
  } else if (value > 0xFF) {
    info = 25;
    width = 2;
  } else if (value >= 24) {
    info = 24;
    width = 1;
  }
  put(static_cast<std::uint8_t>(std::uint32_t{major} << 5 | info));
  while (width-- != 0) put(static_cast<std::uint8_t>(value >> (8 * width)));
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
