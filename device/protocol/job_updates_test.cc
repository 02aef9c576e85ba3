#include <gtest/gtest.h>

#include <array>
#include <string>

#include "otter/protocol/job_updates.h"

namespace otter::protocol {
namespace {

template <typename F>
std::string encode(F f) {
  std::array<char, 256> out{};
  auto n = f(std::span<char>(out));
  return n.ok() ? std::string(out.data(), *n) : "<error>";
}

TEST(StatusUpdates, MatchTheAwsShapes) {
  EXPECT_EQ(encode([](auto o) { return encode_progress(o, 25, 74); }),
            R"({"status":"IN_PROGRESS","statusDetails":{"receive":"25/74"}})");
  EXPECT_EQ(encode([](auto o) { return encode_self_test(o, SelfTest::kReady, 0x00090002); }),
            R"({"status":"IN_PROGRESS","statusDetails":{"self_test":"ready","updatedBy":"0x00090002"}})");
  EXPECT_EQ(encode([](auto o) { return encode_succeeded(o, Version{1, 0, 1}, Version{1, 0, 0}); }),
            R"({"status":"SUCCEEDED","statusDetails":{"reason":"accepted v1.0.1","updatedBy":"v1.0.0"}})");
  EXPECT_EQ(encode([](auto o) { return encode_failed(o, JobStatus::kRejected, "downgrade", 0x01000000); }),
            R"({"status":"REJECTED","statusDetails":{"reason":"downgrade: 0x01000000"}})");
  EXPECT_EQ(encode([](auto o) { return encode_next_get(o, 4, "dev-1"); }), R"({"clientToken":"4:dev-1"})");
}

}  // namespace
}  // namespace otter::protocol
