#include "otter/model/json.h"

#include <gtest/gtest.h>

namespace otter::model {
namespace {

using nlohmann::json;

json minimal_job() {
  return json::parse(R"({"jobId":"j1","document":{"afr_ota":{}},"targets":["thing/a","group/g"]})");
}

TEST(JobSpecJson, ParsesAwsCreateJobFields) {
  json j = minimal_job();
  j["targetSelection"] = "CONTINUOUS";
  j["jobExecutionsRolloutConfig"] = json::parse(
      R"({"maximumPerMinute":50,"exponentialRate":{"baseRatePerMinute":5,"incrementFactor":2,"rateIncreaseCriteria":{"numberOfSucceededThings":3}}})");
  j["abortConfig"] = json::parse(
      R"({"criteriaList":[{"failureType":"FAILED","action":"CANCEL","thresholdPercentage":25,"minNumberOfExecutedThings":4}]})");
  j["timeoutConfig"] = json::parse(R"({"inProgressTimeoutInMinutes":2})");
  j["jobExecutionsRetryConfig"] = json::parse(R"({"criteriaList":[{"failureType":"TIMED_OUT","numberOfRetries":2}]})");
  JobSpec s = job_spec_from_json(j);
  EXPECT_EQ(s.id, "j1");
  ASSERT_EQ(s.targets.size(), 2u);
  EXPECT_EQ(s.targets[1].kind, JobTarget::Kind::Group);
  EXPECT_EQ(s.target_selection, TargetSelection::Continuous);
  EXPECT_EQ(*s.rollout.maximum_per_minute, 50);
  EXPECT_EQ(s.rollout.exponential_rate->base_rate_per_minute, 5);
  EXPECT_EQ(*s.rollout.exponential_rate->rate_increase_criteria.number_of_succeeded_things, 3);
  EXPECT_EQ(s.abort.criteria.at(0).min_number_of_executed_things, 4);
  EXPECT_EQ(*s.timeout.in_progress_timeout_seconds, 120);
  EXPECT_EQ(s.retry.criteria.at(0).failure_type, FailureType::TimedOut);
}

TEST(JobSpecJson, RoundTripsThroughToJson) {
  json j = minimal_job();
  j["timeoutConfig"] = json::parse(R"({"inProgressTimeoutInSeconds":7})");
  JobSpec s = job_spec_from_json(j);
  JobSpec again = job_spec_from_json(to_json(s));
  EXPECT_EQ(to_json(again), to_json(s));
  EXPECT_EQ(*again.timeout.in_progress_timeout_seconds, 7);
}

TEST(JobSpecJson, RejectsBadInputWithAMessage) {
  auto error_of = [](json j) {
    try {
      job_spec_from_json(j);
    } catch (const ModelError& e) {
      return std::string(e.what());
    }
    return std::string("accepted");
  };
  json j = minimal_job();
  j["jobId"] = "bad id!";
  EXPECT_NE(error_of(j).find("jobId"), std::string::npos);
  j = minimal_job();
  j["targets"] = json::array({"device/x"});
  EXPECT_NE(error_of(j).find("thing/"), std::string::npos);
  j = minimal_job();
  j["abortConfig"] = json::parse(R"({"criteriaList":[{"failureType":"NOPE","thresholdPercentage":1,"minNumberOfExecutedThings":1}]})");
  EXPECT_NE(error_of(j).find("failureType"), std::string::npos);
  j = minimal_job();
  j["jobExecutionsRolloutConfig"] = json::parse(R"({"maximumPerMinute":-3})");
  EXPECT_NE(error_of(j).find("maximumPerMinute"), std::string::npos);
  EXPECT_NE(error_of(json::array()).find("object"), std::string::npos);
}

TEST(StatusDetailsJson, RequiresStringValues) {
  EXPECT_THROW(status_details_from_json(json::parse(R"({"a":1})")), ModelError);
  EXPECT_EQ(status_details_from_json(json::parse(R"({"receive":"1/2"})")).at("receive"), "1/2");
}

TEST(ExecutionStatusNames, AreAwsSpellings) {
  EXPECT_EQ(to_string(ExecutionStatus::TimedOut), "TIMED_OUT");
  EXPECT_EQ(parse_execution_status("CANCELED"), ExecutionStatus::Canceled);
  EXPECT_FALSE(parse_execution_status("cancelled").has_value());
  EXPECT_TRUE(is_terminal(ExecutionStatus::Removed));
  EXPECT_FALSE(is_terminal(ExecutionStatus::InProgress));
}

}  // namespace
}  // namespace otter::model
