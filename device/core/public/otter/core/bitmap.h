// A bit set over caller-owned bytes, LSB first: bit i is
// bytes[i / 8] & (1 << (i % 8)). This is the layout of the AWS OTA stream
// request bitmap, so a block bitmap can go on the wire as it is.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

namespace otter {

class BitmapView {
 public:
  static constexpr std::size_t kNone = static_cast<std::size_t>(-1);

  BitmapView() = default;
  // `bits` may be less than bytes.size() * 8; bits past it are ignored.
  BitmapView(std::span<std::uint8_t> bytes, std::size_t bits);

  std::size_t size() const { return bits_; }
  std::span<std::uint8_t> bytes() const { return bytes_.first(byte_count(bits_)); }

  bool test(std::size_t index) const;
  void set(std::size_t index);
  void clear(std::size_t index);
  void assign(std::size_t index, bool value);
  void fill(bool value);

  std::size_t count() const;
  bool all() const { return count() == bits_; }
  bool none() const { return count() == 0; }

  // Index of the first bit equal to `value` at or after `from`, or kNone.
  std::size_t find_first(bool value, std::size_t from = 0) const;

  static constexpr std::size_t byte_count(std::size_t bits) { return (bits + 7) / 8; }

 private:
  std::span<std::uint8_t> bytes_{};
  std::size_t bits_ = 0;
};

// A bitmap with its own fixed storage of `Capacity` bits.
template <std::size_t Capacity>
class Bitmap {
 public:
  explicit Bitmap(std::size_t bits = Capacity) : view_(storage_, bits <= Capacity ? bits : Capacity) {}
  Bitmap(const Bitmap& other) : view_(storage_, other.view_.size()), storage_(other.storage_) {}
  Bitmap& operator=(const Bitmap& other) {
    storage_ = other.storage_;
    view_ = BitmapView(storage_, other.view_.size());
    return *this;
  }

  // As if newly constructed with `bits`: all storage clear, without a copy.
  void reset(std::size_t bits) {
    storage_ = {};
    view_ = BitmapView(storage_, bits);  // the view clamps to the storage
  }

  BitmapView& view() { return view_; }
  const BitmapView& view() const { return view_; }
  BitmapView* operator->() { return &view_; }
  const BitmapView* operator->() const { return &view_; }
  static constexpr std::size_t capacity() { return Capacity; }

 private:
  // The view first: it is what every access reads, at the smaller offset
  // (16-bit Thumb loads and stores reach it in more places).
  BitmapView view_;
  std::array<std::uint8_t, BitmapView::byte_count(Capacity)> storage_{};
};

}  // namespace otter
