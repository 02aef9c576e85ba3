// Firmware version major.minor.build, encoded as AWS's OTA library does:
// major in bits 31-24, minor in 23-16, build in 15-0.
#pragma once

#include <cstdint>
#include <span>

#include "otter/core/result.h"

namespace otter {

struct Version {
  std::uint8_t major = 0;
  std::uint8_t minor = 0;
  std::uint16_t build = 0;

  constexpr std::uint32_t encoded() const {
    return (static_cast<std::uint32_t>(major) << 24) | (static_cast<std::uint32_t>(minor) << 16) | build;
  }
  static constexpr Version decode(std::uint32_t v) {
    return Version{static_cast<std::uint8_t>(v >> 24), static_cast<std::uint8_t>(v >> 16),
                   static_cast<std::uint16_t>(v)};
  }
  friend constexpr auto operator<=>(const Version& a, const Version& b) { return a.encoded() <=> b.encoded(); }
  friend constexpr bool operator==(const Version& a, const Version& b) { return a.encoded() == b.encoded(); }
};

// Parses "1.0.1" or "v1.0.1" (leading spaces allowed, as AWS writes "  v1.0.1").
Result<Version> parse_version(std::span<const char> text);

// Writes "v<major>.<minor>.<build>" plus a terminating NUL; returns the length
// without the NUL.
Result<std::size_t> format_version(Version version, std::span<char> out);

}  // namespace otter
