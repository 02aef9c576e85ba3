#include <gtest/gtest.h>

#include <array>
#include <string>

#include "otter/protocol/names.h"
#include "otter/protocol/topics.h"

namespace otter::protocol {
namespace {

std::string build(TopicKind kind, std::string_view name = {}, StreamFormat f = StreamFormat::kCbor) {
  std::array<char, kMaxTopic> out{};
  auto n = build_topic(out, "dev-1", kind, name, f);
  return n.ok() ? std::string(out.data(), *n) : "<error>";
}

TEST(Topics, BuildsJobsTopics) {
  EXPECT_EQ(build(TopicKind::kNotifyNext), "$aws/things/dev-1/jobs/notify-next");
  EXPECT_EQ(build(TopicKind::kNextGet), "$aws/things/dev-1/jobs/$next/get");
  EXPECT_EQ(build(TopicKind::kNextGetAccepted), "$aws/things/dev-1/jobs/$next/get/accepted");
  EXPECT_EQ(build(TopicKind::kNextGetRejected), "$aws/things/dev-1/jobs/$next/get/rejected");
  EXPECT_EQ(build(TopicKind::kJobUpdate, "job-7"), "$aws/things/dev-1/jobs/job-7/update");
  EXPECT_EQ(build(TopicKind::kJobUpdateAccepted, "job-7"), "$aws/things/dev-1/jobs/job-7/update/accepted");
  EXPECT_EQ(build(TopicKind::kJobUpdateRejected, "+"), "$aws/things/dev-1/jobs/+/update/rejected");
}

TEST(Topics, BuildsStreamTopicsInBothFormats) {
  EXPECT_EQ(build(TopicKind::kStreamGet, "s1"), "$aws/things/dev-1/streams/s1/get/cbor");
  EXPECT_EQ(build(TopicKind::kStreamData, "s1"), "$aws/things/dev-1/streams/s1/data/cbor");
  EXPECT_EQ(build(TopicKind::kStreamRejected, "s1"), "$aws/things/dev-1/streams/s1/rejected/cbor");
  EXPECT_EQ(build(TopicKind::kStreamGet, "s1", StreamFormat::kJson), "$aws/things/dev-1/streams/s1/get/json");
  EXPECT_EQ(build(TopicKind::kStreamData, "s1", StreamFormat::kJson), "$aws/things/dev-1/streams/s1/data/json");
}

TEST(Topics, RefusesNamesThatWouldChangeTheTopicStructure) {
  EXPECT_EQ(build(TopicKind::kStreamData, "a/b"), "<error>");
  EXPECT_EQ(build(TopicKind::kStreamData, "#"), "<error>");
  EXPECT_EQ(build(TopicKind::kJobUpdate, ""), "<error>");
  std::array<char, kMaxTopic> out{};
  EXPECT_EQ(build_topic(out, "a+b", TopicKind::kNotifyNext).status(), Status::kInvalidArgument);
}

TEST(Topics, ReportsSmallBuffers) {
  std::array<char, 16> out{};
  EXPECT_EQ(build_topic(out, "dev-1", TopicKind::kNotifyNext).status(), Status::kBufferTooSmall);
}

TEST(Topics, LongestTopicFitsTheDocumentedMaximum) {
  const std::string thing(kMaxThingName, 't');
  const std::string stream(kMaxStreamName, 's');
  std::array<char, kMaxTopic> out{};
  EXPECT_TRUE(build_topic(out, thing, TopicKind::kStreamRejected, stream).ok());
}

TEST(Topics, ClassifiesIncomingTopics) {
  auto m = parse_topic("$aws/things/dev-1/streams/s1/data/json", "dev-1");
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->kind, TopicKind::kStreamData);
  EXPECT_EQ(m->name, "s1");
  EXPECT_EQ(m->format, StreamFormat::kJson);
  auto u = parse_topic("$aws/things/dev-1/jobs/j1/update/rejected", "dev-1");
  ASSERT_TRUE(u.ok());
  EXPECT_EQ(u->kind, TopicKind::kJobUpdateRejected);
  EXPECT_EQ(u->name, "j1");
  EXPECT_EQ(parse_topic("$aws/things/dev-1/jobs/notify-next", "dev-1")->kind, TopicKind::kNotifyNext);
}

TEST(Topics, IgnoresOtherThingsTopics) {
  EXPECT_EQ(parse_topic("$aws/things/dev-12/jobs/notify-next", "dev-1").status(), Status::kNotFound);
  EXPECT_EQ(parse_topic("$aws/things/dev-2/jobs/notify-next", "dev-1").status(), Status::kNotFound);
  EXPECT_EQ(parse_topic("$aws/things/dev-1/streams/s1/data/xml", "dev-1").status(), Status::kNotFound);
}

TEST(JobStatusNames, RoundTrip) {
  EXPECT_EQ(to_string(JobStatus::kInProgress), "IN_PROGRESS");
  EXPECT_EQ(job_status_from("TIMED_OUT"), JobStatus::kTimedOut);
  EXPECT_EQ(job_status_from("nonsense"), JobStatus::kUnknown);
}

}  // namespace
}  // namespace otter::protocol
