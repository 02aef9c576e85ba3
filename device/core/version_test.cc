#include "otter/core/version.h"

#include <gtest/gtest.h>

#include <string_view>

namespace otter {
namespace {

Result<Version> parse(std::string_view s) { return parse_version({s.data(), s.size()}); }

TEST(Version, EncodesLikeAwsOtaLibrary) {
  EXPECT_EQ((Version{1, 0, 1}.encoded()), 0x01000001U);
  EXPECT_EQ((Version{0, 9, 2}.encoded()), 0x00090002U);
  const Version v = Version::decode(0x0203ABCD);
  EXPECT_EQ(v.major, 2);
  EXPECT_EQ(v.minor, 3);
  EXPECT_EQ(v.build, 0xABCD);
}

TEST(Version, OrdersByMajorMinorBuild) {
  EXPECT_LT((Version{1, 0, 0}), (Version{1, 0, 1}));
  EXPECT_LT((Version{1, 0, 65535}), (Version{1, 1, 0}));
  EXPECT_EQ((Version{1, 2, 3}), (Version{1, 2, 3}));
}

TEST(Version, ParsesAwsStatusDetailsSpelling) {
  const auto v = parse("  v0.9.3");
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(*v, (Version{0, 9, 3}));
  EXPECT_EQ(*parse("1.0.1"), (Version{1, 0, 1}));
}

TEST(Version, RejectsMalformedOrOutOfRange) {
  for (const char* bad : {"", "v", "1", "1.0", "1.0.", "1..0", "256.0.0", "1.256.0", "1.0.65536", "1.0.1x", "-1.0.0"}) {
    EXPECT_EQ(parse(bad).status(), Status::kMalformed) << bad;
  }
}

TEST(Version, FormatsWithBoundsCheck) {
  char buf[16];
  const auto n = format_version(Version{1, 0, 65535}, buf);
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(std::string_view(buf, *n), "v1.0.65535");
  char tiny[6];
  EXPECT_EQ(format_version(Version{1, 0, 1}, tiny).status(), Status::kBufferTooSmall);  // needs 7
  char exact[7];
  EXPECT_TRUE(format_version(Version{1, 0, 1}, exact).ok());
}

}  // namespace
}  // namespace otter
