#include <gtest/gtest.h>

#include <array>
#include <string>

#include "otter/codec/base64.h"

namespace otter::codec {
namespace {

std::string decode(std::string_view text) {
  std::array<std::uint8_t, 64> out{};
  auto n = base64_decode(text, out);
  if (!n.ok()) return "<error>";
  return std::string(reinterpret_cast<const char*>(out.data()), *n);
}

TEST(Base64, DecodesRfc4648Vectors) {
  EXPECT_EQ(decode(""), "");
  EXPECT_EQ(decode("Zg=="), "f");
  EXPECT_EQ(decode("Zm8="), "fo");
  EXPECT_EQ(decode("Zm9v"), "foo");
  EXPECT_EQ(decode("Zm9vYmFy"), "foobar");
}

TEST(Base64, RefusesBadCharactersAndPadding) {
  EXPECT_EQ(decode("Zm9"), "<error>");
  EXPECT_EQ(decode("Zm9*"), "<error>");
  EXPECT_EQ(decode("Z==="), "<error>");
  EXPECT_EQ(decode("Zg==Zm9v"), "<error>");
  EXPECT_EQ(decode("Zh=="), "<error>");  // stray bits under the padding
  EXPECT_EQ(decode("Zm9="), "<error>");
  EXPECT_EQ(decode("Zg=A"), "<error>");
  EXPECT_EQ(decode("Z=g="), "<error>");
  EXPECT_EQ(decode("===="), "<error>");
  EXPECT_EQ(decode("Zm9vZg==="), "<error>");
}

TEST(Base64, RefusesOutputThatDoesNotFit) {
  std::array<std::uint8_t, 2> out{};
  EXPECT_EQ(base64_decode("Zm9v", out).status(), Status::kBufferTooSmall);
}

TEST(Base64, DecodesARangeWithoutTheRest) {
  std::array<std::uint8_t, 3> out{};
  auto n = base64_decode_range("Zm9vYmFy", 3, out);
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(std::string(reinterpret_cast<const char*>(out.data()), *n), "bar");
  EXPECT_EQ(base64_decode_range("Zm9vYmFy", 2, out).status(), Status::kOutOfRange);
}

TEST(Base64, EncodesWithPadding) {
  const std::uint8_t data[] = {'f', 'o'};
  std::array<char, 8> out{};
  auto n = base64_encode(data, out);
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(std::string(out.data(), *n), "Zm8=");
}

}  // namespace
}  // namespace otter::codec
