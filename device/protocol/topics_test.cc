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

TEST(Topics, ParsesWhatItBuildsForTheTopicsADeviceReceives) {
  const struct {
    TopicKind kind;
    bool received;
  } kinds[] = {{TopicKind::kNotifyNext, true},         {TopicKind::kNextGet, false},
               {TopicKind::kNextGetAccepted, true},    {TopicKind::kNextGetRejected, true},
               {TopicKind::kJobUpdate, false},         {TopicKind::kJobUpdateAccepted, true},
               {TopicKind::kJobUpdateRejected, true},  {TopicKind::kStreamGet, false},
               {TopicKind::kStreamData, true},         {TopicKind::kStreamRejected, true}};
  for (const auto& k : kinds) {
    for (const StreamFormat format : {StreamFormat::kCbor, StreamFormat::kJson}) {
      const std::string topic = build(k.kind, "n-1", format);
      ASSERT_NE(topic, "<error>");
      const auto m = parse_topic(topic, "dev-1");
      ASSERT_EQ(m.ok(), k.received) << topic;
      if (!k.received) continue;
      EXPECT_EQ(m->kind, k.kind) << topic;
      const bool named = k.kind >= TopicKind::kJobUpdate;
      EXPECT_EQ(m->name, named ? "n-1" : "") << topic;
      if (k.kind >= TopicKind::kStreamGet) EXPECT_EQ(m->format, format) << topic;
    }
  }
}

TEST(Topics, IgnoresTopicsThatOnlyResembleTheDevicesOwn) {
  for (const char* topic : {"$aws/things/dev-1", "$aws/things/dev-1/", "$aws/things/dev-1/jobs/notify-nex",
                            "$aws/things/dev-1/jobs/notify-next/", "$aws/things/dev-1/jobs/notify-nextx",
                            "$aws/things/dev-1jobs/notify-next", "$aws/things/dev-1/jobs//update/accepted",
                            "$aws/things/dev-1/jobs/a#b/update/accepted",
                            "$aws/things/dev-1/jobs/+/update/accepted", "$aws/things/dev-1/jobs/+/update/rejected",
                            "$aws/things/dev-1/streams/+/data/cbor", "$aws/things/+/jobs/notify-next", "$aws/things/dev-1/jobs/j/update/accepted/",
                            "$aws/things/dev-1/jobs/j/update", "$aws/things/dev-1/jobs/$next/get",
                            "$aws/things/dev-1/streams/s/data/", "$aws/things/dev-1/streams/s/data/cborx",
                            "$aws/things/dev-1/streams/s/data/cbo", "$aws/things/dev-1/streams/s/data",
                            "$aws/things/dev-1/streams/s+t/data/cbor", "$aws/things/dev-1/streams/s/get/cbor",
                            "$aws/things/dev-1/streams/s/x/data/cbor", "$aws/things/dev-1/streams//data/cbor",
                            "$aws/thing/dev-1/jobs/notify-next", "", "$aws/things/"}) {
    EXPECT_EQ(parse_topic(topic, "dev-1").status(), Status::kNotFound) << topic;
  }
  const std::string long_job(kMaxJobId + 1, 'j');
  EXPECT_FALSE(parse_topic("$aws/things/dev-1/jobs/" + long_job + "/update/accepted", "dev-1").ok());
  const std::string longest_job(kMaxJobId, 'j');
  EXPECT_TRUE(parse_topic("$aws/things/dev-1/jobs/" + longest_job + "/update/accepted", "dev-1").ok());
  const std::string long_stream(kMaxStreamName + 1, 's');
  EXPECT_FALSE(parse_topic("$aws/things/dev-1/streams/" + long_stream + "/data/cbor", "dev-1").ok());
  const std::string longest_stream(kMaxStreamName, 's');
  EXPECT_TRUE(parse_topic("$aws/things/dev-1/streams/" + longest_stream + "/data/cbor", "dev-1").ok());
}

TEST(Topics, MatchesNothingForAThingItCannotBuild) {
  EXPECT_EQ(parse_topic("$aws/things/a+b/jobs/notify-next", "a+b").status(), Status::kNotFound);
  EXPECT_EQ(parse_topic("$aws/things//jobs/notify-next", "").status(), Status::kNotFound);
  const std::string long_thing(kMaxThingName + 1, 't');
  EXPECT_EQ(parse_topic("$aws/things/" + long_thing + "/jobs/notify-next", long_thing).status(), Status::kNotFound);
  const std::string longest_thing(kMaxThingName, 't');
  EXPECT_TRUE(parse_topic("$aws/things/" + longest_thing + "/jobs/notify-next", longest_thing).ok());
}

TEST(Topics, RefusesOversizedNamesAndTheWildcardForStreams) {
  std::array<char, kMaxTopic> out{};
  EXPECT_EQ(build_topic(out, std::string(kMaxThingName + 1, 't'), TopicKind::kNotifyNext).status(),
            Status::kInvalidArgument);
  EXPECT_EQ(build_topic(out, "dev-1", TopicKind::kJobUpdate, std::string(kMaxJobId + 1, 'j')).status(),
            Status::kInvalidArgument);
  EXPECT_TRUE(build_topic(out, "dev-1", TopicKind::kJobUpdate, std::string(kMaxJobId, 'j')).ok());
  EXPECT_EQ(build_topic(out, "dev-1", TopicKind::kStreamGet, "+").status(), Status::kInvalidArgument);
  EXPECT_EQ(build_topic(out, "dev-1", TopicKind::kJobUpdate, "a+").status(), Status::kInvalidArgument);
  EXPECT_EQ(build_topic(out, "", TopicKind::kNotifyNext).status(), Status::kInvalidArgument);
  // Exactly the topic and its NUL fit; one byte less does not.
  const std::string_view notify = "$aws/things/dev-1/jobs/notify-next";
  std::array<char, 64> small{};
  EXPECT_EQ(build_topic(std::span<char>(small).first(notify.size() + 1), "dev-1", TopicKind::kNotifyNext).value(),
            notify.size());
  EXPECT_EQ(std::string_view(small.data()), notify);
  EXPECT_EQ(build_topic(std::span<char>(small).first(notify.size()), "dev-1", TopicKind::kNotifyNext).status(),
            Status::kBufferTooSmall);
  EXPECT_EQ(build_topic(std::span<char>(), "dev-1", TopicKind::kNotifyNext).status(), Status::kBufferTooSmall);
}

TEST(JobStatusNames, AreTheJobsApiNames) {
  const char* names[] = {"UNKNOWN", "QUEUED", "IN_PROGRESS", "SUCCEEDED", "FAILED",
                         "REJECTED", "CANCELED", "TIMED_OUT", "REMOVED"};
  for (unsigned i = 0; i < std::size(names); ++i) EXPECT_EQ(to_string(static_cast<JobStatus>(i)), names[i]);
}

}  // namespace
}  // namespace otter::protocol
