#include "otter/mqtt/topics.h"

#include <gtest/gtest.h>

namespace otter::mqtt {
namespace {

TEST(DeviceTopics, RecogniseTheJobsApi) {
  auto t = parse_device_topic("$aws/things/dev-1/jobs/$next/get");
  ASSERT_TRUE(t);
  EXPECT_EQ(t->kind, DeviceTopic::Kind::DescribeJob);
  EXPECT_EQ(t->thing, "dev-1");
  EXPECT_EQ(t->id, "$next");
  t = parse_device_topic("$aws/things/dev-1/jobs/job_7/update");
  ASSERT_TRUE(t);
  EXPECT_EQ(t->kind, DeviceTopic::Kind::UpdateJob);
  EXPECT_EQ(t->id, "job_7");
  t = parse_device_topic("$aws/things/dev-1/jobs/get");
  ASSERT_TRUE(t);
  EXPECT_EQ(t->kind, DeviceTopic::Kind::ListPendingJobs);
}

TEST(DeviceTopics, RecogniseGetStreamInBothFormats) {
  auto t = parse_device_topic("$aws/things/dev-1/streams/AFR_OTA-1/get/cbor");
  ASSERT_TRUE(t);
  EXPECT_EQ(t->kind, DeviceTopic::Kind::GetStream);
  EXPECT_EQ(t->format, streams::Format::Cbor);
  EXPECT_EQ(t->id, "AFR_OTA-1");
  EXPECT_EQ(parse_device_topic("$aws/things/dev-1/streams/s/get/json")->format, streams::Format::Json);
}

TEST(DeviceTopics, RejectEverythingElse) {
  for (const char* bad : {"", "$aws/things", "$aws/things/dev-1/jobs/$next/update", "$aws/things/dev 1/jobs/get",
                          "$aws/things/dev-1/jobs/a.b/get", "$aws/things/dev-1/streams/s/get/xml",
                          "$aws/things/dev-1/jobs/j/update/accepted", "aws/things/dev-1/jobs/get",
                          "$aws/things//jobs/get", "$aws/things/dev-1/shadow/get"})
    EXPECT_FALSE(parse_device_topic(bad)) << bad;
}

TEST(DeviceTopics, SubscriptionsCoverNextGetOnce) {
  auto subs = device_request_subscriptions();
  EXPECT_EQ(std::count(subs.begin(), subs.end(), "$aws/things/+/jobs/+/get"), 1);
  EXPECT_EQ(std::count(subs.begin(), subs.end(), "$aws/things/+/jobs/$next/get"), 0);
}

}  // namespace
}  // namespace otter::mqtt
