#include "otter/core/result.h"

#include <gtest/gtest.h>

#include <cstring>
#include <memory>

namespace otter {
namespace {

Result<int> half(int x) {
  if (x % 2 != 0) return Status::kInvalidArgument;
  return x / 2;
}

Result<int> quarter(int x) {
  OTTER_ASSIGN_OR_RETURN(const int h, half(x));
  return half(h);
}

Status check_even(int x) {
  OTTER_TRY(half(x).status());
  return Status::kOk;
}

TEST(Result, HoldsValueWhenOk) {
  const Result<int> r = half(8);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, 4);
  EXPECT_EQ(r.status(), Status::kOk);
}

TEST(Result, HoldsStatusWhenError) {
  const Result<int> r = half(3);
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.status(), Status::kInvalidArgument);
  EXPECT_EQ(r.value_or(-1), -1);
}

TEST(Result, OkStatusWithoutValueBecomesInternalError) {
  const Result<int> r = Status::kOk;
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.status(), Status::kInternal);
}

TEST(Result, AssignOrReturnPropagatesFirstError) {
  EXPECT_EQ(*quarter(8), 2);
  EXPECT_EQ(quarter(6).status(), Status::kInvalidArgument);  // 6/2 = 3 is odd
  EXPECT_EQ(quarter(5).status(), Status::kInvalidArgument);
}

TEST(Result, TryPropagatesStatus) {
  EXPECT_EQ(check_even(4), Status::kOk);
  EXPECT_EQ(check_even(5), Status::kInvalidArgument);
}

TEST(Result, DestroysNonTrivialValueExactlyOnce) {
  auto counter = std::make_shared<int>(0);
  {
    Result<std::shared_ptr<int>> a = counter;
    Result<std::shared_ptr<int>> b = a;
    EXPECT_EQ(counter.use_count(), 3);
    b = Status::kNotFound;
    EXPECT_EQ(counter.use_count(), 2);
    Result<std::shared_ptr<int>> c = std::move(a);
    EXPECT_TRUE(c.ok());
  }
  EXPECT_EQ(counter.use_count(), 1);
}

TEST(Status, EveryStatusHasAName) {
  for (int s = 0; s <= static_cast<int>(Status::kInternal); ++s) {
    const char* name = to_string(static_cast<Status>(s));
    EXPECT_NE(std::strcmp(name, "unknown status"), 0) << s;
  }
}

}  // namespace
}  // namespace otter
