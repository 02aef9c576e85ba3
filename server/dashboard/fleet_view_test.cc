#include "otter/dashboard/fleet_view.h"

#include <gtest/gtest.h>

namespace otter::dashboard {
namespace {

using model::ExecutionStatus;

model::JobExecution execution(const std::string& job, ExecutionStatus status, model::Millis updated,
                              model::StatusDetails details = {}) {
  model::JobExecution e;
  e.job_id = job;
  e.thing_name = "dev-1";
  e.status = status;
  e.status_details = std::move(details);
  e.queued_at = updated - 5000;
  if (status != ExecutionStatus::Queued) e.started_at = updated - 4000;
  e.last_updated_at = updated;
  return e;
}

model::Thing thing(model::Attributes attributes = {}) {
  model::Thing t;
  t.name = "dev-1";
  t.attributes = std::move(attributes);
  return t;
}

TEST(FleetView, ReadsTheVersionFromOttersAcceptedReason) {
  EXPECT_EQ(version_from_status_details({{"reason", "accepted v1.0.1"}}), "1.0.1");
}

TEST(FleetView, ReadsTheVersionFromAwsAcceptedReasonWithTwoSpaces) {
  EXPECT_EQ(version_from_status_details({{"reason", "accepted  v0.9.3"}, {"updatedBy", "  v0.9.2"}}), "0.9.3");
}

TEST(FleetView, IgnoresReasonsThatAreNotAnAcceptance) {
  EXPECT_EQ(version_from_status_details({{"reason", "self-test failed: 0x00000004"}}), std::nullopt);
  EXPECT_EQ(version_from_status_details({{"reason", "accepted vX.1"}}), std::nullopt);
  EXPECT_EQ(version_from_status_details({}), std::nullopt);
}

TEST(FleetView, BoardComesFromTheBoardAttribute) {
  EXPECT_EQ(fleet_entry(thing({{"board", "numaker-iot-m487"}}), {}, {}).board, "numaker-iot-m487");
}

TEST(FleetView, UnknownVersionAndNeverSeenWithoutExecutions) {
  const FleetEntry entry = fleet_entry(thing(), {}, {});
  EXPECT_EQ(entry.firmware_version, "");
  EXPECT_FALSE(entry.last_seen.has_value());
  EXPECT_FALSE(entry.latest_execution.has_value());
}

TEST(FleetView, VersionAttributeIsUsedUntilAnUpdateSucceeds) {
  EXPECT_EQ(fleet_entry(thing({{"firmwareVersion", "1.0.0"}}), {}, {}).firmware_version, "1.0.0");
  const FleetEntry updated = fleet_entry(
      thing({{"firmwareVersion", "1.0.0"}}),
      {execution("j1", ExecutionStatus::Succeeded, 10'000, {{"reason", "accepted v1.0.1"}})}, {});
  EXPECT_EQ(updated.firmware_version, "1.0.1");
  EXPECT_EQ(updated.firmware_source, "job j1");
}

TEST(FleetView, TheLatestSuccessfulUpdateNamesTheVersion) {
  const FleetEntry entry =
      fleet_entry(thing(), {execution("new", ExecutionStatus::Succeeded, 20'000, {{"reason", "accepted v1.0.2"}}),
                            execution("old", ExecutionStatus::Succeeded, 10'000, {{"reason", "accepted v1.0.1"}}),
                            execution("bad", ExecutionStatus::Failed, 30'000, {{"reason", "rolled back"}})},
                  {});
  EXPECT_EQ(entry.firmware_version, "1.0.2");
  ASSERT_TRUE(entry.latest_execution.has_value());
  EXPECT_EQ(entry.latest_execution->job_id, "bad");
}

TEST(FleetView, LastSeenIsTheLatestDeviceReport) {
  const FleetEntry entry = fleet_entry(thing(), {execution("a", ExecutionStatus::InProgress, 12'000),
                                                 execution("b", ExecutionStatus::Failed, 9'000)},
                                       {});
  EXPECT_EQ(entry.last_seen, 12'000);
}

TEST(FleetView, AQueuedExecutionIsNotASignOfLife) {
  EXPECT_FALSE(fleet_entry(thing(), {execution("a", ExecutionStatus::Queued, 50'000)}, {}).last_seen.has_value());
}

TEST(FleetView, ACanceledExecutionCountsOnlyUntilItStarted) {
  // The server canceled it later; the device was last heard when it started.
  EXPECT_EQ(fleet_entry(thing(), {execution("a", ExecutionStatus::Canceled, 50'000)}, {}).last_seen, 46'000);
}

TEST(FleetView, JsonHasSecondsAndNullWhenNeverSeen) {
  auto j = to_json(fleet_entry(thing({{"board", "b"}}), {}, {"g1"}));
  EXPECT_TRUE(j["lastSeen"].is_null());
  EXPECT_EQ(j["groups"], nlohmann::json::array({"g1"}));
  j = to_json(fleet_entry(thing(), {execution("a", ExecutionStatus::InProgress, 12'345)}, {}));
  EXPECT_EQ(j["lastSeen"], 12);
  EXPECT_EQ(j["latestExecution"]["jobId"], "a");
}

}  // namespace
}  // namespace otter::dashboard
