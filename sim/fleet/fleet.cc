#include "otter/fleet/fleet.h"

#include <nlohmann/json.hpp>

#include "otter/core/status.h"

namespace otter::fleet {

Fleet::Fleet(FleetOptions options) : options_(std::move(options)) {
  if (options_.link) {
    link::LinkEmulator::Options o;
    o.upstream_host = options_.broker_host;
    o.upstream_port = options_.broker_port;
    o.profile = *options_.link;
    link_ = std::make_unique<link::LinkEmulator>(o);
  }
}

Fleet::~Fleet() {
  boards_.clear();  // sessions unwatch their sockets before the loop goes
  if (link_) link_->stop();
}

void Fleet::add(BoardSpec spec) {
  auto& mqtt = spec.options.mqtt;
  mqtt.host = link_ ? "127.0.0.1" : options_.broker_host;
  mqtt.port = link_ ? link_->port() : options_.broker_port;
  auto board = std::make_unique<simboard::VirtualBoard>(loop_, std::move(spec.options));
  board->flash_factory_image(spec.factory);
  boards_.push_back(std::move(board));
}

void Fleet::start() {
  if (link_) link_->start();
  const auto n = boards_.size();
  for (std::size_t i = 0; i < n; ++i) {
    const auto delay = n > 1 ? options_.power_on_spread * static_cast<long>(i) / static_cast<long>(n) : std::chrono::milliseconds(0);
    auto* board = boards_[i].get();
    loop_.after(delay, [board] { board->power_on(); });
  }
}

bool Fleet::run_until(std::chrono::steady_clock::time_point deadline, const std::function<bool()>& done) {
  return loop_.run_until(deadline, done);
}

bool Fleet::all_idle() const {
  for (const auto& b : boards_) {
    if (!b->idle()) return false;
  }
  return true;
}

namespace {

std::string hex(std::span<const std::uint8_t> bytes) {
  static const char* digits = "0123456789abcdef";
  std::string s;
  for (auto b : bytes) {
    s += digits[b >> 4];
    s += digits[b & 15];
  }
  return s;
}

std::string version_string(Version v) { return fmt::format("{}.{}.{}", v.major, v.minor, v.build); }

const char* boot_state_name(boot::State s) {
  switch (s) {
    case boot::State::kIdle: return "idle";
    case boot::State::kInstallRequested: return "install-requested";
    case boot::State::kTrial: return "trial";
    case boot::State::kRolledBack: return "rolled-back";
    case boot::State::kInstallFailed: return "install-failed";
    case boot::State::kTrialFailed: return "trial-failed";
  }
  return "?";
}

const char* board_state_name(simboard::BoardState s) {
  switch (s) {
    case simboard::BoardState::kOff: return "off";
    case simboard::BoardState::kRunning: return "running";
    case simboard::BoardState::kHalted: return "halted";
  }
  return "?";
}

}  // namespace

std::string report_json(const std::vector<simboard::BoardReport>& reports, const link::LinkStats* link) {
  nlohmann::json boards = nlohmann::json::array();
  std::map<std::string, int> by_version;
  for (const auto& r : reports) {
    nlohmann::json b;
    b["name"] = r.name;
    b["board"] = r.board;
    b["state"] = board_state_name(r.state);
    b["installed_version"] = version_string(r.installed);
    b["installed_behaviour"] = r.behaviour;
    b["installed_sha256"] = hex(r.app_digest);
    if (r.boot_ok) {
      b["boot_state"] = boot_state_name(r.boot.state);
      b["running_version"] = version_string(r.boot.running);
      b["previous_version"] = version_string(r.boot.previous);
      b["last_error"] = to_string(r.boot.last_error);
      b["min_version"] = version_string(Version::decode(r.boot.min_version));
    } else {
      b["boot_state"] = nullptr;
      b["boot_error"] = to_string(r.boot_error);
    }
    b["agent_state"] = agent::to_string(r.agent);
    b["resets"] = r.resets;
    b["power_cuts"] = r.power_cuts;
    b["flash_operations"] = r.flash_operations;
    b["flash_time_ms"] = r.flash_time_us / 1000.0;
    boards.push_back(std::move(b));
    ++by_version[version_string(r.installed)];
  }
  nlohmann::json out;
  out["boards"] = std::move(boards);
  out["installed_versions"] = by_version;
  if (link) {
    out["link"] = {{"connections", link->connections_accepted}, {"cut", link->connections_cut},
                   {"refused", link->connections_refused},      {"bytes_up", link->bytes_up},
                   {"bytes_down", link->bytes_down},
                   {"modelled_busy_s", std::chrono::duration<double>(link->modelled_busy).count()}};
  }
  return out.dump(2);
}

}  // namespace otter::fleet
