// Many virtual boards in one process: one event loop, one optional link
// emulator (each board's connection is its own emulated link), staggered
// power-on so a thousand TLS handshakes do not land in the same millisecond.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "otter/link/link_emulator.h"
#include "otter/simboard/virtual_board.h"

namespace otter::fleet {

struct BoardSpec {
  simboard::BoardOptions options;      // mqtt host/port are rewritten to the link when one is used
  std::vector<std::uint8_t> factory;   // image flashed at the factory (the seed's ICP step)
};

struct FleetOptions {
  std::string broker_host = "127.0.0.1";
  std::uint16_t broker_port = 8883;
  std::optional<link::LinkProfile> link;  // none = boards connect to the broker directly
  std::chrono::milliseconds power_on_spread{0};  // boards power on evenly over this time
};

class Fleet {
 public:
  explicit Fleet(FleetOptions options);
  ~Fleet();

  void add(BoardSpec spec);
  // Powers every board on (staggered) and starts the link.
  void start();
  // Runs the loop until `done()` or the deadline; true when done.
  bool run_until(std::chrono::steady_clock::time_point deadline, const std::function<bool()>& done);
  void stop() { loop_.stop(); }

  simboard::EventLoop& loop() { return loop_; }
  std::vector<std::unique_ptr<simboard::VirtualBoard>>& boards() { return boards_; }
  link::LinkEmulator* link() { return link_.get(); }
  bool all_idle() const;

 private:
  FleetOptions options_;
  simboard::EventLoop loop_;
  std::unique_ptr<link::LinkEmulator> link_;
  std::vector<std::unique_ptr<simboard::VirtualBoard>> boards_;
};

// The report of a run as JSON (one object per board plus totals), what the
// end-to-end tests assert on.
std::string report_json(std::vector<simboard::BoardReport> const& reports, const link::LinkStats* link);

}  // namespace otter::fleet
