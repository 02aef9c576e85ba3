#include "otter/core/bitmap.h"

namespace otter {

namespace {
constexpr std::uint8_t bit_mask(std::size_t index) {
  return static_cast<std::uint8_t>(1U << (index % 8));
}
}  // namespace

BitmapView::BitmapView(std::span<std::uint8_t> bytes, std::size_t bits)
    : bytes_(bytes), bits_(bits <= bytes.size() * 8 ? bits : bytes.size() * 8) {}

bool BitmapView::test(std::size_t index) const {
  return index < bits_ && ((static_cast<unsigned>(bytes_[index / 8]) >> (index % 8)) & 1U) != 0;
}

void BitmapView::set(std::size_t index) {
  if (index < bits_) bytes_[index / 8] = static_cast<std::uint8_t>(bytes_[index / 8] | bit_mask(index));
}

void BitmapView::clear(std::size_t index) {
  if (index < bits_) bytes_[index / 8] = static_cast<std::uint8_t>(bytes_[index / 8] & ~bit_mask(index));
}

void BitmapView::assign(std::size_t index, bool value) {
  if (value) {
    set(index);
  } else {
    clear(index);
  }
}

// Bit by bit, so bits past the size are left as they are (a download's
// bitmap is filled once, when it starts).
void BitmapView::fill(bool value) {
  for (std::size_t i = 0; i < bits_; ++i) assign(i, value);
}

// count() and find_first() go bit by bit: per-byte shortcuts cost more flash
// than the time they save. The agent's bitmaps are one bit per block, at most
// 4,096 (a count of those takes ~0.5 ms on a 192 MHz M4); it counts once per
// download and keeps the count as blocks arrive.
std::size_t BitmapView::count() const {
  std::size_t total = 0;
  for (std::size_t i = 0; i < bits_; ++i) total += test(i) ? 1U : 0U;
  return total;
}

std::size_t BitmapView::find_first(bool value, std::size_t from) const {
  for (std::size_t i = from; i < bits_; ++i) {
    if (test(i) == value) return i;
  }
  return kNone;
}

}  // namespace otter
