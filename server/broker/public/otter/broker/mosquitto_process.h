// Runs /usr/sbin/mosquitto as a child process for otterd (--manage-broker),
// tests, the demo and the fleet simulator: start, wait until the listener
// accepts connections, reload (SIGHUP), stop (SIGTERM, then SIGKILL).
// The child gets PR_SET_PDEATHSIG: it is terminated when the *thread* that
// started it exits, so start it from a thread that lives as long as it should
// (main, or a test suite's set-up).
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <stdexcept>
#include <string>

#include "otter/broker/mosquitto_config.h"

namespace otter::broker {

struct MosquittoOptions {
  std::filesystem::path binary = "/usr/sbin/mosquitto";
  std::filesystem::path config;
  // stdout/stderr of the broker are appended here (BrokerPaths::console()).
  std::filesystem::path console_log;
  // The broker's own log (log_dest file); its tail is quoted when start fails.
  std::filesystem::path log_file;
  // The listener that must accept TCP connections before start() returns.
  std::string host = "127.0.0.1";
  std::uint16_t port = 0;
  std::chrono::milliseconds start_timeout{15000};
  std::chrono::milliseconds stop_timeout{5000};
};

class BrokerProcessError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class MosquittoProcess {
 public:
  // Starts the broker; throws BrokerProcessError (with the tail of the
  // console log) when it exits or does not accept connections in time.
  explicit MosquittoProcess(MosquittoOptions options);
  ~MosquittoProcess();  // stop()
  MosquittoProcess(const MosquittoProcess&) = delete;
  MosquittoProcess& operator=(const MosquittoProcess&) = delete;

  // Starts it again after stop(); no-op when running.
  void start();
  // SIGTERM, wait up to stop_timeout, then SIGKILL. Mosquitto writes its
  // persistence file on SIGTERM. No-op when not running.
  void stop();
  void restart();
  // SIGKILL without the orderly shutdown (durability tests).
  void kill();
  // SIGHUP: Mosquitto 2.0 re-reads the config, the ACL file, its certificate
  // and key, and the CRL (verified by tests/isolation). Existing connections
  // are kept: a revoked device already connected stays connected until it
  // reconnects; use restart() to cut it off at once.
  void reload();
  // reload(), then waits until the broker has finished reloading (needs
  // options().log_file): its log says it started, and a probe connection
  // served afterwards shows it is done (the broker is single-threaded).
  // Connections made after this returns see the new CRL and ACL. Throws
  // BrokerProcessError when that does not happen within `timeout`.
  void reload_and_wait(std::chrono::milliseconds timeout = std::chrono::milliseconds(10000));
  bool running();
  pid_t pid() const { return pid_; }
  const MosquittoOptions& options() const { return options_; }

 private:
  void wait_until_accepting(size_t running_lines_before);
  std::string console_tail() const;

  MosquittoOptions options_;
  pid_t pid_ = -1;
};

// Options that start the broker `config` describes (TLS listener as the
// readiness probe, console and log files from its BrokerPaths). A wildcard
// bind address is probed on 127.0.0.1.
MosquittoOptions options_for(const BrokerConfig& config);

// Reloads the broker of a data dir that someone else started (otter-stack,
// systemd): finds it through BrokerPaths::pid_file(), checks the pid is a
// mosquitto process, sends SIGHUP and waits like reload_and_wait(). Returns
// false when no broker is running for `config`; throws BrokerProcessError
// when it does not finish reloading in time.
bool reload_running_broker(const BrokerConfig& config,
                           std::chrono::milliseconds timeout = std::chrono::milliseconds(10000));

// A TCP port on 127.0.0.1 that was free a moment ago (the kernel's pick).
// Another process may take it before the broker binds it: callers that start
// a broker on it retry with a new port when start fails.
std::uint16_t pick_free_loopback_port();

}  // namespace otter::broker
