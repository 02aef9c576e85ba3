// The download record through its user, the agent, on an SD card: a power cut
// at every flash operation of a download (staging block writes and record
// writes alike), then a reboot from flash alone. The download must finish
// with the exact image, write nothing outside the bank and the record, and
// re-fetch at most one window (on a card no erase unit is shared between
// blocks, so there is no erase-unit term as on NOR). The service, bootloader
// model and audited flash are tests/agent's harness; the card is sim/flash's.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <memory>
#include <set>

#include "harness.h"
#include "otter/agent/agent.h"
#include "otter/image/board.h"
#include "otter/image/test_image.h"
#include "otter/sim/parts.h"
#include "otter/sim/sd_card.h"

namespace otter::agent_test {
namespace {

constexpr std::uint32_t kStagingSize = 512 * 1024;
constexpr std::uint32_t kDownloadOffset = 512 * 1024;  // the M2354's card map
constexpr std::uint32_t kDownloadSize = 8 * 1024;
constexpr char kThing[] = "MY-M2354-OTA-Device";

class AgentOnAnSdCard : public ::testing::Test {
 protected:
  AgentOnAnSdCard() {
    flash_.allow(0, kStagingSize);
    flash_.allow(kDownloadOffset, kDownloadSize);
    layout_.staging = flash::Partition(flash_, 0, kStagingSize, "staging");
    layout_.download = flash::Partition(flash_, kDownloadOffset, kDownloadSize, "download");
    layout_.hardware_id = image::kHardwareNumakerM2354;
    config_.thing_name = kThing;
    config_.blocks_per_request = 4;
    config_.requests_in_flight = 2;
  }

  void TearDown() override { EXPECT_TRUE(flash_.violations.empty()) << flash_.violations.front(); }

  JobSpec job(std::uint32_t size) {
    JobSpec j;
    j.image = image::make_test_image({.size = size, .version = {1, 0, 1}, .hardware_id = image::kHardwareNumakerM2354});
    j.signature_base64 = signer_.sign_base64(j.image);
    return j;
  }

  void boot() {
    agent_.reset();
    agent_ = std::make_unique<agent::Agent>(config_, service_, clock_, bootloader_, layout_, app_);
    ASSERT_EQ(agent_->start(), Status::kOk);
    service_.connected = true;
    agent_->on_connected();
  }

  bool run_until(const std::function<bool()>& done) { return service_.run(*agent_, clock_, done); }

  bool staged_equals(const std::vector<std::uint8_t>& image) {
    std::vector<std::uint8_t> staged(image.size());
    card_.peek(0, staged);
    return staged == image;
  }

  // One download with a cut at flash operation `cut`: the blocks fetched both
  // before and after the cut, or -1 when the download finished first.
  int run_with_cut(const JobSpec& j, std::uint64_t cut) {
    // Whatever the previous run left stays on the card, as on a real one.
    service_ = FakeOtaService(kThing);
    service_.device_powered = [this] { return !flash_.off(); };
    service_.add_job(j);
    bootloader_.installed.reset();
    bootloader_.status_ = {};
    bootloader_.status_.running = {1, 0, 0};
    flash_.restore();
    boot();
    flash_.cut_after(cut);
    EXPECT_TRUE(run_until([&] { return flash_.off() || agent_->state() == agent::AgentState::kReadyToReset; }));
    if (!flash_.off()) return -1;
    std::set<std::uint32_t> before;
    for (const auto& [index, count] : service_.served) before.insert(index);
    flash_.restore();
    service_.disconnect(*agent_);
    service_.served.clear();
    boot();
    EXPECT_TRUE(run_until([&] { return agent_->state() == agent::AgentState::kReadyToReset; })) << "cut at " << cut;
    EXPECT_TRUE(staged_equals(j.image)) << "cut at " << cut;
    int again = 0;
    for (const auto& [index, count] : service_.served) again += before.count(index) != 0 ? 1 : 0;
    return again;
  }

  sim::PowerSupply power_;
  sim::SdCard card_{"MicroSD", 8 * 1024 * 1024, sim::sd_card_time(), power_};
  AuditedFlash flash_{card_};
  boot::Layout layout_;
  image::TestSigner signer_;
  image::PublicKey key_ = signer_.device_key();
  ModelBootloader bootloader_{layout_, key_, Version{1, 0, 0}};
  FakeOtaService service_{kThing};
  FakeClock clock_;
  TestApp app_;
  agent::AgentConfig config_;
  std::unique_ptr<agent::Agent> agent_;
};

TEST_F(AgentOnAnSdCard, ResumesAfterACutAtEveryFlashOperationReFetchingAtMostOneWindow) {
  const JobSpec j = job(48 * 1024 + 100);  // 25 blocks of 2 KiB, the last one short
  const int bound = static_cast<int>(config_.window_blocks());
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
  EXPECT_GT(cuts, 40);
  std::printf("SD card: power cuts tested: %d, worst re-fetch: %d blocks (window %u)\n", cuts, worst,
              config_.window_blocks());
}

TEST_F(AgentOnAnSdCard, RefusesAtStartStreamBlocksSmallerThanACardBlock) {
  // A 256-byte block would be half a card block: rewriting its card block
  // would put an already received neighbour at risk in a power cut.
  config_.block_size = 256;
  agent::Agent agent(config_, service_, clock_, bootloader_, layout_, app_);
  EXPECT_EQ(agent.start(), Status::kUnsupported);
}

}  // namespace
}  // namespace otter::agent_test
