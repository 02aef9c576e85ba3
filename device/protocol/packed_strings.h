// Tables of short strings stored as one text with a start and size per string,
// computed at compile time: two bytes per string in flash instead of a
// pointer and length (eight), and a string that occurs inside a longer one of
// the table is not stored again.
#pragma once

#include <cstddef>
#include <cstdint>
#include <iterator>
#include <span>
#include <string_view>

namespace otter::protocol {

template <std::size_t kCount, std::size_t kTextSize>
struct PackedStrings {
  char text[kTextSize];
  std::uint8_t start[kCount];
  std::uint8_t size[kCount];

  static constexpr std::size_t count() { return kCount; }
  constexpr std::string_view operator[](std::size_t i) const { return {text + start[i], size[i]}; }
};

namespace packed_strings_detail {

constexpr bool inside_another(std::span<const std::string_view> strings, std::size_t i) {
  for (const std::string_view other : strings) {
    if (other.size() > strings[i].size() && other.find(strings[i]) != std::string_view::npos) return true;
  }
  return false;
}

constexpr std::size_t text_size(std::span<const std::string_view> strings) {
  std::size_t n = 0;
  for (std::size_t i = 0; i < strings.size(); ++i) n += inside_another(strings, i) ? 0 : strings[i].size();
  return n;
}

}  // namespace packed_strings_detail

// `kStrings`: a constexpr array of std::string_view with static storage.
template <const auto& kStrings>
consteval auto pack_strings() {
  using namespace packed_strings_detail;
  constexpr std::span<const std::string_view> strings(kStrings);
  constexpr std::size_t kTextSize = text_size(strings);
  static_assert(kTextSize < 256, "starts and sizes are bytes");
  PackedStrings<std::size(kStrings), kTextSize> packed{};
  std::size_t n = 0;
  for (std::size_t i = 0; i < strings.size(); ++i) {
    if (inside_another(strings, i)) continue;
    for (const char c : strings[i]) packed.text[n++] = c;
  }
  for (std::size_t i = 0; i < strings.size(); ++i) {
    packed.start[i] = static_cast<std::uint8_t>(std::string_view(packed.text, n).find(strings[i]));
    packed.size[i] = static_cast<std::uint8_t>(strings[i].size());
  }
  return packed;
}

}  // namespace otter::protocol
