#include "otter/core/version.h"

namespace otter {

namespace {

// Parses a decimal number no larger than `max`; advances `pos`.
bool parse_number(std::span<const char> text, std::size_t& pos, std::uint32_t max, std::uint32_t& out) {
  std::uint32_t value = 0;
  const std::size_t start = pos;
  while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
    value = value * 10 + static_cast<std::uint32_t>(text[pos] - '0');
    if (value > max) return false;
    ++pos;
  }
  out = value;
  return pos > start;
}

std::size_t write_number(std::uint32_t value, std::span<char> out, std::size_t pos) {
  char digits[10];
  std::size_t n = 0;
  do {
    digits[n++] = static_cast<char>('0' + value % 10);
    value /= 10;
  } while (value != 0);
  while (n > 0 && pos < out.size()) out[pos++] = digits[--n];
  return n == 0 ? pos : out.size() + 1;  // out.size()+1 signals overflow
}

}  // namespace

Result<Version> parse_version(std::span<const char> text) {
  std::size_t pos = 0;
  while (pos < text.size() && text[pos] == ' ') ++pos;
  if (pos < text.size() && (text[pos] == 'v' || text[pos] == 'V')) ++pos;
  std::uint32_t major = 0;
  std::uint32_t minor = 0;
  std::uint32_t build = 0;
  if (!parse_number(text, pos, 0xFF, major)) return Status::kMalformed;
  if (pos >= text.size() || text[pos++] != '.') return Status::kMalformed;
  if (!parse_number(text, pos, 0xFF, minor)) return Status::kMalformed;
  if (pos >= text.size() || text[pos++] != '.') return Status::kMalformed;
  if (!parse_number(text, pos, 0xFFFF, build)) return Status::kMalformed;
  if (pos != text.size() && text[pos] != '\0') return Status::kMalformed;
  return Version{static_cast<std::uint8_t>(major), static_cast<std::uint8_t>(minor),
                 static_cast<std::uint16_t>(build)};
}

Result<std::size_t> format_version(Version version, std::span<char> out) {
  std::size_t pos = 0;
  if (out.empty()) return Status::kBufferTooSmall;
  out[pos++] = 'v';
  pos = write_number(version.major, out, pos);
  if (pos >= out.size()) return Status::kBufferTooSmall;
  out[pos++] = '.';
  pos = write_number(version.minor, out, pos);
  if (pos >= out.size()) return Status::kBufferTooSmall;
  out[pos++] = '.';
  pos = write_number(version.build, out, pos);
  if (pos >= out.size()) return Status::kBufferTooSmall;
  out[pos] = '\0';
  return pos;
}

}  // namespace otter
