// Power cuts during a download: the agent is rebuilt from flash alone and must
// finish with the exact image, writing nothing outside its partitions and
// fetching again at most one window (plus the blocks sharing an erase unit
// with a block torn by the cut).
#include <cstdio>

#include "device_fixture.h"

namespace otter::agent_test {
namespace {

using agent::AgentState;

using PowerCutTest = DeviceTest;

TEST_F(PowerCutTest, ResumesAfterACutAtEveryFlashOperationReFetchingAtMostOneWindow) {
  config_.blocks_per_request = 4;
  config_.requests_in_flight = 2;
  const JobSpec j = job(48 * 1024 + 100);
  const auto replay = replay_every_cut(j, static_cast<int>(config_.window_blocks() + 4096 / config_.block_size));
  EXPECT_GT(replay.cuts, 100);
  std::printf("power cuts tested: %d, worst re-fetch: %d blocks (window %u)\n", replay.cuts, replay.worst,
              config_.window_blocks());
}

TEST_F(PowerCutTest, ResumesWithBlocksSmallerThanAnEraseUnit) {
  config_.block_size = 512;
  config_.blocks_per_request = 8;
  config_.requests_in_flight = 2;
  const JobSpec j = job(24 * 1024);
  for (std::uint64_t cut : {60u, 97u, 150u, 211u, 300u}) {
    const int again = run_with_cut(j, cut);
    if (again < 0) break;
    EXPECT_LE(again, static_cast<int>(config_.window_blocks() + 4096 / config_.block_size)) << cut;
  }
}

TEST_F(PowerCutTest, ARepeatedCutDuringResumeStillConverges) {
  const JobSpec j = job(64 * 1024);
  service_.add_job(j);
  boot();
  for (int round = 0; round < 6; ++round) {
    flash_.cut_after(40);
    ASSERT_TRUE(run_until([&] { return flash_.off() || agent_->state() == AgentState::kReadyToReset; }));
    if (!flash_.off()) break;
    flash_.restore();
    service_.disconnect(*agent_);
    boot();
  }
  ASSERT_TRUE(run_until_state(AgentState::kReadyToReset));
  EXPECT_TRUE(staged_equals(j.image));
}

TEST_F(PowerCutTest, ANewJobDoesNotResumeTheRecordOfAnotherOne) {
  JobSpec first = job(64 * 1024, {1, 0, 1}, image::kHardwareNumakerIotM487, 1);
  service_.add_job(first);
  boot();
  ASSERT_TRUE(run_until([&] { return agent_->blocks_received() >= 12; }));
  // Cut; meanwhile the operator replaces the job with another image.
  service_.disconnect(*agent_);
  JobSpec second = job(64 * 1024, {1, 0, 2}, image::kHardwareNumakerIotM487, 2);
  second.job_id = "ota-job-2";
  service_.jobs.clear();
  service_.add_job(second);
  boot();
  ASSERT_TRUE(run_until_state(AgentState::kReadyToReset));
  EXPECT_EQ(agent_->stats().blocks_resumed, 0u);
  EXPECT_TRUE(staged_equals(second.image));
  EXPECT_EQ(bootloader_.installed->version, (Version{1, 0, 2}));
}

// The M2354 stages on a MicroSD card: 512-byte blocks, no erase. No erase unit
// is shared between stream blocks there, so the bound is one window.
class PowerCutOnAnSdCard : public DeviceOn<SdCardMedium> {
 protected:
  PowerCutOnAnSdCard() {
    config_.blocks_per_request = 4;
    config_.requests_in_flight = 2;
  }
};

TEST_F(PowerCutOnAnSdCard, ResumesAfterACutAtEveryFlashOperationReFetchingAtMostOneWindow) {
  const JobSpec j = job(48 * 1024 + 100);  // 25 blocks of 2 KiB, the last one short
  const auto replay = replay_every_cut(j, static_cast<int>(config_.window_blocks()));
  EXPECT_GT(replay.cuts, 40);
  std::printf("SD card: power cuts tested: %d, worst re-fetch: %d blocks (window %u)\n", replay.cuts, replay.worst,
              config_.window_blocks());
}

TEST_F(PowerCutOnAnSdCard, RefusesAtStartStreamBlocksSmallerThanACardBlock) {
  // A 256-byte block would be half a card block: rewriting its card block
  // would put an already received neighbour at risk in a power cut.
  config_.block_size = 256;
  agent::Agent agent(config_, service_, clock_, bootloader_, layout_, app_);
  EXPECT_EQ(agent.start(), Status::kUnsupported);
}

}  // namespace
}  // namespace otter::agent_test
