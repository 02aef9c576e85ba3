// A virtual NuMaker board: its own simulated internal flash and staging
// storage (sim/flash, per board profile), its certificate and key, the real
// bootloader (device/boot) and OTA agent (device/agent), and a simulated
// application whose behaviour comes from the installed image's descriptor.
// Reset = run_bootloader() on the simulated flash, then the installed image.
// Runs on a shared EventLoop; never blocks, never owns a thread.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "otter/agent/agent.h"
#include "otter/boards/board_profile.h"
#include "otter/boot/boot_control.h"
#include "otter/image/image.h"
#include "otter/sim/board_flash.h"
#include "otter/simboard/console.h"
#include "otter/simboard/event_loop.h"
#include "otter/simboard/firmware.h"
#include "otter/simboard/mqtt_session.h"

namespace otter::simboard {

// Where to cut power, once, to test recovery.
struct PowerCutPlan {
  std::optional<std::uint32_t> during_download_after_blocks;  // after this many blocks written (this boot)
  std::optional<std::uint64_t> during_install_at_operation;   // flash operation index within the install
  std::chrono::milliseconds off_for{1000};                    // then power comes back
};

struct BoardOptions {
  const boards::BoardProfile* profile = nullptr;
  std::string name;  // thing name = MQTT client id
  boot::Mode mode = boot::Mode::kBackup;
  MqttOptions mqtt;
  image::PublicKey code_verify_key;
  agent::AgentConfig agent;  // thing_name is filled from `name`
  std::FILE* console = stdout;
  bool console_debug = false;  // also show the agent's debug lines (every block)
  std::uint64_t seed = 1;
  std::chrono::milliseconds self_test_duration{300};
  std::chrono::milliseconds watchdog{20000};  // resets a hung firmware
  PowerCutPlan power_cut;
  std::uint32_t max_crash_resets = 5;         // then the board halts (a bricked board)
};

enum class BoardState : std::uint8_t { kOff, kRunning, kHalted };

struct BoardReport {
  std::string name;
  std::string board;
  BoardState state = BoardState::kOff;
  boot::BootStatus boot;
  bool boot_ok = false;
  Status boot_error = Status::kOk;
  Version installed;             // descriptor of the image in app
  std::string behaviour;
  image::Digest app_digest{};    // SHA-256 of the installed image (descriptor's size)
  agent::AgentState agent = agent::AgentState::kStopped;
  std::uint32_t resets = 0;
  std::uint32_t power_cuts = 0;
  std::uint64_t flash_operations = 0;
  double flash_time_us = 0;
};

class VirtualBoard : private agent::Transport, private agent::Clock, private agent::Application {
 public:
  VirtualBoard(EventLoop& loop, BoardOptions options);
  ~VirtualBoard() override;
  VirtualBoard(const VirtualBoard&) = delete;
  VirtualBoard& operator=(const VirtualBoard&) = delete;

  // The factory step of the seed (NuMicro ICP tool): the image into app at
  // offset 0 and the code-verify key into its area; nothing else.
  void flash_factory_image(std::span<const std::uint8_t> image);
  // Power on (or a reset button press); runs at the next loop turn.
  void power_on();
  // Power lost now; comes back after `off_for` when given.
  void cut_power(std::optional<std::chrono::milliseconds> off_for = std::nullopt);

  const std::string& name() const { return options_.name; }
  BoardState state() const { return state_; }
  // Idle: running, agent waiting for a job, and no update pending in the bootloader.
  bool idle() const;
  BoardReport report();
  sim::BoardFlash& flash() { return flash_; }
  Console& console() { return console_; }

 private:
  // agent::Transport
  Status publish(std::string_view topic, std::span<const std::uint8_t> payload, std::uint8_t qos) override;
  Status subscribe(std::string_view topic) override;
  Status unsubscribe(std::string_view topic) override;
  // agent::Clock
  std::uint64_t now_ms() override;
  // agent::Application
  void request_reset() override;
  void start_self_test() override;
  void log(agent::LogLevel level, std::string_view line) override;

  void boot();
  void start_firmware();
  void shut_down();
  void poll();
  void check_power();
  void reset_when_sent(std::chrono::milliseconds waited);
  void after(std::chrono::milliseconds delay, std::function<void()> fn);

  EventLoop& loop_;
  BoardOptions options_;
  Console console_;
  sim::BoardFlash flash_;
  boot::Layout layout_;
  image::PublicKey key_{};
  std::unique_ptr<agent::Bootloader> bootloader_;
  std::unique_ptr<MqttSession> mqtt_;
  std::unique_ptr<agent::Agent> agent_;
  BoardState state_ = BoardState::kOff;
  std::optional<boot::BootStatus> boot_status_;
  Status boot_error_ = Status::kOk;
  image::Descriptor running_{};
  Behaviour behaviour_ = Behaviour::kBootsFine;
  std::uint64_t epoch_ = 0;  // bumps on every reset: stale timers check it
  std::uint32_t resets_ = 0;
  std::uint32_t crash_resets_ = 0;
  std::uint32_t power_cuts_ = 0;
  bool download_cut_done_ = false;
  bool install_cut_done_ = false;
  bool reset_pending_ = false;  // the firmware asked for a reset that has not happened yet
  std::vector<EventLoop::TimerId> timers_;
};

}  // namespace otter::simboard
