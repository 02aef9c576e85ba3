// A bounded CBOR (RFC 8949) subset for the OTA stream messages: definite-length
// maps and arrays, text and byte strings, unsigned and negative integers, and
// simple values/floats (only so that unknown fields can be skipped). Indefinite
// lengths and tags are refused; nothing is ever read past the input, and
// nested containers are skipped only down to kMaxDepth.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

#include "otter/core/result.h"

namespace otter::codec {

// The major types (RFC 8949 3.1), numbered as on the wire; tags (6) are refused.
enum class CborType : std::uint8_t { kUnsigned, kNegative, kBytes, kText, kArray, kMap, kSimple = 7 };

// Filled by CborReader::next (no defaults: readers declare items on the hot
// path and only read what next() wrote).
struct CborItem {
  CborType type;
  // kUnsigned, kNegative, kSimple: the argument did not fit 32 bits (value
  // holds its low half). Strings and containers that long are malformed.
  bool wide;
  // kUnsigned: the value. kNegative: the encoded n of -1-n. kBytes/kText: the
  // length. kArray/kMap: the number of elements / pairs. kSimple: the value.
  std::uint32_t value;
  std::span<const std::uint8_t> data;  // kBytes/kText: the string itself, inside the input

  std::string_view text() const { return {reinterpret_cast<const char*>(data.data()), data.size()}; }
};

class CborReader {
 public:
  static constexpr int kMaxDepth = 4;

  explicit CborReader(std::span<const std::uint8_t> input) : pos_(input.data()), end_(input.data() + input.size()) {}

  // Reads one item head into `item` (and, for strings, its body).
  Status next(CborItem& item);
  // Skips the contents of `item` (already read with next()): the elements of
  // an array or map and theirs, at most kMaxDepth containers deep counting
  // `item` (a deeper one is kUnsupported). No recursion: the stack is fixed.
  // `item` is the cursor (no copy): it holds the last item read on return.
  Status skip(CborItem& item);
  bool at_end() const { return pos_ == end_; }

 private:
  std::size_t remaining() const { return static_cast<std::size_t>(end_ - pos_); }

  // The next byte to read and the end of the input.
  const std::uint8_t* pos_;
  const std::uint8_t* end_;
};

// Writes heads in their shortest form (RFC 8949's preferred serialization).
// Integers are 32-bit: the stream messages carry nothing wider.
class CborWriter {
 public:
  explicit CborWriter(std::span<std::uint8_t> out) : out_(out) {}

  CborWriter& map(std::uint32_t pairs) { return head(5, pairs); }
  CborWriter& array(std::uint32_t elements) { return head(4, elements); }
  CborWriter& uint(std::uint32_t value) { return head(0, value); }
  CborWriter& text(std::string_view value) {
    return string(3, {reinterpret_cast<const std::uint8_t*>(value.data()), value.size()});
  }
  CborWriter& bytes(std::span<const std::uint8_t> value) { return string(2, value); }
  // A one-character text key.
  CborWriter& key(char name) {
    put(0x61);
    put(static_cast<std::uint8_t>(name));
    return *this;
  }

  // kOk, or kBufferTooSmall if anything did not fit (the rest was dropped).
  Status status() const { return pos_ > out_.size() ? Status::kBufferTooSmall : Status::kOk; }
  Result<std::size_t> finish() const {
    if (pos_ > out_.size()) return Status::kBufferTooSmall;
    return pos_;
  }

 private:
  CborWriter& head(std::uint8_t major, std::uint32_t value);
  CborWriter& string(std::uint8_t major, std::span<const std::uint8_t> value);
  // Past the end only counts: pos_ > out_.size() marks the overflow.
  void put(std::uint8_t byte) {
    if (pos_ < out_.size()) out_[pos_] = byte;
    ++pos_;
  }

  std::span<std::uint8_t> out_;
  std::size_t pos_ = 0;
};

}  // namespace otter::codec
