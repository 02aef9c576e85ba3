// The jobs engine as a specification: AWS IoT Jobs behaviour with a manual clock.
#include "otter/jobs/engine.h"

#include <gtest/gtest.h>

#include "otter/store/sqlite_store.h"

namespace otter::jobs {
namespace {

using namespace otter::model;

class EngineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const char* name : {"a", "b", "c", "d", "e", "f"}) store_->insert_thing({name, {}, 0, 0});
    store_->insert_group({"g", "", 0});
    store_->add_member("g", "a");
    store_->add_member("g", "b");
  }

  JobSpec spec(const std::string& id, std::vector<std::string> things) {
    JobSpec s;
    s.id = id;
    s.document = {{"afr_ota", {{"streamname", "s-" + id}}}};
    for (auto& t : things) s.targets.push_back({JobTarget::Kind::Thing, t});
    return s;
  }

  Job create(const JobSpec& s) {
    Effects fx;
    Job job = engine_.create_job(s, fx);
    last_changes_ = fx.changes(*store_);
    return job;
  }

  UpdateOutcome update(const std::string& thing, const std::string& job, const std::string& status,
                       StatusDetails details = {}, std::optional<std::int64_t> expected = std::nullopt) {
    UpdateRequest r;
    r.status = status;
    r.status_details = details;
    r.expected_version = expected;
    Effects fx;
    auto o = engine_.update_execution(thing, job, r, fx);
    last_changes_ = fx.changes(*store_);
    return o;
  }

  void tick() {
    Effects fx;
    engine_.tick(fx);
    last_changes_ = fx.changes(*store_);
  }

  ExecutionStatus status(const std::string& job, const std::string& thing) {
    return store_->execution(job, thing).value().status;
  }

  std::int64_t executions(const std::string& job) { return store_->count_executions(job); }

  ManualClock clock_;
  std::unique_ptr<store::Store> store_ = store::open_sqlite_store(":memory:");
  JobsEngine engine_{*store_, clock_};
  std::vector<NextExecutionChange> last_changes_;
};

TEST_F(EngineTest, CreatingAJobQueuesAnExecutionPerTargetThingAndGroupMember) {
  auto s = spec("j", {"c", "a"});
  s.targets.push_back({JobTarget::Kind::Group, "g"});
  create(s);
  EXPECT_EQ(executions("j"), 3);  // c, a, b (a only once)
  EXPECT_EQ(status("j", "b"), ExecutionStatus::Queued);
  EXPECT_EQ(store_->execution("j", "c")->version_number, 1);
  EXPECT_EQ(last_changes_.size(), 3u);
}

TEST_F(EngineTest, CreatingAJobForAnUnknownThingFails) {
  EXPECT_THROW(create(spec("j", {"zz"})), JobsError);
  EXPECT_FALSE(store_->job("j").has_value());
}

TEST_F(EngineTest, CreatingAJobTwiceFails) {
  create(spec("j", {"a"}));
  EXPECT_THROW(create(spec("j", {"a"})), JobsError);
}

TEST_F(EngineTest, StreamNameComesFromTheDocument) {
  EXPECT_EQ(create(spec("j", {"a"})).stream_name, "s-j");
}

TEST_F(EngineTest, NextExecutionIsTheOldestPendingOne) {
  create(spec("first", {"a"}));
  clock_.advance(1000);
  create(spec("second", {"a"}));
  EXPECT_EQ(engine_.next_execution("a")->job_id, "first");
  update("a", "first", "SUCCEEDED");
  EXPECT_EQ(engine_.next_execution("a")->job_id, "second");
}

TEST_F(EngineTest, ANewJobBehindAPendingOneDoesNotNotify) {
  create(spec("first", {"a"}));
  clock_.advance(1000);
  create(spec("second", {"a"}));
  EXPECT_TRUE(last_changes_.empty());
}

