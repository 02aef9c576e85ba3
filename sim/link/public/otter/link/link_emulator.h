// A userspace TCP proxy that emulates a network link between boards and the
// broker (the kernel's netem is not available here). Every accepted
// connection is one board's link with its own shapers (one per direction),
// so a fleet shares one emulator, one thread and one epoll loop.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "otter/link/link_profile.h"

namespace otter::link {

struct LinkStats {
  std::uint64_t connections_accepted = 0;
  std::uint64_t connections_refused = 0;  // accepted while the link was down, closed at once
  std::uint64_t connections_cut = 0;      // by loss, outage or cut_all()
  std::uint64_t connect_failures = 0;     // upstream refused
  std::uint64_t bytes_up = 0;             // board -> broker, delivered
  std::uint64_t bytes_down = 0;           // broker -> board, delivered
  std::uint64_t segments_up = 0;
  std::uint64_t segments_down = 0;
  Nanos modelled_busy{0};  // time the modelled links spent transmitting (bytes * 8 / bandwidth), both directions
  std::uint64_t open_connections = 0;
};

class LinkEmulator {
 public:
  struct Options {
    std::string listen_host = "127.0.0.1";
    std::uint16_t listen_port = 0;  // 0 = pick a free port
    std::string upstream_host = "127.0.0.1";
    std::uint16_t upstream_port = 0;
    LinkProfile profile;
  };

  // Binds and listens; throws std::system_error when it cannot.
  explicit LinkEmulator(Options options);
  ~LinkEmulator();
  LinkEmulator(const LinkEmulator&) = delete;
  LinkEmulator& operator=(const LinkEmulator&) = delete;

  std::uint16_t port() const { return port_; }
  const LinkProfile& profile() const { return options_.profile; }

  // Runs the proxy loop on its own thread; scheduled outages count from here.
  void start();
  // Stops the loop and closes every connection. Idempotent.
  void stop();

  // A manual outage: while down every connection is cut and new ones are refused.
  void set_down(bool down);
  // Severs every open connection once (the link stays up).
  void cut_all();

  LinkStats stats() const;

 private:
  struct Loop;

  void wake();

  Options options_;
  int listen_fd_ = -1;
  int wake_fd_ = -1;
  std::uint16_t port_ = 0;
  std::atomic<bool> stopping_{false};
  std::atomic<bool> down_{false};
  std::atomic<std::uint64_t> cut_requests_{0};
  mutable std::mutex stats_mutex_;
  LinkStats stats_;
  std::unique_ptr<Loop> loop_;
  std::thread thread_;
};

}  // namespace otter::link
