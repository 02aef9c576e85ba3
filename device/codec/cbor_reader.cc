#include "otter/codec/cbor.h"

namespace otter::codec {

Result<CborItem> CborReader::next() {
  if (pos_ >= input_.size()) return Status::kMalformed;
  const std::uint8_t initial = input_[pos_++];
  const auto major = static_cast<std::uint8_t>(initial >> 5);
  const std::uint8_t info = initial & 0x1F;

  std::uint64_t value = 0;
  if (info < 24) {
    value = info;
  } else if (info <= 27) {
    const std::size_t width = std::size_t{1} << (info - 24);
    if (input_.size() - pos_ < width) return Status::kMalformed;
    for (std::size_t i = 0; i < width; ++i) value = (value << 8) | input_[pos_++];
  } else {
    // 28-30 are reserved; 31 is an indefinite length (or "break"): refused.
    return Status::kUnsupported;
  }

  CborItem item;
  item.value = value;
  switch (major) {
    case 0: item.type = CborType::kUnsigned; break;
    case 1: item.type = CborType::kNegative; break;
    case 2:
    case 3:
      item.type = major == 2 ? CborType::kBytes : CborType::kText;
      if (value > input_.size() - pos_) return Status::kMalformed;
      item.data = input_.subspan(pos_, static_cast<std::size_t>(value));
      pos_ += static_cast<std::size_t>(value);
      break;
    case 4: item.type = CborType::kArray; break;
    case 5: item.type = CborType::kMap; break;
    case 6: return Status::kUnsupported;  // tags: none of our messages use them
    default:
      // Simple values and floats: the head already consumed their bytes.
      item.type = CborType::kSimple;
      break;
  }
  return item;
}

Status CborReader::skip(const CborItem& item, int depth) {
  if (item.type != CborType::kArray && item.type != CborType::kMap) return Status::kOk;
  if (depth >= kMaxDepth) return Status::kUnsupported;
  // Each element takes at least one byte, so a count past the remaining input
  // is malformed; this also bounds the loop.
  const std::uint64_t remaining = input_.size() - pos_;
  std::uint64_t elements = item.value;
  if (item.type == CborType::kMap) {
    if (elements > remaining / 2) return Status::kMalformed;
    elements *= 2;
  }
  if (elements > remaining) return Status::kMalformed;
  for (std::uint64_t i = 0; i < elements; ++i) {
    OTTER_ASSIGN_OR_RETURN(const CborItem child, next());
    OTTER_TRY(skip(child, depth + 1));
  }
  return Status::kOk;
}

}  // namespace otter::codec