TEST_F(EngineTest, FinishingAnExecutionNotifiesTheNextOne) {
  create(spec("first", {"a"}));
  clock_.advance(1000);
  create(spec("second", {"a"}));
  update("a", "first", "SUCCEEDED");
  ASSERT_EQ(last_changes_.size(), 1u);
  EXPECT_EQ(last_changes_[0].next->job_id, "second");
  EXPECT_EQ(last_changes_[0].document["afr_ota"]["streamname"], "s-second");
  update("a", "second", "SUCCEEDED");
  ASSERT_EQ(last_changes_.size(), 1u);
  EXPECT_FALSE(last_changes_[0].next.has_value());
}

TEST_F(EngineTest, UpdateToInProgressStartsTheExecutionAndBumpsTheVersion) {
  create(spec("j", {"a"}));
  clock_.advance(5000);
  auto o = update("a", "j", "IN_PROGRESS", {{"receive", "1/74"}});
  ASSERT_TRUE(o.accepted);
  EXPECT_EQ(o.execution->version_number, 2);
  EXPECT_EQ(o.execution->started_at, clock_.now());
  EXPECT_EQ(status("j", "a"), ExecutionStatus::InProgress);
}

TEST_F(EngineTest, StatusDetailsAreMergedAndEachUpdateIsRecordedAsSent) {
  create(spec("j", {"a"}));
  update("a", "j", "IN_PROGRESS", {{"self_test", "ready"}, {"updatedBy", "0x00090002"}});
  update("a", "j", "SUCCEEDED", {{"reason", "accepted  v0.9.3"}, {"updatedBy", "  v0.9.2"}});
  auto e = store_->execution("j", "a").value();
  EXPECT_EQ(e.status_details.at("self_test"), "ready");
  EXPECT_EQ(e.status_details.at("updatedBy"), "  v0.9.2");
  EXPECT_EQ(e.status_details.at("reason"), "accepted  v0.9.3");
  auto events = store_->events("j", "a");
  ASSERT_EQ(events.size(), 3u);  // QUEUED, IN_PROGRESS, SUCCEEDED
  EXPECT_EQ(events[2].status_details, (StatusDetails{{"reason", "accepted  v0.9.3"}, {"updatedBy", "  v0.9.2"}}));
}

TEST_F(EngineTest, AWrongExpectedVersionIsRejectedWithVersionMismatchAndTheCurrentState) {
  create(spec("j", {"a"}));
  update("a", "j", "IN_PROGRESS");
  auto o = update("a", "j", "IN_PROGRESS", {}, 1);
  EXPECT_FALSE(o.accepted);
  EXPECT_EQ(o.code, RejectCode::VersionMismatch);
  EXPECT_EQ(o.execution->version_number, 2);
  EXPECT_EQ(store_->execution("j", "a")->version_number, 2);
}

TEST_F(EngineTest, TheRightExpectedVersionIsAccepted) {
  create(spec("j", {"a"}));
  EXPECT_TRUE(update("a", "j", "IN_PROGRESS", {}, 1).accepted);
}

TEST_F(EngineTest, UpdatingATerminalExecutionIsAnInvalidStateTransition) {
  create(spec("j", {"a"}));
  update("a", "j", "SUCCEEDED");
  auto o = update("a", "j", "IN_PROGRESS");
  EXPECT_FALSE(o.accepted);
  EXPECT_EQ(o.code, RejectCode::InvalidStateTransition);
  EXPECT_EQ(o.execution->status, ExecutionStatus::Succeeded);
}

TEST_F(EngineTest, UpdatingAnUnknownExecutionIsResourceNotFound) {
  create(spec("j", {"a"}));
  EXPECT_EQ(update("b", "j", "IN_PROGRESS").code, RejectCode::ResourceNotFound);
  EXPECT_EQ(update("a", "nope", "IN_PROGRESS").code, RejectCode::ResourceNotFound);
}

TEST_F(EngineTest, DevicesCannotSetServerOnlyStatuses) {
  create(spec("j", {"a"}));
  EXPECT_EQ(update("a", "j", "CANCELED").code, RejectCode::InvalidRequest);
  EXPECT_EQ(update("a", "j", "QUEUED").code, RejectCode::InvalidRequest);
  EXPECT_EQ(update("a", "j", "in_progress").code, RejectCode::InvalidRequest);
}

