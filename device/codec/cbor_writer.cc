#include "otter/codec/cbor.h"

namespace otter::codec {

void CborWriter::put(std::uint8_t byte) {
  if (pos_ < out_.size()) {
    out_[pos_++] = byte;
  } else {
    overflow_ = true;
  }
}

// Shortest form, as RFC 8949's preferred serialization asks.
CborWriter& CborWriter::head(std::uint8_t major, std::uint64_t value) {
  const auto type = static_cast<std::uint8_t>(major << 5);
  if (value < 24) {
    put(static_cast<std::uint8_t>(type | value));
    return *this;
  }
  int width = 8;
  std::uint8_t info = 27;
  if (value <= 0xFF) {
    width = 1;
    info = 24;
  } else if (value <= 0xFFFF) {
    width = 2;
    info = 25;
  } else if (value <= 0xFFFFFFFF) {
    width = 4;
    info = 26;
  }
  put(static_cast<std::uint8_t>(type | info));
  for (int i = width - 1; i >= 0; --i) put(static_cast<std::uint8_t>(value >> (8 * i)));
  return *this;
}

CborWriter& CborWriter::raw(std::span<const std::uint8_t> value) {
  if (value.size() > out_.size() - pos_) {
    overflow_ = true;
    return *this;
  }
  for (const std::uint8_t b : value) out_[pos_++] = b;
  return *this;
}

CborWriter& CborWriter::text(std::string_view value) {
  head(3, value.size());
  return raw({reinterpret_cast<const std::uint8_t*>(value.data()), value.size()});
}

CborWriter& CborWriter::bytes(std::span<const std::uint8_t> value) {
  head(2, value.size());
  return raw(value);
}

}  // namespace otter::codec
