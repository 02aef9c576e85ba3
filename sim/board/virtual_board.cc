#include "otter/simboard/virtual_board.h"

#include <algorithm>
#include <cstring>

#include "otter/agent/boot_control_bootloader.h"
#include "otter/core/version.h"

namespace otter::simboard {
namespace {

std::string version_text(Version v) { return fmt::format("v{}.{}.{}", v.major, v.minor, v.build); }

const char* state_name(boot::State s) {
  switch (s) {
    case boot::State::kIdle: return "idle";
    case boot::State::kInstallRequested: return "install requested";
    case boot::State::kTrial: return "trial";
    case boot::State::kRolledBack: return "rolled back";
    case boot::State::kInstallFailed: return "install failed";
    case boot::State::kTrialFailed: return "trial failed";
  }
  return "?";
}

}  // namespace

VirtualBoard::VirtualBoard(EventLoop& loop, BoardOptions options)
    : loop_(loop),
      options_(std::move(options)),
      console_(options_.name, options_.console),
      flash_(*options_.profile, options_.seed),
      layout_(flash_.layout(options_.mode)),
      key_(options_.code_verify_key) {
  options_.agent.thing_name = options_.name;
  options_.mqtt.client_id = options_.name;
  bootloader_ = std::make_unique<agent::BootControlBootloader>(layout_, key_);
}

VirtualBoard::~VirtualBoard() {
  for (auto id : timers_) loop_.cancel(id);
  agent_.reset();
  mqtt_.reset();
}

void VirtualBoard::after(std::chrono::milliseconds delay, std::function<void()> fn) {
  // Timers die with the boot they belong to: a reset bumps epoch_.
  const auto epoch = epoch_;
  timers_.push_back(loop_.after(delay, [this, epoch, fn = std::move(fn)] {
    if (epoch == epoch_) fn();
  }));
  if (timers_.size() > 64) {
    // Drop ids of timers that have fired (cancelling them is a no-op).
    timers_.erase(timers_.begin(), timers_.end() - 32);
  }
}

void VirtualBoard::flash_factory_image(std::span<const std::uint8_t> image) {
  const auto& p = *options_.profile;
  auto& app_memory = p.app.memory == boards::Memory::kInternal ? flash_.internal() : flash_.external();
  app_memory.poke(p.app.offset, image);
  auto& key_memory = p.public_key.memory == boards::Memory::kInternal ? flash_.internal() : flash_.external();
  key_memory.poke(p.public_key.offset, key_.point);
}

void VirtualBoard::power_on() {
  after(std::chrono::milliseconds(0), [this] { boot(); });
}

void VirtualBoard::shut_down() {
  ++epoch_;
  for (auto id : timers_) loop_.cancel(id);
  timers_.clear();
  agent_.reset();
  if (mqtt_) mqtt_->drop();
  mqtt_.reset();
}

void VirtualBoard::cut_power(std::optional<std::chrono::milliseconds> off_for) {
  shut_down();
  state_ = BoardState::kOff;
  ++power_cuts_;
  console_.print("*** power cut ***");
  if (off_for) {
    after(*off_for, [this] {
      console_.print("*** power restored ***");
      boot();
    });
  }
}

void VirtualBoard::boot() {
  shut_down();
  reset_pending_ = false;
  ++resets_;
  flash_.power().restore();
  state_ = BoardState::kRunning;
  const auto& p = *options_.profile;
  console_.print("Otter loader on {} ({}, staging on {}, {} mode)", p.name, p.internal.part, p.external.part,
                 options_.mode == boot::Mode::kNoBackup ? "no-backup"
                 : options_.mode == boot::Mode::kSdStaging ? "SD staging" : "backup");

  // A planned cut during the install: arm it only when an install is pending.
  if (options_.power_cut.during_install_at_operation && !install_cut_done_) {
    boot::BootControl control(layout_, key_);
    auto st = control.status();
    if (st.ok() && st->state == boot::State::kInstallRequested) {
      install_cut_done_ = true;
      flash_.power().cut_at(*options_.power_cut.during_install_at_operation);
    }
  }
  const auto ops_before = flash_.power().operations();
  auto result = boot::run_bootloader(layout_, key_);
  if (!flash_.power().on()) {
    console_.print("loader: power lost at flash operation {} of the update", flash_.power().operations() - ops_before);
    cut_power(options_.power_cut.off_for);
    return;
  }
  if (!result.ok()) {
    boot_error_ = result.status();
    boot_status_.reset();
    console_.print("loader: no bootable image ({}); board halted", to_string(result.status()));
    state_ = BoardState::kHalted;
    return;
  }
  boot_status_ = *result;
  boot_error_ = Status::kOk;
  const auto& s = *boot_status_;
  switch (s.state) {
    case boot::State::kTrial:
      console_.print("loader: installed {} (previous {}), booting it on trial (attempt {})", version_text(s.running),
                     version_text(s.previous), s.boot_attempts);
      break;
    case boot::State::kRolledBack:
      console_.print("loader: the update was not confirmed ({}): restored {}", to_string(s.last_error),
                     version_text(s.running));
      break;
    case boot::State::kInstallFailed:
      console_.print("loader: staged image refused ({}); keeping {}", to_string(s.last_error), version_text(s.running));
      break;
    case boot::State::kTrialFailed:
      console_.print("loader: {} was not confirmed ({}) and there is no backup: keeping it", version_text(s.running),
                     to_string(s.last_error));
      break;
    default:
      console_.print("loader: booting {} ({})", version_text(s.running), state_name(s.state));
      break;
  }
  start_firmware();
}

void VirtualBoard::start_firmware() {
  auto d = image::read_descriptor(layout_.app);
  if (!d.ok()) {
    console_.print("firmware: no descriptor in app ({}); board halted", to_string(d.status()));
    state_ = BoardState::kHalted;
    return;
  }
  running_ = *d;
  behaviour_ = behaviour_of(running_);
  console_.print("Otter OTA example {} on {} (simulated firmware: {})", version_text(running_.version),
                 options_.profile->name, to_string(behaviour_));
  if (behaviour_ == Behaviour::kCrashesAtBoot) {
    ++crash_resets_;
    if (crash_resets_ > options_.max_crash_resets) {
      console_.print("HardFault again after {} resets; board halted", options_.max_crash_resets);
      state_ = BoardState::kHalted;
      return;
    }
    console_.print("HardFault in main(): the watchdog resets the board");
    after(std::chrono::milliseconds(200), [this] { boot(); });
    return;
  }
  crash_resets_ = 0;

  agent_ = std::make_unique<agent::Agent>(options_.agent, static_cast<agent::Transport&>(*this),
                                          static_cast<agent::Clock&>(*this), *bootloader_, layout_,
                                          static_cast<agent::Application&>(*this));
  const Status started = agent_->start();
  if (started != Status::kOk) {
    console_.print("agent: cannot start ({})", to_string(started));
    state_ = BoardState::kHalted;
    return;
  }
  MqttSession::Handlers handlers;
  handlers.connected = [this] {
    if (!flash_.power().on()) return;
    console_.print("MQTT connected to {}:{} as {}", options_.mqtt.host, options_.mqtt.port, options_.name);
    if (agent_) agent_->on_connected();
  };
  handlers.disconnected = [this](int) {
    console_.print("MQTT connection lost ({}); reconnecting", mqtt_ ? mqtt_->last_error() : std::string("?"));
    if (agent_) agent_->on_disconnected();
  };
  handlers.message = [this](std::string_view topic, std::span<const std::uint8_t> payload) {
    if (!agent_ || !flash_.power().on()) return;  // a dead CPU hears nothing
    agent_->on_message(topic, payload);
    check_power();
  };
  mqtt_ = std::make_unique<MqttSession>(loop_, options_.mqtt, std::move(handlers));
  mqtt_->start();
  poll();
}

void VirtualBoard::poll() {
  if (!agent_) return;
  agent_->poll();
  check_power();
  const auto now = now_ms();
  const auto next = agent_->next_deadline_ms();
  const auto wait = next == UINT64_MAX ? 1000 : std::clamp<std::uint64_t>(next > now ? next - now : 0, 10, 1000);
  after(std::chrono::milliseconds(wait), [this] { poll(); });
}

void VirtualBoard::check_power() {
  if (!agent_) return;
  const auto& plan = options_.power_cut;
  if (plan.during_download_after_blocks && !download_cut_done_ &&
      agent_->state() == agent::AgentState::kDownloading &&
      agent_->stats().blocks_written >= *plan.during_download_after_blocks) {
    // The next flash operation (the next block's write) tears.
    download_cut_done_ = true;
    flash_.power().cut_at(0);
    console_.print("*** power cut armed: the next flash write tears ***");
  }
  if (!flash_.power().on()) {
    // Never tear down the session from inside its own callback; the new
    // epoch silences this boot's other timers meanwhile.
    const auto epoch = ++epoch_;
    loop_.after(std::chrono::milliseconds(0), [this, epoch] {
      if (epoch == epoch_) cut_power(options_.power_cut.off_for);
    });
  }
}

bool VirtualBoard::idle() const {
  return state_ == BoardState::kRunning && !reset_pending_ && agent_ &&
         agent_->state() == agent::AgentState::kWaitingForJob;
}

BoardReport VirtualBoard::report() {
  BoardReport r;
  r.name = options_.name;
  r.board = std::string(options_.profile->name);
  r.state = state_;
  r.resets = resets_;
  r.power_cuts = power_cuts_;
  if (agent_) r.agent = agent_->state();
  const bool was_on = flash_.power().on();
  if (!was_on) flash_.power().restore();  // inspection, not a boot
  boot::BootControl control(layout_, key_);
  auto st = control.status();
  r.boot_ok = st.ok();
  if (st.ok()) r.boot = *st;
  else r.boot_error = st.status();
  auto d = image::read_descriptor(layout_.app);
  if (d.ok()) {
    r.installed = d->version;
    r.behaviour = std::string(to_string(behaviour_of(*d)));
    auto digest = image::sha256_of(layout_.app, d->image_size);
    if (digest.ok()) r.app_digest = *digest;
  }
  const auto c = flash_.counters();
  r.flash_operations = c.reads + c.programs + c.erases;
  r.flash_time_us = c.time_us;
  return r;
}

// Once power is cut (a torn flash operation) the CPU has stopped: nothing
// more leaves the board, even though the agent's call is still unwinding.
Status VirtualBoard::publish(std::string_view topic, std::span<const std::uint8_t> payload, std::uint8_t qos) {
  if (!mqtt_ || !flash_.power().on()) return Status::kIoError;
  return mqtt_->publish(topic, payload, qos) ? Status::kOk : Status::kIoError;
}

Status VirtualBoard::subscribe(std::string_view topic) {
  if (!mqtt_ || !flash_.power().on()) return Status::kIoError;
  return mqtt_->subscribe(topic, 1) ? Status::kOk : Status::kIoError;
}

Status VirtualBoard::unsubscribe(std::string_view topic) {
  if (!mqtt_ || !flash_.power().on()) return Status::kIoError;
  return mqtt_->unsubscribe(topic) ? Status::kOk : Status::kIoError;
}

std::uint64_t VirtualBoard::now_ms() {
  return static_cast<std::uint64_t>(
      std::chrono::duration_cast<std::chrono::milliseconds>(loop_.now().time_since_epoch()).count());
}

void VirtualBoard::request_reset() {
  console_.print("resetting (the agent asked for it; the loader acts on the update state)");
  // Leave time for the status update in flight, then reset (no DISCONNECT:
  // a reset is not a clean shutdown).
  reset_pending_ = true;
  reset_when_sent(std::chrono::milliseconds(0));
}

// The agent asks for a reset once its status update is handed over; a real
// port resets after the broker acknowledged it (a reset loses the session and
// whatever it still held). Wait for the acknowledgement, up to 10 s.
void VirtualBoard::reset_when_sent(std::chrono::milliseconds waited) {
  const bool sent = !mqtt_ || mqtt_->unacknowledged() == 0;
  if (sent || waited >= std::chrono::seconds(10)) {
    after(std::chrono::milliseconds(100), [this] { boot(); });
    return;
  }
  after(std::chrono::milliseconds(50), [this, waited] { reset_when_sent(waited + std::chrono::milliseconds(50)); });
}

void VirtualBoard::start_self_test() {
  console_.print("self-test of {} started", version_text(running_.version));
  switch (behaviour_) {
    case Behaviour::kBootsFine:
      after(options_.self_test_duration, [this] {
        console_.print("self-test passed");
        if (agent_) agent_->self_test_done(true);
      });
      break;
    case Behaviour::kFailsSelfTest:
      after(options_.self_test_duration, [this] {
        console_.print("self-test FAILED (simulated: the new firmware cannot reach its sensors)");
        if (agent_) agent_->self_test_done(false);
      });
      break;
    case Behaviour::kNeverConfirms:
      console_.print("self-test hangs (simulated)");
      after(options_.watchdog, [this] {
        console_.print("watchdog reset");
        boot();
      });
      break;
    case Behaviour::kCrashesAtBoot: break;  // never gets here
  }
}

void VirtualBoard::log(agent::LogLevel level, std::string_view line) {
  if (level == agent::LogLevel::kDebug && !options_.console_debug) return;
  if (!flash_.power().on()) return;  // the CPU stopped with the power
  console_.line(line);
}

}  // namespace otter::simboard
