// Power cuts during a download: the agent is rebuilt from flash alone and must
// finish with the exact image, writing nothing outside its partitions and
// fetching again at most one window (plus the blocks sharing an erase unit
// with a block torn by the cut).
#include <cstdio>
#include <set>

#include "device_fixture.h"

namespace otter::agent_test {
namespace {

using agent::AgentState;

class PowerCutTest : public DeviceTest {
 protected:
  // Runs one download with a cut at flash operation `cut`; returns the number
  // of blocks fetched both before and after the cut, or -1 if the cut point
  // was never reached (the download finished first).
  int run_with_cut(const JobSpec& j, std::uint64_t cut) {
    std::fill(ram_.bytes().begin(), ram_.bytes().end(), 0xFF);
    service_ = FakeOtaService(kThing);
    service_.device_powered = [this] { return !flash_.off(); };
    service_.add_job(j);
    bootloader_.installed.reset();
    bootloader_.status_ = {};
    bootloader_.status_.running = {1, 0, 0};
    flash_.restore();
    boot();
    flash_.cut_after(cut);
    EXPECT_TRUE(run_until([&] { return flash_.off() || agent_->state() == AgentState::kReadyToReset; }));
    if (!flash_.off()) return -1;
    std::set<std::uint32_t> before;
    for (const auto& [index, count] : service_.served) before.insert(index);
    // Power comes back: RAM state is gone, queued messages were lost.
    flash_.restore();
    service_.disconnect(*agent_);
    service_.served.clear();
    boot();
    EXPECT_TRUE(run_until_state(AgentState::kReadyToReset)) << "cut at " << cut;
    EXPECT_TRUE(staged_equals(j.image)) << "cut at " << cut;
    int again = 0;
    for (const auto& [index, count] : service_.served) again += before.count(index) != 0 ? 1 : 0;
    return again;
  }
};

TEST_F(PowerCutTest, ResumesAfterACutAtEveryFlashOperationReFetchingAtMostOneWindow) {
  config_.blocks_per_request = 4;
  config_.requests_in_flight = 2;
  const JobSpec j = job(48 * 1024 + 100);
  const int bound = static_cast<int>(config_.window_blocks() + 4096 / config_.block_size);
  int cuts = 0;
  int worst = 0;
  for (std::uint64_t cut = 0;; ++cut) {
    const int again = run_with_cut(j, cut);
    if (again < 0) break;
    ++cuts;
    worst = std::max(worst, again);
    ASSERT_LE(again, bound) << "cut at flash operation " << cut;
    if (HasFailure()) return;
  }
  EXPECT_GT(cuts, 100);
  std::printf("power cuts tested: %d, worst re-fetch: %d blocks (window %u)\n", cuts, worst, config_.window_blocks());
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

}  // namespace
}  // namespace otter::agent_test
