// Compact JSON writing into caller buffers (no heap).
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

#include "otter/core/result.h"

namespace otter::codec {

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

  Result<std::size_t> finish() const;

 private:
  void put(char c);
  void put_escaped(std::string_view value);
  void separator();

  std::span<char> out_;
  std::size_t pos_ = 0;
  bool overflow_ = false;
  bool need_comma_ = false;
  bool after_key_ = false;
};

}  // namespace otter::codec
