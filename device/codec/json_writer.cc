#include "otter/codec/json_writer.h"

namespace otter::codec {

void JsonOut::put(char c) {
  if (pos_ < out_.size()) out_[pos_] = c;
  ++pos_;
}

void JsonOut::escaped(const char* text, std::size_t size) {
  for (; size != 0; --size) {
    const char c = *text++;
    const auto u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      put('\\');
      put(c);
    } else if (u < 0x20) {
      put('\\');
      put('u');
      digits(u, 16, 4);
    } else {
      put(c);
    }
  }
}

void JsonOut::digits(std::uint32_t value, std::uint32_t base, std::uint32_t min_digits) {
  // The weight of the most significant digit first (no overflow: it grows
  // only while the value holds another digit or min_digits asks for one).
  std::uint32_t weight = 1;
  for (std::uint32_t n = 1; n < min_digits || value / weight >= base; ++n) weight *= base;
  for (; weight != 0; weight /= base) {
    const std::uint32_t digit = value / weight % base;
    put(static_cast<char>(digit < 10 ? '0' + digit : 'a' - 10 + digit));
  }
}

void JsonOut::number(std::uint32_t value, Radix radix) {
  digits(value, radix == Radix::kDecimal ? 10 : 16, radix == Radix::kDecimal ? 1 : 8);
}

Result<std::size_t> JsonOut::finish() const {
  if (pos_ > out_.size()) return Status::kBufferTooSmall;
  return pos_;
}

void JsonWriter::separator() {
  if (need_comma_ && !after_key_) out_.put(',');
  after_key_ = false;
}

JsonWriter& JsonWriter::begin_object() {
  separator();
  out_.put('{');
  need_comma_ = false;
  return *this;
}

JsonWriter& JsonWriter::end_object() {
  out_.put('}');
  need_comma_ = true;
  return *this;
}

JsonWriter& JsonWriter::key(std::string_view name) {
  separator();
  out_.put('"');
  out_.escaped(name);
  out_.put('"');
  out_.put(':');
  after_key_ = true;
  return *this;
}

JsonWriter& JsonWriter::string(std::string_view value) { return open_string().append(value).close_string(); }

JsonWriter& JsonWriter::open_string() {
  separator();
  out_.put('"');
  return *this;
}

JsonWriter& JsonWriter::append(std::string_view value) {
  out_.escaped(value);
  return *this;
}

JsonWriter& JsonWriter::append_raw(std::string_view value) {
  for (const char c : value) out_.put(c);
  return *this;
}

JsonWriter& JsonWriter::close_string() {
  out_.put('"');
  need_comma_ = true;
  return *this;
}

JsonWriter& JsonWriter::number(std::uint32_t value) {
  separator();
  out_.number(value);
  need_comma_ = true;
  return *this;
}

}  // namespace otter::codec
