// JSON reading over jsmn (Debian's libjsmn-dev, header-only, no heap): the
// caller owns the token array, so the worst case is fixed at compile time.
// Strings are views into the input.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

#include "otter/core/result.h"

#define JSMN_HEADER
#include <jsmn.h>
#undef JSMN_HEADER

namespace otter::codec {

enum class JsonType : std::uint8_t { kNone, kObject, kArray, kString, kPrimitive };

// Tokenizes `text` (not necessarily NUL-terminated) and returns how many
// tokens were used. kBufferTooSmall when the token array is too small,
// kMalformed for anything that is not one JSON object (whitespace may follow).
// For parsers that walk jsmn's tokens themselves; JsonDocument wraps it.
Result<int> tokenize_object(std::string_view text, std::span<jsmntok_t> tokens);

// A JSON number token's text as an unsigned 32-bit decimal: kMalformed for
// anything else (sign, fraction, exponent, more than 32 bits); `out` is
// written only on kOk.
Status parse_decimal32(std::string_view text, std::uint32_t& out);

class JsonDocument {
 public:
  static constexpr int kNone = -1;

  // tokenize_object() and keeps the tokens for the accessors below.
  Status parse(std::string_view text, std::span<jsmntok_t> tokens);

  JsonType type(int token) const;
  // Raw text of a token (string contents without quotes, still escaped).
  std::string_view raw(int token) const;
  // Number of members of an object / elements of an array.
  int size(int token) const;

  // The value token of `key` in object `object`, or kNone.
  int find(int object, std::string_view key) const;
  // The token after `token`'s whole subtree (its next sibling, if any).
  int skip(int token) const;

  // Typed accessors: kNotFound when token is kNone, kMalformed on a type
  // mismatch or value out of range (unsigned values are at most 32 bits).
  Result<std::uint32_t> unsigned_value(int token) const;
  // A string token's raw view, refusing escapes (for identifiers that AWS
  // restricts to [A-Za-z0-9_-:.]).
  Result<std::string_view> plain_string(int token) const;

 private:
  std::string_view text_{};
  std::span<const jsmntok_t> tokens_{};
  int count_ = 0;
};

}  // namespace otter::codec
