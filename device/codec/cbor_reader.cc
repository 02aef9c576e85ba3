#include "otter/codec/cbor.h"

namespace otter::codec {

Status CborReader::next(CborItem& item) {
  if (pos_ >= input_.size()) return Status::kMalformed;
  const std::uint8_t initial = input_[pos_++];
  const auto major = static_cast<std::uint8_t>(initial >> 5);
  const std::uint8_t info = initial & 0x1F;

  item = {.type = static_cast<CborType>(major), .value = info};
  if (info >= 24) {
    // 28-30 are reserved; 31 is an indefinite length (or "break"): refused.
    if (info > 27) return Status::kUnsupported;
    const std::size_t width = std::size_t{1} << (info - 24);
    if (input_.size() - pos_ < width) return Status::kMalformed;
    std::uint64_t value = 0;
    for (std::size_t i = 0; i < width; ++i) value = (value << 8) | input_[pos_++];
    item.value = value;
  }
  // Tags: none of our messages use them. Simple values and floats: the head
  // already consumed their bytes.
  if (major == 6) return Status::kUnsupported;
  if (item.type == CborType::kBytes || item.type == CborType::kText) {
    if (item.value > input_.size() - pos_) return Status::kMalformed;
    item.data = {input_.data() + pos_, static_cast<std::size_t>(item.value)};
    pos_ += static_cast<std::size_t>(item.value);
  }
  return Status::kOk;
}

Status CborReader::skip(const CborItem& item, int depth) {
  if (item.type != CborType::kArray && item.type != CborType::kMap) return Status::kOk;
  if (depth >= kMaxDepth) return Status::kUnsupported;
  // Each element takes at least one byte, so a count past the remaining input
  // is malformed; this also bounds the loop.
  const std::uint64_t remaining = input_.size() - pos_;
  if (item.value > remaining) return Status::kMalformed;
  const std::uint64_t elements = item.type == CborType::kMap ? item.value * 2 : item.value;
  if (elements > remaining) return Status::kMalformed;
  for (std::uint64_t i = 0; i < elements; ++i) {
    CborItem child;
    OTTER_TRY(next(child));
    OTTER_TRY(skip(child, depth + 1));
  }
  return Status::kOk;
}

}  // namespace otter::codec
