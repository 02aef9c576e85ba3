#include "otter/codec/json_reader.h"

namespace otter::codec {

Result<int> tokenize_object(std::string_view text, std::span<jsmntok_t> tokens) {
  if (text.size() > static_cast<std::size_t>(INT32_MAX)) return Status::kTooLarge;
  jsmn_parser parser;
  jsmn_init(&parser);
  const int n = jsmn_parse(&parser, text.data(), text.size(), tokens.data(), static_cast<unsigned>(tokens.size()));
  if (n == JSMN_ERROR_NOMEM) return Status::kBufferTooSmall;
  if (n <= 0) return Status::kMalformed;
  if (tokens[0].type != JSMN_OBJECT) return Status::kMalformed;
  // jsmn goes on after the first complete value; anything but whitespace
  // after it means the message is not one JSON document.
  for (std::size_t i = static_cast<std::size_t>(tokens[0].end); i < text.size(); ++i) {
    const char c = text[i];
    if (c != ' ' && c != '\n' && c != '\r' && c != '\t' && c != '\0') return Status::kMalformed;
  }
  return n;
}

Status JsonDocument::parse(std::string_view text, std::span<jsmntok_t> tokens) {
  count_ = 0;
  text_ = text;
  OTTER_ASSIGN_OR_RETURN(const int n, tokenize_object(text, tokens));
  tokens_ = tokens.first(static_cast<std::size_t>(n));
  count_ = n;
  return Status::kOk;
}

JsonType JsonDocument::type(int token) const {
  if (token < 0 || token >= count_) return JsonType::kNone;
  // JsonType lists jsmn's types in jsmn's order.
  static_assert(static_cast<int>(JsonType::kNone) == JSMN_UNDEFINED && static_cast<int>(JsonType::kObject) == JSMN_OBJECT &&
                static_cast<int>(JsonType::kArray) == JSMN_ARRAY &&
                static_cast<int>(JsonType::kString) == JSMN_STRING && static_cast<int>(JsonType::kPrimitive) == JSMN_PRIMITIVE);
  return static_cast<JsonType>(tokens_[static_cast<std::size_t>(token)].type);
}

std::string_view JsonDocument::raw(int token) const {
  if (type(token) == JsonType::kNone) return {};
  const jsmntok_t& t = tokens_[static_cast<std::size_t>(token)];
  // Built directly: substr() would pull in the exception-throwing path.
  return {text_.data() + t.start, static_cast<std::size_t>(t.end - t.start)};
}

int JsonDocument::size(int token) const {
  if (type(token) == JsonType::kNone) return 0;
  return tokens_[static_cast<std::size_t>(token)].size;
}

int JsonDocument::skip(int token) const {
  if (type(token) == JsonType::kNone) return kNone;
  // Children follow their parent and lie inside its text range.
  const int end = tokens_[static_cast<std::size_t>(token)].end;
  int next = token + 1;
  while (next < count_ && tokens_[static_cast<std::size_t>(next)].start < end) ++next;
  return next < count_ ? next : kNone;
}

int JsonDocument::find(int object, std::string_view key) const {
  if (type(object) != JsonType::kObject) return kNone;
  const int members = size(object);
  int token = object + 1;
  for (int i = 0; i < members && token != kNone; ++i) {
    const int value = token + 1;
    if (type(token) == JsonType::kString && raw(token) == key && value < count_) return value;
    token = skip(value);
  }
  return kNone;
}

Status parse_decimal32(std::string_view text, std::uint32_t& out) {
  if (text.empty()) return Status::kMalformed;
  // 32-bit arithmetic only: refuse the step that would pass UINT32_MAX.
  std::uint32_t value = 0;
  for (const char c : text) {
    const auto digit = static_cast<std::uint32_t>(c - '0');
    if (digit > 9 || value > (UINT32_MAX - digit) / 10) return Status::kMalformed;
    value = value * 10 + digit;
  }
  out = value;
  return Status::kOk;
}

Result<std::uint32_t> JsonDocument::unsigned_value(int token) const {
  if (token == kNone) return Status::kNotFound;
  if (type(token) != JsonType::kPrimitive) return Status::kMalformed;
  std::uint32_t value = 0;
  OTTER_TRY(parse_decimal32(raw(token), value));
  return value;
}

Result<std::string_view> JsonDocument::plain_string(int token) const {
  if (token == kNone) return Status::kNotFound;
  if (type(token) != JsonType::kString) return Status::kMalformed;
  const std::string_view text = raw(token);
  for (const char c : text) {
    if (c == '\\') return Status::kUnsupported;
  }
  return text;
}

}  // namespace otter::codec
