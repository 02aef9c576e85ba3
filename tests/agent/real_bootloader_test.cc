// The agent with the real bootloader (otter::boot, BootControlBootloader,
// run_bootloader) on the simulator's NOR flash models of a NuMaker-IoT-M487:
// the whole update across resets, a failing self-test rolled back, and power
// cuts (torn operations, unpredictable contents) during the download.
#include <gtest/gtest.h>

#include "boot_testing.h"
#include "harness.h"
#include "otter/agent/boot_control_bootloader.h"
#include "otter/boards/board_profile.h"
#include "otter/image/board.h"

namespace otter::agent_test {
namespace {

using agent::AgentState;

constexpr char kThingName[] = "MY-IOT-OTA-Device";

class RealBootloaderTest : public ::testing::Test {
 protected:
  RealBootloaderTest() : board_(*boards::find_board("numaker-iot-m487"), boot::Mode::kBackup) {
    config_.thing_name = kThingName;
    const auto factory = boot::testing::make_image({.hardware_id = image::kHardwareNumakerIotM487,
                                                    .version = {1, 0, 0},
                                                    .size = 48 * 1024,
                                                    .seed = 1});
    board_.factory_install(factory);
    service_.device_powered = [this] { return board_.flash().power().on(); };
  }

  JobSpec job(Version version, std::uint32_t size = 100 * 1024 + 11) {
    JobSpec j;
    j.image = boot::testing::make_image(
        {.hardware_id = image::kHardwareNumakerIotM487, .version = version, .size = size, .seed = 7});
    j.signature_base64 = base64(board_.signer().sign(boot::testing::sha256(j.image)));
    return j;
  }

  // A reset: the bootloader runs, then a fresh agent starts.
  Result<boot::BootStatus> reset() {
    agent_.reset();
    bootloader_.reset();
    service_.disconnect(dummy_agent());
    const auto status = board_.boot_until_bootable();
    if (!status.ok()) return status;
    bootloader_ = std::make_unique<agent::BootControlBootloader>(board_.layout(), board_.signer().public_key());
    agent_ = std::make_unique<agent::Agent>(config_, service_, clock_, *bootloader_, board_.layout(), app_);
    EXPECT_EQ(agent_->start(), Status::kOk);
    service_.reconnect(*agent_);
    return status;
  }

  bool run_until_state(AgentState state) {
    return service_.run(*agent_, clock_, [&] { return agent_->state() == state; });
  }

  boot::testing::TestBoard board_;
  agent::AgentConfig config_;
  FakeOtaService service_{kThingName};
  FakeClock clock_;
  TestApp app_;
  std::unique_ptr<agent::BootControlBootloader> bootloader_;
  std::unique_ptr<agent::Agent> agent_;

 private:
  // disconnect() wants an agent to notify; before the first boot there is none.
  agent::Agent& dummy_agent() {
    if (agent_) return *agent_;
    static agent::AgentConfig none;
    if (!idle_agent_) {
      idle_bootloader_ = std::make_unique<agent::BootControlBootloader>(board_.layout(), board_.signer().public_key());
      idle_agent_ = std::make_unique<agent::Agent>(none, service_, clock_, *idle_bootloader_, board_.layout(), app_);
    }
    return *idle_agent_;
  }
  std::unique_ptr<agent::BootControlBootloader> idle_bootloader_;
  std::unique_ptr<agent::Agent> idle_agent_;
};

TEST_F(RealBootloaderTest, UpdatesAcrossTheResetAndConfirmsThePassingImage) {
  const JobSpec j = job({1, 0, 1});
  service_.add_job(j);
  ASSERT_TRUE(reset().ok());
  ASSERT_TRUE(run_until_state(AgentState::kReadyToReset));
  const auto trial = reset();
  ASSERT_TRUE(trial.ok());
  EXPECT_EQ(trial->state, boot::State::kTrial);
  EXPECT_EQ(trial->running, (Version{1, 0, 1}));
  ASSERT_TRUE(run_until_state(AgentState::kSelfTest));
  agent_->self_test_done(true);
  EXPECT_EQ(service_.last_update(j.job_id)->dump(),
            R"({"status":"SUCCEEDED","statusDetails":{"reason":"accepted v1.0.1","updatedBy":"v1.0.0"}})");
  const auto after = reset();
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(after->state, boot::State::kIdle);
  EXPECT_EQ(after->running, (Version{1, 0, 1}));
  EXPECT_EQ(board_.app_digest(static_cast<std::uint32_t>(j.image.size())), boot::testing::sha256(j.image));
}

TEST_F(RealBootloaderTest, AFailingSelfTestIsReportedAndRolledBack) {
  const JobSpec j = job({1, 0, 1});
  service_.add_job(j);
  ASSERT_TRUE(reset().ok());
  ASSERT_TRUE(run_until_state(AgentState::kReadyToReset));
  ASSERT_TRUE(reset().ok());
  ASSERT_TRUE(run_until_state(AgentState::kSelfTest));
  agent_->self_test_done(false);
  EXPECT_EQ((*service_.last_update(j.job_id))["status"], "FAILED");
  const auto after = reset();
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(after->running, (Version{1, 0, 0}));
  EXPECT_EQ(after->state, boot::State::kRolledBack);
}

TEST_F(RealBootloaderTest, PowerCutsDuringTheDownloadOnTheNorModelStillEndInTheRightImage) {
  const JobSpec j = job({1, 0, 1}, 64 * 1024 + 5);
  service_.add_job(j);
  ASSERT_TRUE(reset().ok());
  // Cut at a different flash operation each time, then let it finish.
  int cuts = 0;
  for (const std::uint64_t cut : {5u, 23u, 61u, 90u, 140u}) {
    board_.flash().power().cut_at(cut);
    service_.run(*agent_, clock_, [&] { return !board_.flash().power().on() || agent_->state() == AgentState::kReadyToReset; });
    if (agent_->state() == AgentState::kReadyToReset) break;
    ++cuts;
    ASSERT_TRUE(reset().ok()) << "cut at " << cut;
  }
  EXPECT_GE(cuts, 4);
  board_.flash().power().cancel_cut();
  ASSERT_TRUE(run_until_state(AgentState::kReadyToReset));
  const auto trial = reset();
  ASSERT_TRUE(trial.ok());
  EXPECT_EQ(trial->running, (Version{1, 0, 1}));
  EXPECT_EQ(board_.app_digest(static_cast<std::uint32_t>(j.image.size())), boot::testing::sha256(j.image));
}

}  // namespace
}  // namespace otter::agent_test
