// One simulated device for agent tests: a 1 MiB NOR flash (4 KiB erase units,
// 256-byte pages) with a 512 KiB staging bank and an 8 KiB download record,
// every write audited; the agent, its bootloader model and the service.
#pragma once

#include <gtest/gtest.h>

#include <memory>

#include "harness.h"
#include "otter/image/board.h"
#include "otter/image/test_image.h"

namespace otter::agent_test {

inline constexpr std::uint32_t kStagingSize = 512 * 1024;
inline constexpr std::uint32_t kDownloadOffset = 512 * 1024;
inline constexpr std::uint32_t kDownloadSize = 8 * 1024;
inline constexpr char kThing[] = "MY-IOT-OTA-Device";

class DeviceTest : public ::testing::Test {
 protected:
  DeviceTest() {
    flash_.allow(0, kStagingSize);
    flash_.allow(kDownloadOffset, kDownloadSize);
    layout_.staging = flash::Partition(flash_, 0, kStagingSize, "staging");
    layout_.download = flash::Partition(flash_, kDownloadOffset, kDownloadSize, "download");
    layout_.hardware_id = image::kHardwareNumakerIotM487;
    config_ = agent::AgentConfig{};
    config_.thing_name = kThing;
    service_.device_powered = [this] { return !flash_.off(); };
  }

  void TearDown() override { EXPECT_TRUE(flash_.violations.empty()) << flash_.violations.front(); }

  // A signed job for an image of `size` bytes at `version`.
  JobSpec job(std::uint32_t size = 100 * 1024 + 77, Version version = {1, 0, 1},
              std::uint32_t hardware = image::kHardwareNumakerIotM487, std::uint32_t seed = 1) {
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

  bool staged_equals(const std::vector<std::uint8_t>& image) {
    return std::equal(image.begin(), image.end(), ram_.bytes().begin());
  }

  testing::RamNorFlash ram_{1024 * 1024};
  AuditedFlash flash_{ram_};
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

}  // namespace otter::agent_test
