// One simulated device for agent tests: a staging medium (by default a 1 MiB
// NOR flash with 4 KiB erase units and 256-byte pages; or the M2354's SD
// card) with a 512 KiB staging bank and an 8 KiB download record, every write
// audited; the agent, its bootloader model and the service.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <set>
#include <vector>

#include "harness.h"
#include "otter/image/board.h"
#include "otter/image/test_image.h"
#include "otter/sim/parts.h"
#include "otter/sim/sd_card.h"

namespace otter::agent_test {

inline constexpr std::uint32_t kStagingSize = 512 * 1024;
inline constexpr std::uint32_t kDownloadOffset = 512 * 1024;
inline constexpr std::uint32_t kDownloadSize = 8 * 1024;
inline constexpr char kThing[] = "MY-IOT-OTA-Device";

// The staging media: `flash` is what the partitions sit on; blank() is what a
// fresh run starts from (a card keeps what the previous run wrote, as a real one).
struct NorMedium {
  static constexpr std::uint32_t kHardwareId = image::kHardwareNumakerIotM487;
  testing::RamNorFlash flash{1024 * 1024};
  void blank() { std::fill(flash.bytes().begin(), flash.bytes().end(), 0xFF); }
};
struct SdCardMedium {
  static constexpr std::uint32_t kHardwareId = image::kHardwareNumakerM2354;
  sim::PowerSupply power;
  sim::SdCard flash{"MicroSD", 8 * 1024 * 1024, sim::sd_card_time(), power};
  void blank() {}
};

template <class Medium>
class DeviceOn : public ::testing::Test {
 protected:
  DeviceOn() {
    flash_.allow(0, kStagingSize);
    flash_.allow(kDownloadOffset, kDownloadSize);
    layout_.staging = flash::Partition(flash_, 0, kStagingSize, "staging");
    layout_.download = flash::Partition(flash_, kDownloadOffset, kDownloadSize, "download");
    layout_.hardware_id = Medium::kHardwareId;
    config_ = agent::AgentConfig{};
    config_.thing_name = kThing;
    service_.device_powered = [this] { return !flash_.off(); };
  }

  void TearDown() override { EXPECT_TRUE(flash_.violations.empty()) << flash_.violations.front(); }

  // A signed job for an image of `size` bytes at `version`.
  JobSpec job(std::uint32_t size = 100 * 1024 + 77, Version version = {1, 0, 1},
              std::uint32_t hardware = Medium::kHardwareId, std::uint32_t seed = 1) {
    JobSpec j;
    j.image = image::make_test_image({.size = size, .version = version, .hardware_id = hardware, .seed = seed});
    j.signature_base64 = signer_.sign_base64(j.image);
    return j;
  }

  // Power-on: a fresh agent over the same flash (RAM state lost).
  void boot() {
    agent_.reset();
    agent_ = std::make_unique<agent::Agent>(config_, service_, clock_, bootloader_, layout_, app_);
    ASSERT_EQ(agent_->start(), Status::kOk);
    service_.connected = true;
    agent_->on_connected();
  }

  bool run_until(const std::function<bool()>& done, int steps = 200000) {
    return service_.run(*agent_, clock_, done, steps);
  }
  bool run_until_state(agent::AgentState state) {
    return run_until([&] { return agent_->state() == state; });
  }

  // One download with a power cut at flash operation `cut`, then a reboot
  // from flash alone: the number of blocks fetched both before and after the
  // cut, or -1 if the cut point was never reached (the download finished first).
  int run_with_cut(const JobSpec& j, std::uint64_t cut) {
    medium_.blank();
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
    // Power comes back: RAM state is gone, queued messages were lost.
    flash_.restore();
    service_.disconnect(*agent_);
    service_.served.clear();
    boot();
    EXPECT_TRUE(run_until_state(agent::AgentState::kReadyToReset)) << "cut at " << cut;
    EXPECT_TRUE(staged_equals(j.image)) << "cut at " << cut;
    int again = 0;
    for (const auto& [index, count] : service_.served) again += before.count(index) != 0 ? 1 : 0;
    return again;
  }

  // run_with_cut at every flash operation in turn, until the download
  // finishes before the cut: how many cut points ran and the worst re-fetch.
  // Stops at the first re-fetch above `bound`.
  struct CutReplay {
    int cuts = 0;
    int worst = 0;
  };
  CutReplay replay_every_cut(const JobSpec& j, int bound) {
    CutReplay r;
    for (std::uint64_t cut = 0;; ++cut) {
      const int again = run_with_cut(j, cut);
      if (again < 0) break;
      ++r.cuts;
      r.worst = std::max(r.worst, again);
      EXPECT_LE(again, bound) << "cut at flash operation " << cut;
      if (::testing::Test::HasFailure()) break;
    }
    return r;
  }

  bool staged_equals(const std::vector<std::uint8_t>& image) {
    std::vector<std::uint8_t> staged(image.size());
    return medium_.flash.read(0, staged) == Status::kOk && staged == image;
  }

  Medium medium_;
  AuditedFlash flash_{medium_.flash};
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

using DeviceTest = DeviceOn<NorMedium>;

}  // namespace otter::agent_test