TEST_F(EngineTest, OversizedStatusDetailsAreRejected) {
  create(spec("j", {"a"}));
  EXPECT_EQ(update("a", "j", "IN_PROGRESS", {{"k", std::string(2000, 'x')}}).code, RejectCode::InvalidRequest);
  StatusDetails many;
  for (int i = 0; i < 11; ++i) many["k" + std::to_string(i)] = "v";
  EXPECT_EQ(update("a", "j", "IN_PROGRESS", many).code, RejectCode::InvalidRequest);
  EXPECT_EQ(update("a", "j", "IN_PROGRESS", {{"bad key", "v"}}).code, RejectCode::InvalidRequest);
  EXPECT_EQ(store_->execution("j", "a")->version_number, 1);
}

TEST_F(EngineTest, ASnapshotJobCompletesWhenEveryExecutionFinished) {
  create(spec("j", {"a", "b"}));
  update("a", "j", "SUCCEEDED");
  EXPECT_EQ(store_->job("j")->status, JobStatus::InProgress);
  update("b", "j", "FAILED", {{"reason", "0x1: 0x2"}});
  EXPECT_EQ(store_->job("j")->status, JobStatus::Completed);
}

TEST_F(EngineTest, RolloutReleasesAtMostMaximumPerMinute) {
  auto s = spec("j", {"a", "b", "c", "d", "e"});
  s.rollout.maximum_per_minute = 2;
  create(s);
  EXPECT_EQ(executions("j"), 2);
  clock_.advance(30 * kSecond);
  tick();
  EXPECT_EQ(executions("j"), 2);
  clock_.advance(31 * kSecond);
  tick();
  EXPECT_EQ(executions("j"), 4);
  EXPECT_EQ(store_->count_pending("j"), 1);
  clock_.advance(61 * kSecond);
  tick();
  EXPECT_EQ(executions("j"), 5);
}

TEST_F(EngineTest, ReleasedExecutionsAreNotifiedOnTick) {
  auto s = spec("j", {"a", "b"});
  s.rollout.maximum_per_minute = 1;
  create(s);
  clock_.advance(61 * kSecond);
  tick();
  ASSERT_EQ(last_changes_.size(), 1u);
  EXPECT_EQ(last_changes_[0].thing_name, "b");
}

TEST_F(EngineTest, ExponentialRolloutRaisesTheRateAfterEnoughSuccesses) {
  auto s = spec("j", {"a", "b", "c", "d", "e", "f"});
  s.rollout.maximum_per_minute = 4;
  s.rollout.exponential_rate = ExponentialRollout{1, 2.0, {std::nullopt, 1}};
  create(s);
  EXPECT_EQ(executions("j"), 1);
  update("a", "j", "SUCCEEDED");  // rate 1 -> 2
  EXPECT_EQ(store_->job("j")->rollout_state.current_rate_per_minute, 2);
  EXPECT_EQ(executions("j"), 2);  // one more fits in this minute
  update("b", "j", "SUCCEEDED");  // 2 -> 4 (the cap)
  EXPECT_EQ(executions("j"), 4);
  update("c", "j", "SUCCEEDED");  // capped at maximumPerMinute
  EXPECT_EQ(store_->job("j")->rollout_state.current_rate_per_minute, 4);
  EXPECT_EQ(executions("j"), 4);
  clock_.advance(61 * kSecond);
  tick();
  EXPECT_EQ(executions("j"), 6);
}

TEST_F(EngineTest, AbortCancelsTheRemainingExecutionsOnceTheThresholdIsReached) {
  auto s = spec("j", {"a", "b", "c", "d", "e"});
  s.abort.criteria.push_back({FailureType::Failed, "CANCEL", 50.0, 2});
  create(s);
  update("a", "j", "FAILED");
  EXPECT_EQ(store_->job("j")->status, JobStatus::InProgress);  // 1 executed < minimum 2
  update("b", "j", "IN_PROGRESS");
  update("c", "j", "FAILED");
  auto job = store_->job("j").value();
  EXPECT_EQ(job.status, JobStatus::Canceled);
  EXPECT_EQ(job.reason_code, "ABORTED");
  EXPECT_EQ(status("j", "d"), ExecutionStatus::Canceled);
  EXPECT_EQ(status("j", "e"), ExecutionStatus::Canceled);
  EXPECT_EQ(status("j", "b"), ExecutionStatus::InProgress);  // a running install is not yanked
  EXPECT_FALSE(engine_.next_execution("d").has_value());
}

