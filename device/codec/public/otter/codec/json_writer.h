// Compact JSON writing into caller buffers (no heap).
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

#include "otter/core/result.h"

namespace otter::codec {

// JSON text into a caller buffer: every character passes one bounds check,
// nothing is written past the end, and overflow is reported by finish()
// (never a truncated document).
class JsonOut {
 public:
  explicit JsonOut(std::span<char> out) : out_(out) {}

  void put(char c);
  // String content: quotes, backslashes and control characters escaped.
  // Pointer and size out of line: gcc spills string_views passed by value.
  void escaped(const char* text, std::size_t size);
  void escaped(std::string_view text) { escaped(text.data(), text.size()); }
  // Decimal, or eight lowercase hex digits without prefix.
  enum class Radix : std::uint8_t { kDecimal, kHex32 };
  void number(std::uint32_t value, Radix radix = Radix::kDecimal);

  Result<std::size_t> finish() const;

 private:
  // Most significant digit first, at least `min_digits` (<= 8) digits.
  void digits(std::uint32_t value, std::uint32_t base, std::uint32_t min_digits);

  std::span<char> out_;
  std::size_t pos_ = 0;
};

// Writes compact JSON (no spaces) into a caller buffer; separators are
// inserted automatically. Overflow is sticky and reported by finish().
class JsonWriter {
 public:
  explicit JsonWriter(std::span<char> out) : out_(out) {}

  JsonWriter& begin_object();
  JsonWriter& end_object();
  JsonWriter& key(std::string_view name);
  JsonWriter& string(std::string_view value);
  JsonWriter& number(std::uint32_t value);
  // A string value written by the caller piece by piece: open, append..., close.
  JsonWriter& open_string();
  JsonWriter& append(std::string_view value);  // escaped
  JsonWriter& append_raw(std::string_view value);  // caller guarantees no escaping needed
  JsonWriter& close_string();

  Result<std::size_t> finish() const { return out_.finish(); }

 private:
  void separator();

  JsonOut out_;
  bool need_comma_ = false;
  bool after_key_ = false;
};

}  // namespace otter::codec
