#include "otter/codec/json_reader.h"

namespace otter::codec {

using namespace std::string_view_literals;

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

int JsonDocument::element(int array, int index) const {
  if (type(array) != JsonType::kArray || index < 0 || index >= size(array)) return kNone;
  int token = array + 1;
  for (int i = 0; i < index && token != kNone; ++i) token = skip(token);
  return token;
}

Result<std::uint32_t> JsonDocument::unsigned_value(int token) const {
  if (token == kNone) return Status::kNotFound;
  if (type(token) != JsonType::kPrimitive) return Status::kMalformed;
  const std::string_view text = raw(token);
  if (text.empty() || text.size() > 20) return Status::kMalformed;
  // 32-bit arithmetic only: refuse the step that would pass UINT32_MAX.
  std::uint32_t value = 0;
  for (const char c : text) {
    const auto digit = static_cast<std::uint32_t>(c - '0');
    if (digit > 9 || value > (UINT32_MAX - digit) / 10) return Status::kMalformed;
    value = value * 10 + digit;
  }
  return value;
}

Result<bool> JsonDocument::bool_value(int token) const {
  if (token == kNone) return Status::kNotFound;
  const std::string_view text = raw(token);
  if (type(token) == JsonType::kPrimitive && text == "true"sv) return true;
  if (type(token) == JsonType::kPrimitive && text == "false"sv) return false;
  return Status::kMalformed;
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

namespace {

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

Result<std::size_t> JsonDocument::unescape(int token, std::span<char> out) const {
  if (token == kNone) return Status::kNotFound;
  if (type(token) != JsonType::kString) return Status::kMalformed;
  if (out.empty()) return Status::kBufferTooSmall;
  const std::string_view text = raw(token);
  std::size_t pos = 0;
  const auto emit = [&](char c) {
    if (pos + 1 >= out.size()) return false;
    out[pos++] = c;
    return true;
  };
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '\\') {
      if (++i >= text.size()) return Status::kMalformed;
      switch (text[i]) {
        case '"': c = '"'; break;
        case '\\': c = '\\'; break;
        case '/': c = '/'; break;
        case 'b': c = '\b'; break;
        case 'f': c = '\f'; break;
        case 'n': c = '\n'; break;
        case 'r': c = '\r'; break;
        case 't': c = '\t'; break;
        case 'u': {
          if (text.size() - i < 5) return Status::kMalformed;
          std::uint32_t cp = 0;
          for (std::size_t k = 1; k <= 4; ++k) {
            const int d = hex_digit(text[i + k]);
            if (d < 0) return Status::kMalformed;
            cp = (cp << 4) | static_cast<std::uint32_t>(d);
          }
          i += 4;
          // Identifiers and paths we read are ASCII/BMP; surrogate pairs are
          // refused rather than mis-decoded.
          if (cp >= 0xD800 && cp <= 0xDFFF) return Status::kUnsupported;
          if (cp < 0x80) {
            if (!emit(static_cast<char>(cp))) return Status::kBufferTooSmall;
          } else if (cp < 0x800) {
            if (!emit(static_cast<char>(0xC0 | (cp >> 6))) || !emit(static_cast<char>(0x80 | (cp & 0x3F))))
              return Status::kBufferTooSmall;
          } else {
            if (!emit(static_cast<char>(0xE0 | (cp >> 12))) || !emit(static_cast<char>(0x80 | ((cp >> 6) & 0x3F))) ||
                !emit(static_cast<char>(0x80 | (cp & 0x3F))))
              return Status::kBufferTooSmall;
          }
          continue;
        }
        default: return Status::kMalformed;
      }
    }
    if (!emit(c)) return Status::kBufferTooSmall;
  }
  out[pos] = '\0';
  return pos;
}

}  // namespace otter::codec
