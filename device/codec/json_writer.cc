#include "otter/codec/json_writer.h"

namespace otter::codec {

void JsonWriter::put(char c) {
  if (pos_ < out_.size()) {
    out_[pos_++] = c;
  } else {
    overflow_ = true;
  }
}

void JsonWriter::separator() {
  if (need_comma_ && !after_key_) put(',');
  after_key_ = false;
}

void JsonWriter::put_escaped(std::string_view value) {
  static constexpr char kHex[] = "0123456789abcdef";
  for (const char c : value) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      put('\\');
      put(c);
    } else if (u < 0x20) {
      put('\\');
      put('u');
      put('0');
      put('0');
      put(kHex[u >> 4]);
      put(kHex[u & 0xF]);
    } else {
      put(c);
    }
  }
}

JsonWriter& JsonWriter::begin_object() {
  separator();
  put('{');
  need_comma_ = false;
  return *this;
}

JsonWriter& JsonWriter::end_object() {
  put('}');
  need_comma_ = true;
  return *this;
}

JsonWriter& JsonWriter::key(std::string_view name) {
  separator();
  put('"');
  put_escaped(name);
  put('"');
  put(':');
  after_key_ = true;
  return *this;
}

JsonWriter& JsonWriter::string(std::string_view value) { return open_string().append(value).close_string(); }

JsonWriter& JsonWriter::open_string() {
  separator();
  put('"');
  return *this;
}

JsonWriter& JsonWriter::append(std::string_view value) {
  put_escaped(value);
  return *this;
}

JsonWriter& JsonWriter::append_raw(std::string_view value) {
  for (const char c : value) put(c);
  return *this;
}

JsonWriter& JsonWriter::close_string() {
  put('"');
  need_comma_ = true;
  return *this;
}

JsonWriter& JsonWriter::number(std::uint32_t value) {
  separator();
  char digits[20];
  int n = 0;
  do {
    digits[n++] = static_cast<char>('0' + value % 10);
    value /= 10;
  } while (value != 0);
  while (n > 0) put(digits[--n]);
  need_comma_ = true;
  return *this;
}

Result<std::size_t> JsonWriter::finish() const {
  if (overflow_) return Status::kBufferTooSmall;
  return pos_;
}

}  // namespace otter::codec
