// What a port supplies to the agent: an MQTT transport, a clock, and the
// application's hooks. Plain interfaces, no heap; the agent never blocks and
// never starts threads, so one thread (or an event loop) may run many agents.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

#include "otter/core/status.h"

namespace otter::agent {

// The MQTT connection of one thing. Incoming messages are fed to
// Agent::on_message(); connection changes to Agent::on_connected() /
// on_disconnected().
class Transport {
 public:
  virtual ~Transport() = default;
  // `topic` and `payload` are only valid during the call: copy or send them.
  virtual Status publish(std::string_view topic, std::span<const std::uint8_t> payload, std::uint8_t qos) = 0;
  virtual Status subscribe(std::string_view topic) = 0;
  virtual Status unsubscribe(std::string_view topic) = 0;
};

class Clock {
 public:
  virtual ~Clock() = default;
  // Monotonic milliseconds.
  virtual std::uint64_t now_ms() = 0;
};

enum class LogLevel : std::uint8_t { kDebug, kInfo, kWarning, kError };

class Application {
 public:
  virtual ~Application() = default;
  // The staged image is verified and handed to the bootloader: reset when
  // convenient (after the pending status update has gone out).
  virtual void request_reset() = 0;
  // The new image runs on trial: run the self-test and answer with
  // Agent::self_test_done() before AgentConfig::self_test_timeout_ms.
  virtual void start_self_test() = 0;
  // One console line, without newline (e.g. "[OTA] block 12/88 received").
  virtual void log(LogLevel level, std::string_view line) = 0;
};

}  // namespace otter::agent
