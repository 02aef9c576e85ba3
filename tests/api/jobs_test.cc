// The job lifecycle over REST: create from firmware, inspect, cancel.
#include "api_fixture.h"
#include "otter/image/test_image.h"

namespace otter::api::testing {
namespace {

TEST_F(ApiTest, AJobFromSignedFirmwareCarriesAnAfrOtaDocument) {
  create_thing("dev1");
  const std::string firmware = upload_signed_firmware();
  auto res = post("/api/v1/jobs", {{"jobId", "update-1"}, {"firmwareId", firmware}, {"things", {"dev1"}}});
  ASSERT_EQ(res->status, 201) << res->body;
  const auto job = body_of(res);
  EXPECT_EQ(job["jobId"], "update-1");
  const auto& file = job["document"]["afr_ota"]["files"][0];
  EXPECT_EQ(file["filesize"], 16 * 1024);
  EXPECT_EQ(file["certfile"], "Code_Verify_Key");
  EXPECT_EQ(file["sig-sha256-ecdsa"], body_of(get("/api/v1/firmware/" + firmware))["signature"]);
  const std::string stream = job["document"]["afr_ota"]["streamname"];
  const auto stream_body = body_of(get("/api/v1/streams/" + stream));
  EXPECT_EQ(stream_body["files"][0]["size"], 16 * 1024);
}

TEST_F(ApiTest, AJobGetsAGeneratedIdWhenNoneIsGiven) {
  create_thing("dev1");
  auto res = post("/api/v1/jobs", {{"firmwareId", upload_signed_firmware()}, {"things", {"dev1"}}});
  ASSERT_EQ(res->status, 201) << res->body;
  EXPECT_EQ(body_of(res)["jobId"].get<std::string>().rfind("ota-", 0), 0u);
}

TEST_F(ApiTest, ShowingAJobCountsExecutionsPerState) {
  create_thing("dev1");
  create_thing("dev2");
  ASSERT_EQ(post("/api/v1/jobs", {{"jobId", "j1"}, {"firmwareId", upload_signed_firmware()}, {"things", {"dev1", "dev2"}}})
                ->status,
            201);
  const auto job = body_of(get("/api/v1/jobs/j1"));
  EXPECT_EQ(job["status"], "IN_PROGRESS");
  EXPECT_EQ(job["executionCounts"]["QUEUED"], 2);
  EXPECT_EQ(job["executionCounts"]["SUCCEEDED"], 0);
  const auto executions = body_of(get("/api/v1/jobs/j1/executions"));
  EXPECT_EQ(executions["total"], 2);
  EXPECT_EQ(executions["executions"][0]["status"], "QUEUED");
}

TEST_F(ApiTest, TheEventFeedReportsChangesAfterASequenceNumber) {
  create_thing("dev1");
  ASSERT_EQ(post("/api/v1/jobs", {{"jobId", "j1"}, {"firmwareId", upload_signed_firmware()}, {"things", {"dev1"}}})
                ->status,
            201);
  const auto events_before = body_of(get("/api/v1/jobs/j1/events"));
  ASSERT_GE(events_before["events"].size(), 1u);
  EXPECT_EQ(events_before["events"][0]["status"], "QUEUED");
  const auto after = events_before["lastSeq"].get<std::int64_t>();
  EXPECT_EQ(body_of(get("/api/v1/jobs/j1/events?after=" + std::to_string(after)))["events"].size(), 0u);
}

TEST_F(ApiTest, DeviceProgressShowsUpInExecutionsWithStatusDetails) {
  create_thing("dev1");
  ASSERT_EQ(post("/api/v1/jobs", {{"jobId", "j1"}, {"firmwareId", upload_signed_firmware()}, {"things", {"dev1"}}})
                ->status,
            201);
  ASSERT_TRUE(server.device_update("dev1", "j1", "IN_PROGRESS", {{"receive", "3/4"}}).accepted);
  const auto executions = body_of(get("/api/v1/jobs/j1/executions"));
  EXPECT_EQ(executions["executions"][0]["status"], "IN_PROGRESS");
  EXPECT_EQ(executions["executions"][0]["statusDetails"]["receive"], "3/4");
  const auto one = body_of(get("/api/v1/jobs/j1/executions/dev1"));
  EXPECT_EQ(one["events"].back()["statusDetails"]["receive"], "3/4");
  ASSERT_TRUE(server.device_update("dev1", "j1", "SUCCEEDED", {{"reason", "accepted  v1.0.1"}}).accepted);
  const auto job = body_of(get("/api/v1/jobs/j1"));
  EXPECT_EQ(job["executionCounts"]["SUCCEEDED"], 1);
  EXPECT_EQ(job["status"], "COMPLETED");
}

TEST_F(ApiTest, CancelingAJobCancelsItsQueuedExecutions) {
  create_thing("dev1");
  ASSERT_EQ(post("/api/v1/jobs", {{"jobId", "j1"}, {"firmwareId", upload_signed_firmware()}, {"things", {"dev1"}}})
                ->status,
            201);
  auto res = post("/api/v1/jobs/j1/cancel", {{"reasonCode", "operator"}, {"comment", "wrong build"}});
  ASSERT_EQ(res->status, 200) << res->body;
  EXPECT_EQ(body_of(res)["status"], "CANCELED");
  EXPECT_EQ(body_of(get("/api/v1/jobs/j1"))["executionCounts"]["CANCELED"], 1);
  EXPECT_EQ(body_of(get("/api/v1/jobs?status=CANCELED"))["total"], 1);
  EXPECT_EQ(body_of(get("/api/v1/jobs?status=IN_PROGRESS"))["total"], 0);
}

TEST_F(ApiTest, AContinuousGroupJobTakesRolloutAbortAndTimeoutConfig) {
  create_thing("dev1");
  ASSERT_EQ(post("/api/v1/groups", {{"thingGroupName", "fleet"}, {"things", {"dev1"}}})->status, 201);
  auto res = post("/api/v1/jobs",
                  {{"jobId", "j1"},
                   {"firmwareId", upload_signed_firmware()},
                   {"groups", {"fleet"}},
                   {"targetSelection", "CONTINUOUS"},
                   {"jobExecutionsRolloutConfig",
                    {{"exponentialRate",
                      {{"baseRatePerMinute", 5},
                       {"incrementFactor", 2.0},
                       {"rateIncreaseCriteria", {{"numberOfSucceededThings", 5}}}}}}},
                   {"abortConfig",
                    {{"criteriaList",
                      {{{"failureType", "FAILED"},
                        {"action", "CANCEL"},
                        {"thresholdPercentage", 20},
                        {"minNumberOfExecutedThings", 5}}}}}},
                   {"timeoutConfig", {{"inProgressTimeoutInSeconds", 600}}}});
  ASSERT_EQ(res->status, 201) << res->body;
  const auto job = body_of(get("/api/v1/jobs/j1"));
  EXPECT_EQ(job["targetSelection"], "CONTINUOUS");
  EXPECT_EQ(job["abortConfig"]["criteriaList"][0]["thresholdPercentage"], 20.0);
  EXPECT_EQ(job["timeoutConfig"]["inProgressTimeoutInSeconds"], 600);
  // A thing joining the group later gets the job too.
  create_thing("dev2");
  ASSERT_EQ(put("/api/v1/groups/fleet/members/dev2")->status, 200);
  const auto counts = body_of(get("/api/v1/jobs/j1"));
  EXPECT_EQ(counts["executionCounts"]["QUEUED"].get<int>() + counts["pendingRollout"].get<int>(), 2);
}

TEST_F(ApiTest, AJobFromUnsignedFirmwareIsRefused) {
  create_thing("dev1");
  const auto image = image::make_test_image({.size = 8 * 1024});
  const std::string id = body_of(post_raw("/api/v1/firmware", std::string(image.begin(), image.end()),
                                          "application/octet-stream"))["firmwareId"];
  auto res = post("/api/v1/jobs", {{"firmwareId", id}, {"things", {"dev1"}}});
  EXPECT_EQ(res->status, 409);
  EXPECT_NE(body_of(res)["error"].get<std::string>().find("not signed"), std::string::npos);
}

TEST_F(ApiTest, AJobForAnUnknownThingIsRefused) {
  auto res = post("/api/v1/jobs", {{"firmwareId", upload_signed_firmware()}, {"things", {"ghost"}}});
  EXPECT_GE(res->status, 400);
  EXPECT_LT(res->status, 500);
  EXPECT_EQ(body_of(get("/api/v1/jobs"))["total"], 0);
}

TEST_F(ApiTest, AJobWithABadRolloutIsA400) {
  create_thing("dev1");
  auto res = post("/api/v1/jobs", {{"firmwareId", upload_signed_firmware()},
                                   {"things", {"dev1"}},
                                   {"jobExecutionsRolloutConfig", {{"maximumPerMinute", 0}}}});
  EXPECT_EQ(res->status, 400) << res->body;
}

TEST_F(ApiTest, FirmwareUsedByARunningJobCannotBeDeleted) {
  create_thing("dev1");
  const std::string firmware = upload_signed_firmware();
  ASSERT_EQ(post("/api/v1/jobs", {{"jobId", "j1"}, {"firmwareId", firmware}, {"things", {"dev1"}}})->status, 201);
  EXPECT_EQ(del("/api/v1/firmware/" + firmware)->status, 409);
  ASSERT_EQ(post("/api/v1/jobs/j1/cancel", {{"force", true}})->status, 200);
  EXPECT_EQ(del("/api/v1/firmware/" + firmware)->status, 200);
}

}  // namespace
}  // namespace otter::api::testing
