#include "otter/mqtt/jobs_protocol.h"

#include <gtest/gtest.h>

namespace otter::mqtt {
namespace {

using jobs::RejectCode;
using nlohmann::json;

TEST(UpdateRequestJson, ParsesTheAwsAgentsProgressUpdate) {
  auto p = parse_update_request(R"({"status":"IN_PROGRESS","statusDetails":{"receive":"25/74"}})");
  ASSERT_TRUE(std::holds_alternative<UpdateJobRequest>(p));
  const auto& r = std::get<UpdateJobRequest>(p);
  EXPECT_EQ(r.update.status, "IN_PROGRESS");
  EXPECT_EQ(r.update.status_details->at("receive"), "25/74");
  EXPECT_FALSE(r.update.expected_version);
}

TEST(UpdateRequestJson, ParsesOptionalFields) {
  auto p = parse_update_request(
      R"({"status":"SUCCEEDED","expectedVersion":"3","executionNumber":1,"stepTimeoutInMinutes":-1,
          "includeJobExecutionState":true,"includeJobDocument":true,"clientToken":"t"})");
  ASSERT_TRUE(std::holds_alternative<UpdateJobRequest>(p));
  const auto& r = std::get<UpdateJobRequest>(p);
  EXPECT_EQ(r.update.expected_version, 3);
  EXPECT_EQ(r.update.step_timeout_minutes, -1);
  EXPECT_TRUE(r.update.include_job_execution_state);
  EXPECT_EQ(r.client_token, "t");
}

TEST(UpdateRequestJson, BadInputGetsAwsCodes) {
  auto code = [](std::string_view s) {
    auto p = parse_update_request(s);
    return std::holds_alternative<RequestError>(p) ? std::get<RequestError>(p).code : RejectCode::InternalError;
  };
  EXPECT_EQ(code("{"), RejectCode::InvalidJson);
  EXPECT_EQ(code("[]"), RejectCode::InvalidJson);
  EXPECT_EQ(code("{}"), RejectCode::InvalidRequest);
  EXPECT_EQ(code(R"({"status":1})"), RejectCode::InvalidRequest);
  EXPECT_EQ(code(R"({"status":"IN_PROGRESS","statusDetails":{"a":1}})"), RejectCode::InvalidRequest);
  EXPECT_EQ(code(R"({"status":"IN_PROGRESS","expectedVersion":"x"})"), RejectCode::InvalidRequest);
  EXPECT_EQ(code(R"({"status":"IN_PROGRESS","clientToken":")" + std::string(65, 'x') + "\"}"),
            RejectCode::InvalidRequest);
}

TEST(UpdateRequestJson, ErrorsKeepTheClientToken) {
  auto p = parse_update_request(R"({"clientToken":"abc","status":5})");
  EXPECT_EQ(std::get<RequestError>(p).client_token, "abc");
}

TEST(DescribeRequestJson, AcceptsTheAgentsRequestAndAnEmptyBody) {
  auto p = parse_describe_request(R"({"clientToken":":MY-IOT-OTA-Device"})");
  ASSERT_TRUE(std::holds_alternative<DescribeRequest>(p));
  EXPECT_EQ(std::get<DescribeRequest>(p).client_token, ":MY-IOT-OTA-Device");
  EXPECT_TRUE(std::holds_alternative<DescribeRequest>(parse_describe_request("")));
  EXPECT_TRUE(std::holds_alternative<RequestError>(parse_describe_request("nope")));
}

model::JobExecution execution() {
  model::JobExecution e;
  e.job_id = "j";
  e.thing_name = "dev-1";
  e.status = model::ExecutionStatus::InProgress;
  e.status_details = {{"self_test", "ready"}};
  e.version_number = 4;
  e.queued_at = 1000000;
  e.started_at = 2000000;
  e.last_updated_at = 3000000;
  return e;
}

TEST(JobsMessages, NextExecutionCarriesTheExecutionAndDocument) {
  json doc = {{"afr_ota", {{"streamname", "s"}}}};
  json m = next_execution_message(execution(), doc, "tok", 5000000);
  EXPECT_EQ(m["clientToken"], "tok");
  EXPECT_EQ(m["timestamp"], 5000);
  const json& e = m["execution"];
  EXPECT_EQ(e["jobId"], "j");
  EXPECT_EQ(e["thingName"], "dev-1");
  EXPECT_EQ(e["status"], "IN_PROGRESS");
  EXPECT_EQ(e["statusDetails"]["self_test"], "ready");
  EXPECT_EQ(e["versionNumber"], 4);
  EXPECT_EQ(e["executionNumber"], 1);
  EXPECT_EQ(e["queuedAt"], 1000);
  EXPECT_EQ(e["startedAt"], 2000);
  EXPECT_EQ(e["jobDocument"], doc);
}

TEST(JobsMessages, NoPendingJobMeansNoExecutionField) {
  json m = next_execution_message(std::nullopt, nullptr, "", 0);
  EXPECT_FALSE(m.contains("execution"));
  EXPECT_FALSE(m.contains("clientToken"));
}

TEST(JobsMessages, RejectedCarriesCodeMessageAndState) {
  json m = rejected(RejectCode::VersionMismatch, "expected 1", "t", 0, execution());
  EXPECT_EQ(m["code"], "VersionMismatch");
  EXPECT_EQ(m["executionState"]["versionNumber"], 4);
  EXPECT_EQ(m["executionState"]["status"], "IN_PROGRESS");
}

TEST(JobsMessages, UpdateAcceptedIncludesStateOnlyWhenAsked) {
  jobs::UpdateOutcome o;
  o.accepted = true;
  o.execution = execution();
  UpdateJobRequest r;
  EXPECT_FALSE(update_accepted(o, r, 0).contains("executionState"));
  r.update.include_job_execution_state = true;
  EXPECT_EQ(update_accepted(o, r, 0)["executionState"]["versionNumber"], 4);
}

}  // namespace
}  // namespace otter::mqtt
