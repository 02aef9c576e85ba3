#include <gtest/gtest.h>

#include <string_view>
#include <vector>

#include "otter/image/base64.h"

namespace otter::image {
namespace {

Result<std::vector<std::uint8_t>> decode(std::string_view text, std::size_t capacity = 64) {
  std::vector<std::uint8_t> out(capacity);
  auto n = decode_base64(text, out);
  if (!n.ok()) return n.status();
  out.resize(*n);
  return out;
}

std::vector<std::uint8_t> bytes(std::string_view s) { return {s.begin(), s.end()}; }

TEST(Base64, DecodesRfc4648Vectors) {
  EXPECT_EQ(*decode(""), bytes(""));
  EXPECT_EQ(*decode("Zg=="), bytes("f"));
  EXPECT_EQ(*decode("Zm8="), bytes("fo"));
  EXPECT_EQ(*decode("Zm9v"), bytes("foo"));
  EXPECT_EQ(*decode("Zm9vYg=="), bytes("foob"));
  EXPECT_EQ(*decode("Zm9vYmE="), bytes("fooba"));
  EXPECT_EQ(*decode("Zm9vYmFy"), bytes("foobar"));
}

TEST(Base64, SkipsPemLineBreaks) { EXPECT_EQ(*decode("Zm9v\r\nYmFy\n"), bytes("foobar")); }

TEST(Base64, RejectsCharactersOutsideTheAlphabet) {
  EXPECT_EQ(decode("Zm9v*mFy").status(), Status::kMalformed);
  EXPECT_EQ(decode("Zm9v-_Fy").status(), Status::kMalformed);  // base64url is not accepted
}

TEST(Base64, RejectsMissingPadding) { EXPECT_EQ(decode("Zm8").status(), Status::kMalformed); }

TEST(Base64, RejectsDataAfterPadding) {
  EXPECT_EQ(decode("Zg==Zg==").status(), Status::kMalformed);
  EXPECT_EQ(decode("Zm8=a").status(), Status::kMalformed);
}

TEST(Base64, RejectsMisplacedPadding) {
  EXPECT_EQ(decode("Z===").status(), Status::kMalformed);
  EXPECT_EQ(decode("====").status(), Status::kMalformed);
  EXPECT_EQ(decode("Zm9v=").status(), Status::kMalformed);
  EXPECT_EQ(decode("Zm8==").status(), Status::kMalformed);
}

TEST(Base64, RejectsNonCanonicalTrailingBits) {
  EXPECT_EQ(decode("Zh==").status(), Status::kMalformed);
  EXPECT_EQ(decode("Zm9=").status(), Status::kMalformed);
}

TEST(Base64, ReportsBufferTooSmall) {
  EXPECT_EQ(decode("Zm9vYmFy", 5).status(), Status::kBufferTooSmall);
  EXPECT_EQ(decode("Zm9vYg==", 3).status(), Status::kBufferTooSmall);
  EXPECT_TRUE(decode("Zm9vYmFy", 6).ok());
}

}  // namespace
}  // namespace otter::image
