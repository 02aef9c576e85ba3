#include "otter/core/crc32.h"

#include <gtest/gtest.h>

#include <array>
#include <cstring>

namespace otter {
namespace {

std::span<const std::uint8_t> bytes_of(const char* s) {
  return {reinterpret_cast<const std::uint8_t*>(s), std::strlen(s)};
}

TEST(Crc32, MatchesStandardCheckValue) {
  // The published check value of CRC-32/ISO-HDLC for "123456789".
  EXPECT_EQ(crc32(bytes_of("123456789")), 0xCBF43926U);
}

TEST(Crc32, EmptyInputIsZero) { EXPECT_EQ(crc32({}), 0U); }

TEST(Crc32, ContinuesAcrossChunks) {
  const auto whole = crc32(bytes_of("hello, otter"));
  const auto part = crc32(bytes_of(", otter"), crc32(bytes_of("hello")));
  EXPECT_EQ(whole, part);
}

TEST(Crc32, DetectsSingleBitFlip) {
  std::array<std::uint8_t, 64> data{};
  const auto clean = crc32(data);
  for (std::size_t bit = 0; bit < data.size() * 8; ++bit) {
    data[bit / 8] = static_cast<std::uint8_t>(data[bit / 8] ^ (1U << (bit % 8)));
    EXPECT_NE(crc32(data), clean) << bit;
    data[bit / 8] = static_cast<std::uint8_t>(data[bit / 8] ^ (1U << (bit % 8)));
  }
}

}  // namespace
}  // namespace otter
