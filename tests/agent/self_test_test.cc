// After the reset into the new image: the self-test phase and the final report.
#include "device_fixture.h"

namespace otter::agent_test {
namespace {

using agent::AgentState;

class SelfTestTest : public DeviceTest {
 protected:
  // Downloads `j` to kReadyToReset, then resets into it.
  void install_and_reset(const JobSpec& j) {
    service_.add_job(j);
    boot();
    ASSERT_TRUE(run_until_state(AgentState::kReadyToReset));
    service_.disconnect(*agent_);
    bootloader_.reset();
    boot();
  }
  std::vector<std::string> statuses(const std::string& job) {
    std::vector<std::string> out;
    for (const auto& u : service_.updates_for(job)) out.push_back(u.dump());
    return out;
  }
};

TEST_F(SelfTestTest, ConfirmsThePassingImageAndReportsSucceeded) {
  const JobSpec j = job(40 * 1024);
  install_and_reset(j);
  ASSERT_TRUE(run_until_state(AgentState::kSelfTest));
  EXPECT_EQ(app_.self_tests_started, 1);
  agent_->self_test_done(true);
  EXPECT_EQ(bootloader_.status_.state, boot::State::kIdle);
  const auto all = statuses(j.job_id);
  ASSERT_GE(all.size(), 3u);
  EXPECT_EQ(all[all.size() - 3], R"({"status":"IN_PROGRESS","statusDetails":{"self_test":"ready","updatedBy":"0x01000000"}})");
  EXPECT_EQ(all[all.size() - 2], R"({"status":"IN_PROGRESS","statusDetails":{"self_test":"active","updatedBy":"0x01000001"}})");
  EXPECT_EQ(all.back(), R"({"status":"SUCCEEDED","statusDetails":{"reason":"accepted v1.0.1","updatedBy":"v1.0.0"}})");
  EXPECT_TRUE(service_.jobs.empty());
  EXPECT_TRUE(app_.logged("self-test passed"));
  EXPECT_EQ(agent_->state(), AgentState::kWaitingForJob);
}

TEST_F(SelfTestTest, RejectsAFailingImageReportsFailedAndAsksForAReset) {
  const JobSpec j = job(40 * 1024);
  install_and_reset(j);
  ASSERT_TRUE(run_until_state(AgentState::kSelfTest));
  const int resets = app_.resets_requested;
  agent_->self_test_done(false);
  EXPECT_TRUE(bootloader_.rejected);
  EXPECT_EQ(app_.resets_requested, resets + 1);
  EXPECT_EQ(service_.last_update(j.job_id)->dump(),
            R"({"status":"FAILED","statusDetails":{"reason":"self-test failed: 0x00000014"}})");
}

TEST_F(SelfTestTest, ASelfTestThatNeverAnswersTimesOutAsAFailure) {
  const JobSpec j = job(40 * 1024);
  install_and_reset(j);
  ASSERT_TRUE(run_until_state(AgentState::kSelfTest));
  const std::uint64_t started = clock_.now;
  ASSERT_TRUE(run_until([&] { return service_.jobs.empty(); }));
  EXPECT_GE(clock_.now - started, config_.self_test_timeout_ms);
  EXPECT_EQ((*service_.last_update(j.job_id))["status"], "FAILED");
  EXPECT_TRUE(bootloader_.rejected);
}

TEST_F(SelfTestTest, ReportsARollbackAsFailedWithTheBootloadersReason) {
  const JobSpec j = job(40 * 1024);
  install_and_reset(j);
  ASSERT_TRUE(run_until_state(AgentState::kSelfTest));
  // Power lost before the self-test finished: the bootloader rolls back.
  service_.disconnect(*agent_);
  bootloader_.reset();
  boot();
  ASSERT_TRUE(run_until([&] { return service_.jobs.empty(); }));
  EXPECT_EQ(service_.last_update(j.job_id)->dump(),
            R"({"status":"FAILED","statusDetails":{"reason":"rolled back: 0x00000009"}})");
}

TEST_F(SelfTestTest, AsksForTheResetOnlyOnceTheServiceAcceptedTheReadyReport) {
  const JobSpec j = job(40 * 1024);
  service_.add_job(j);
  boot();
  ASSERT_TRUE(run_until_state(AgentState::kReadyToReset));
  EXPECT_EQ(app_.resets_requested, 0);  // update/accepted not delivered yet
  EXPECT_TRUE(service_.subscribed(service_.topic("jobs/" + j.job_id + "/update/accepted")));
  const std::uint64_t ready_at = clock_.now;
  ASSERT_TRUE(run_until([&] { return app_.resets_requested > 0; }));
  EXPECT_EQ(clock_.now, ready_at);  // on the answer, not on a timer
  EXPECT_EQ((*service_.jobs.front().status_details.find("self_test")), "ready");
}

TEST_F(SelfTestTest, ResetsAfterABoundedWaitWhenTheReadyReportIsNeverAccepted) {
  const JobSpec j = job(40 * 1024);
  service_.add_job(j);
  service_.answer_updates = false;
  boot();
  ASSERT_TRUE(run_until_state(AgentState::kReadyToReset));
  const std::uint64_t ready_at = clock_.now;
  ASSERT_TRUE(run_until([&] { return app_.resets_requested > 0; }));
  EXPECT_EQ(app_.resets_requested, 1);
  EXPECT_GE(clock_.now - ready_at, config_.ready_ack_timeout_ms);
  EXPECT_LT(clock_.now - ready_at, config_.ready_ack_timeout_ms + 1000);
}

TEST_F(SelfTestTest, SendsTheReadyReportOnReconnectBeforeResetting) {
  const JobSpec j = job(40 * 1024);
  service_.add_job(j);
  boot();
  // The connection is gone when the ready report is published (the agent
  // hears of it only later): the report is kept, the reset waits for it.
  service_.refuse_publish = [](const std::string& topic) { return topic.ends_with("/update"); };
  ASSERT_TRUE(run_until_state(AgentState::kReadyToReset));
  EXPECT_TRUE(service_.jobs.front().status_details.find("self_test") == service_.jobs.front().status_details.end());
  service_.refuse_publish = [](const std::string&) { return false; };
  service_.disconnect(*agent_);
  EXPECT_EQ(app_.resets_requested, 0);
  service_.reconnect(*agent_);
  ASSERT_TRUE(run_until([&] { return app_.resets_requested > 0; }));
  EXPECT_EQ((*service_.jobs.front().status_details.find("self_test")), "ready");
}

TEST_F(SelfTestTest, RunsTheSelfTestWhenTheReadyReportWasLost) {
  const JobSpec j = job(40 * 1024);
  service_.add_job(j);
  service_.answer_updates = false;
  boot();
  ASSERT_TRUE(run_until_state(AgentState::kReadyToReset));
  // The reset came before the ready report left the device: the service
  // still has the download's progress only.
  service_.jobs.front().status_details = {{"receive", "20/20"}};
  service_.disconnect(*agent_);
  bootloader_.reset();
  boot();
  ASSERT_TRUE(run_until_state(AgentState::kSelfTest));
  EXPECT_EQ(app_.self_tests_started, 1);
  agent_->self_test_done(true);
  EXPECT_EQ(bootloader_.status_.state, boot::State::kIdle);
  EXPECT_EQ(service_.last_update(j.job_id)->dump(),
            R"({"status":"SUCCEEDED","statusDetails":{"reason":"accepted v1.0.1","updatedBy":"v1.0.0"}})");
}

TEST_F(SelfTestTest, DoesNotTakeAnotherJobsImageForTheLostReadyReport) {
  const JobSpec j = job(40 * 1024);
  service_.add_job(j);
  boot();
  ASSERT_TRUE(run_until_state(AgentState::kReadyToReset));
  service_.jobs.clear();
  service_.disconnect(*agent_);
  bootloader_.reset();
  // Another job (another image) arrives while the trial image runs.
  JobSpec other = job(40 * 1024, {1, 0, 2}, image::kHardwareNumakerIotM487, 7);
  other.job_id = "ota-job-2";
  service_.add_job(other);
  boot();
  ASSERT_TRUE(run_until([&] { return agent_->state() != AgentState::kRequestingJob; }));
  EXPECT_EQ(app_.self_tests_started, 0);
  EXPECT_EQ(agent_->state(), AgentState::kDownloading);
}

TEST_F(SelfTestTest, ReportsSucceededWhenConfirmedButTheReportWasLost) {
  const JobSpec j = job(40 * 1024);
  install_and_reset(j);
  ASSERT_TRUE(run_until_state(AgentState::kSelfTest));
  ASSERT_EQ(bootloader_.confirm(), Status::kOk);  // confirmed, then power lost before the report
  service_.disconnect(*agent_);
  boot();
  ASSERT_TRUE(run_until([&] { return service_.jobs.empty(); }));
  EXPECT_EQ((*service_.last_update(j.job_id))["status"], "SUCCEEDED");
}

TEST_F(SelfTestTest, ResetsAgainWhenTheInstallIsStillPending) {
  const JobSpec j = job(40 * 1024);
  service_.add_job(j);
  boot();
  ASSERT_TRUE(run_until_state(AgentState::kReadyToReset));
  const int resets = app_.resets_requested;
  // The application restarted without going through the bootloader.
  service_.disconnect(*agent_);
  boot();
  ASSERT_TRUE(run_until_state(AgentState::kReadyToReset));
  EXPECT_EQ(app_.resets_requested, resets + 1);
}

TEST_F(SelfTestTest, RefusesATrialImageThatIsNotNewerThanTheOneThatDownloadedIt) {
  JobSpec j = job(40 * 1024);
  j.status = "IN_PROGRESS";
  j.status_details = {{"self_test", "ready"}, {"updatedBy", "0x01000005"}};
  bootloader_.status_.state = boot::State::kTrial;
  bootloader_.status_.running = {1, 0, 1};
  bootloader_.status_.previous = {1, 0, 5};
  service_.add_job(j);
  boot();
  ASSERT_TRUE(run_until([&] { return service_.jobs.empty(); }));
  EXPECT_EQ(service_.last_update(j.job_id)->dump(),
            R"({"status":"FAILED","statusDetails":{"reason":"new image is not newer: 0x01000001"}})");
  EXPECT_TRUE(bootloader_.rejected);
}

TEST_F(SelfTestTest, KeepsTheFinalReportUntilTheConnectionIsBack) {
  const JobSpec j = job(40 * 1024);
  install_and_reset(j);
  ASSERT_TRUE(run_until_state(AgentState::kSelfTest));
  service_.disconnect(*agent_);
  agent_->self_test_done(true);
  EXPECT_FALSE(service_.last_update(j.job_id)->dump().find("SUCCEEDED") != std::string::npos);
  service_.reconnect(*agent_);
  EXPECT_EQ((*service_.last_update(j.job_id))["status"], "SUCCEEDED");
}

}  // namespace
}  // namespace otter::agent_test
