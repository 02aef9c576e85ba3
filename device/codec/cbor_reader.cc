#include "otter/codec/cbor.h"

namespace otter::codec {

Status CborReader::next(CborItem& item) {
  // Locals until the item is complete: the input is read as bytes, which may
  // alias the reader and the item, so members updated in the loop would be
  // stored and reloaded at every byte.
  const std::uint8_t* p = pos_;
  if (p == end_) return Status::kMalformed;
  const std::uint8_t initial = *p++;
  const auto major = static_cast<std::uint8_t>(initial >> 5);
  std::uint32_t value = initial & 0x1F;
  bool wide = false;
  if (value >= 24) {
    // 28-30 are reserved; 31 is an indefinite length (or "break"): refused.
    if (value > 27) return Status::kUnsupported;
    const std::size_t width = std::size_t{1} << (value - 24);
    if (static_cast<std::size_t>(end_ - p) < width) return Status::kMalformed;
    value = 0;
    for (std::size_t i = 0; i < width; ++i) {
      wide |= (value >> 24) != 0;  // about to shift out
      value = (value << 8) | *p++;
    }
  }
  // Tags: none of our messages use them. Simple values and floats: the head
  // already consumed their bytes.
  if (major == 6) return Status::kUnsupported;
  const auto type = static_cast<CborType>(major);
  item = {.type = type, .wide = wide, .value = value, .data = {}};
  const bool sized = type >= CborType::kBytes && type <= CborType::kMap;
  // A string or container that long cannot fit any input of ours.
  if (sized && wide) return Status::kMalformed;
  if (type == CborType::kBytes || type == CborType::kText) {
    if (value > static_cast<std::size_t>(end_ - p)) return Status::kMalformed;
    item.data = {p, value};
    p += value;
  }
  pos_ = p;
  return Status::kOk;
}

Status CborReader::skip(CborItem& item) {
  // Elements still to read in each open container, innermost last.
  std::size_t left[kMaxDepth];
  int depth = 0;
  for (;;) {
    if (item.type == CborType::kArray || item.type == CborType::kMap) {
      if (depth == kMaxDepth) return Status::kUnsupported;
      // Each element takes at least one byte, so a count past the remaining
      // input is malformed (more pairs than half of it fail in next() when
      // the input runs out); so bounded, a map's count doubled cannot overflow.
      if (item.value > remaining()) return Status::kMalformed;
      left[depth++] = item.type == CborType::kMap ? std::size_t{item.value} * 2 : item.value;
    }
    while (depth > 0 && left[depth - 1] == 0) --depth;
    if (depth == 0) return Status::kOk;
    --left[depth - 1];
    OTTER_TRY(next(item));
  }
}

}  // namespace otter::codec
