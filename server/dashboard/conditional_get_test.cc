#include "otter/dashboard/conditional_get.h"

#include <gtest/gtest.h>

namespace otter::dashboard {
namespace {

TEST(ConditionalGet, EtagDependsOnTheBody) {
  EXPECT_EQ(etag_of("{\"a\":1}"), etag_of("{\"a\":1}"));
  EXPECT_NE(etag_of("{\"a\":1}"), etag_of("{\"a\":2}"));
  EXPECT_EQ(etag_of("").size(), 34u);  // 32 hex digits in quotes
}

TEST(ConditionalGet, MatchesTheSameTag) { EXPECT_TRUE(if_none_match_hits("\"abc\"", "\"abc\"")); }

TEST(ConditionalGet, MatchesAWeakFormOfTheTag) { EXPECT_TRUE(if_none_match_hits("W/\"abc\"", "\"abc\"")); }

TEST(ConditionalGet, MatchesOneOfAList) { EXPECT_TRUE(if_none_match_hits("\"x\", \"abc\" ,\"y\"", "\"abc\"")); }

TEST(ConditionalGet, StarMatchesAnything) { EXPECT_TRUE(if_none_match_hits("*", "\"abc\"")); }

TEST(ConditionalGet, OtherTagsDoNotMatch) {
  EXPECT_FALSE(if_none_match_hits("\"abd\"", "\"abc\""));
  EXPECT_FALSE(if_none_match_hits("abc", "\"abc\""));
  EXPECT_FALSE(if_none_match_hits("", "\"abc\""));
  EXPECT_FALSE(if_none_match_hits(" , ,", "\"abc\""));
}

}  // namespace
}  // namespace otter::dashboard
