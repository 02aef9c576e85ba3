#include <gtest/gtest.h>

#include <array>
#include <functional>
#include <string>

#include "otter/protocol/job_updates.h"

namespace otter::protocol {
namespace {

using Encoder = std::function<Result<std::size_t>(std::span<char>)>;

std::string encode(const Encoder& f) {
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

TEST(StatusUpdates, WriteTheExtremesOfEveryNumber) {
  EXPECT_EQ(encode([](auto o) { return encode_progress(o, 0, 4294967295u); }),
            R"({"status":"IN_PROGRESS","statusDetails":{"receive":"0/4294967295"}})");
  EXPECT_EQ(encode([](auto o) { return encode_self_test(o, SelfTest::kActive, 0xFFFFFFFF); }),
            R"({"status":"IN_PROGRESS","statusDetails":{"self_test":"active","updatedBy":"0xffffffff"}})");
  EXPECT_EQ(encode([](auto o) { return encode_succeeded(o, Version{255, 255, 65535}, Version{0, 0, 0}); }),
            R"({"status":"SUCCEEDED","statusDetails":{"reason":"accepted v255.255.65535","updatedBy":"v0.0.0"}})");
  EXPECT_EQ(encode([](auto o) { return encode_failed(o, JobStatus::kFailed, "", 0); }),
            R"({"status":"FAILED","statusDetails":{"reason":": 0x00000000"}})");
  EXPECT_EQ(encode([](auto o) { return encode_next_get(o, 4294967295u, ""); }), R"({"clientToken":"4294967295:"})");
}

// Reasons and thing names are free text: quotes, backslashes and control
// characters are escaped so that the document stays valid JSON.
TEST(StatusUpdates, EscapeFreeText) {
  EXPECT_EQ(encode([](auto o) { return encode_failed(o, JobStatus::kFailed, "a\"b\\c\n\x01\x1f\x7f", 0xAB); }),
            R"({"status":"FAILED","statusDetails":{"reason":"a\"b\\c\u000a\u0001\u001f)" "\x7f"
            R"(: 0x000000ab"}})");
  EXPECT_EQ(encode([](auto o) { return encode_next_get(o, 1, std::string_view("t\"\0", 3)); }),
            R"({"clientToken":"1:t\"\u0000"})");
}

// The one call for all four updates writes what the typed encoders write.
TEST(StatusUpdates, OneCallForAllUpdates) {
  const std::uint32_t counts[] = {25, 74};
  EXPECT_EQ(encode([&](auto o) { return encode_update(o, Update::kProgress, {JobStatus::kInProgress, {}, counts}); }),
            encode([](auto o) { return encode_progress(o, 25, 74); }));
  const std::uint32_t version = 0x00090002;
  EXPECT_EQ(encode([&](auto o) {
              return encode_update(o, Update::kSelfTest, {JobStatus::kInProgress, json::kSelfTestActive, &version});
            }),
            encode([](auto o) { return encode_self_test(o, SelfTest::kActive, 0x00090002); }));
  const std::uint32_t versions[] = {1, 2, 3, 0, 9, 65535};
  EXPECT_EQ(encode([&](auto o) { return encode_update(o, Update::kSucceeded, {JobStatus::kSucceeded, {}, versions}); }),
            R"({"status":"SUCCEEDED","statusDetails":{"reason":"accepted v1.2.3","updatedBy":"v0.9.65535"}})");
  const std::uint32_t detail = 7;
  EXPECT_EQ(encode([&](auto o) { return encode_update(o, Update::kFailed, {JobStatus::kFailed, "x\"", &detail}); }),
            R"({"status":"FAILED","statusDetails":{"reason":"x\": 0x00000007"}})");
  std::array<char, 20> small{};
  EXPECT_EQ(encode_update(small, Update::kFailed, {JobStatus::kFailed, "x", &detail}).status(),
            Status::kBufferTooSmall);
}

TEST(StatusUpdates, RefuseArgumentsWithoutAShape) {
  std::array<char, 256> out{};
  EXPECT_EQ(encode_self_test(out, SelfTest::kNone, 1).status(), Status::kInvalidArgument);
  EXPECT_EQ(encode_failed(out, JobStatus::kSucceeded, "x", 1).status(), Status::kInvalidArgument);
  EXPECT_EQ(encode_failed(out, JobStatus::kInProgress, "x", 1).status(), Status::kInvalidArgument);
}

// A buffer one byte short is an error, never a truncated document, and
// nothing is written past its end.
TEST(StatusUpdates, ReportABufferTooSmallAndStayInsideIt) {
  const Encoder encoders[] = {
      [](auto o) { return encode_progress(o, 25, 74); },
      [](auto o) { return encode_self_test(o, SelfTest::kReady, 0x00090002); },
      [](auto o) { return encode_succeeded(o, Version{1, 0, 1}, Version{1, 0, 0}); },
      [](auto o) { return encode_failed(o, JobStatus::kRejected, "a\"\n", 0x01000000); },
      [](auto o) { return encode_next_get(o, 4, "dev-\"1"); },
  };
  for (const Encoder& f : encoders) {
    const std::string full = encode(f);
    ASSERT_NE(full, "<error>");
    for (std::size_t size = 0; size <= full.size(); ++size) {
      std::array<char, 256> out{};
      out.fill('#');
      const auto n = f(std::span<char>(out.data(), size));
      if (size < full.size()) {
        EXPECT_EQ(n.status(), Status::kBufferTooSmall) << full << " in " << size;
      } else {
        ASSERT_TRUE(n.ok()) << full;
        EXPECT_EQ(std::string(out.data(), *n), full);
      }
      EXPECT_EQ(std::string(out.data() + size, out.size() - size), std::string(out.size() - size, '#')) << full;
    }
  }
}

}  // namespace
}  // namespace otter::protocol