TEST_F(EngineTest, AbortStopsTheRolloutFromReleasingMore) {
  auto s = spec("j", {"a", "b", "c"});
  s.rollout.maximum_per_minute = 1;
  s.abort.criteria.push_back({FailureType::All, "CANCEL", 100.0, 1});
  create(s);
  update("a", "j", "REJECTED");
  clock_.advance(120 * kSecond);
  tick();
  EXPECT_EQ(executions("j"), 1);
  EXPECT_EQ(store_->count_pending("j"), 0);
}

TEST_F(EngineTest, SuccessesBelowTheThresholdDoNotAbort) {
  auto s = spec("j", {"a", "b", "c", "d"});
  s.abort.criteria.push_back({FailureType::Failed, "CANCEL", 50.0, 3});
  create(s);
  update("a", "j", "SUCCEEDED");
  update("b", "j", "SUCCEEDED");
  update("c", "j", "FAILED");
  EXPECT_EQ(store_->job("j")->status, JobStatus::InProgress);
}

TEST_F(EngineTest, AnExecutionInProgressTooLongTimesOut) {
  auto s = spec("j", {"a", "b"});
  s.timeout.in_progress_timeout_seconds = 5;
  create(s);
  update("a", "j", "IN_PROGRESS");
  clock_.advance(4 * kSecond);
  tick();
  EXPECT_EQ(status("j", "a"), ExecutionStatus::InProgress);
  clock_.advance(2 * kSecond);
  tick();
  EXPECT_EQ(status("j", "a"), ExecutionStatus::TimedOut);
  EXPECT_EQ(status("j", "b"), ExecutionStatus::Queued);  // the timer starts at IN_PROGRESS
  ASSERT_EQ(last_changes_.size(), 1u);
  EXPECT_FALSE(last_changes_[0].next.has_value());
}

TEST_F(EngineTest, AStepTimeoutReplacesTheJobTimeout) {
  auto s = spec("j", {"a"});
  s.timeout.in_progress_timeout_seconds = 5;
  create(s);
  UpdateRequest r;
  r.status = "IN_PROGRESS";
  r.step_timeout_minutes = 2;
  Effects fx;
  ASSERT_TRUE(engine_.update_execution("a", "j", r, fx).accepted);
  clock_.advance(10 * kSecond);
  tick();
  EXPECT_EQ(status("j", "a"), ExecutionStatus::InProgress);
  clock_.advance(2 * kMinute);
  tick();
  EXPECT_EQ(status("j", "a"), ExecutionStatus::TimedOut);
}

TEST_F(EngineTest, TimeoutsCountTowardsAbort) {
  auto s = spec("j", {"a", "b"});
  s.timeout.in_progress_timeout_seconds = 1;
  s.abort.criteria.push_back({FailureType::TimedOut, "CANCEL", 100.0, 1});
  create(s);
  update("a", "j", "IN_PROGRESS");
  clock_.advance(2 * kSecond);
  tick();
  EXPECT_EQ(store_->job("j")->status, JobStatus::Canceled);
  EXPECT_EQ(status("j", "b"), ExecutionStatus::Canceled);
}

TEST_F(EngineTest, AContinuousJobPicksUpAThingThatJoinsItsGroup) {
  auto s = spec("j", {});
  s.targets = {{JobTarget::Kind::Group, "g"}};
  s.target_selection = TargetSelection::Continuous;
  create(s);
  EXPECT_EQ(executions("j"), 2);
  store_->add_member("g", "c");
  Effects fx;
  engine_.thing_joined_group("g", "c", fx);
  EXPECT_EQ(status("j", "c"), ExecutionStatus::Queued);
  auto changes = fx.changes(*store_);
  ASSERT_EQ(changes.size(), 1u);
  EXPECT_EQ(changes[0].thing_name, "c");
}

TEST_F(EngineTest, AContinuousJobStaysInProgressWhenAllCurrentMembersFinished) {
  auto s = spec("j", {});
  s.targets = {{JobTarget::Kind::Group, "g"}};
  s.target_selection = TargetSelection::Continuous;
  create(s);
  update("a", "j", "SUCCEEDED");
  update("b", "j", "SUCCEEDED");
  tick();
  EXPECT_EQ(store_->job("j")->status, JobStatus::InProgress);
}

TEST_F(EngineTest, ASnapshotJobIgnoresThingsThatJoinLater) {
  auto s = spec("j", {});
  s.targets = {{JobTarget::Kind::Group, "g"}};
  create(s);
  store_->add_member("g", "c");
  Effects fx;
  engine_.thing_joined_group("g", "c", fx);
  EXPECT_FALSE(store_->execution("j", "c").has_value());
}

TEST_F(EngineTest, LeavingTheGroupOfAContinuousJobRemovesAQueuedExecution) {
  auto s = spec("j", {});
  s.targets = {{JobTarget::Kind::Group, "g"}};
  s.target_selection = TargetSelection::Continuous;
  create(s);
  store_->remove_member("g", "a");
  Effects fx;
  engine_.thing_left_group("g", "a", fx);
  EXPECT_EQ(status("j", "a"), ExecutionStatus::Removed);
}

TEST_F(EngineTest, CancelWithoutForceLetsRunningExecutionsFinish) {
  create(spec("j", {"a", "b"}));
  update("a", "j", "IN_PROGRESS");
  Effects fx;
  auto job = engine_.cancel_job("j", false, "", "stop", fx);
  EXPECT_EQ(job.status, JobStatus::Canceled);
  EXPECT_EQ(status("j", "b"), ExecutionStatus::Canceled);
  EXPECT_EQ(status("j", "a"), ExecutionStatus::InProgress);
  EXPECT_TRUE(update("a", "j", "SUCCEEDED").accepted);
}

TEST_F(EngineTest, ForceCancelStopsRunningExecutionsToo) {
  create(spec("j", {"a"}));
  update("a", "j", "IN_PROGRESS");
  Effects fx;
  engine_.cancel_job("j", true, "", "", fx);
  EXPECT_EQ(status("j", "a"), ExecutionStatus::Canceled);
  EXPECT_EQ(update("a", "j", "SUCCEEDED").code, RejectCode::InvalidStateTransition);
  auto changes = fx.changes(*store_);
  ASSERT_EQ(changes.size(), 1u);
  EXPECT_FALSE(changes[0].next.has_value());
}

TEST_F(EngineTest, CancellingACompletedJobIsAConflict) {
  create(spec("j", {"a"}));
  update("a", "j", "SUCCEEDED");
  Effects fx;
  EXPECT_THROW(engine_.cancel_job("j", false, "", "", fx), JobsError);
}

TEST_F(EngineTest, AFailedExecutionIsRetriedWithTheNextExecutionNumber) {
  auto s = spec("j", {"a"});
  s.retry.criteria.push_back({FailureType::Failed, 1});
  create(s);
  update("a", "j", "FAILED");
  auto e = store_->execution("j", "a").value();
  EXPECT_EQ(e.status, ExecutionStatus::Queued);
  EXPECT_EQ(e.execution_number, 2);
  EXPECT_EQ(e.retry_attempt, 1);
  ASSERT_EQ(last_changes_.size(), 1u);  // the device hears about the new attempt
  update("a", "j", "FAILED");
  EXPECT_EQ(status("j", "a"), ExecutionStatus::Failed);  // retries used up
  EXPECT_EQ(store_->job("j")->status, JobStatus::Completed);
}

TEST_F(EngineTest, DeletingAThingRemovesItsPendingExecutions) {
  create(spec("j", {"a", "b"}));
  Effects fx;
  engine_.thing_deleted("a", fx);
  EXPECT_EQ(status("j", "a"), ExecutionStatus::Removed);
}

}  // namespace
}  // namespace otter::jobs
