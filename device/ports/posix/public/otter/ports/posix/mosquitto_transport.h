// The agent's Transport over libmosquitto: mutual TLS with the device's
// certificate (client id = thing name), QoS 1, reconnect with backoff, events
// delivered to the attached Agent. No threads: the caller drives it with
// loop() (or, in an event loop, by polling socket() and calling loop(0)), so
// one thread can run many devices.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

#include "otter/agent/agent.h"
#include "otter/agent/ports.h"

struct mosquitto;
struct mosquitto_message;

namespace otter::ports::posix {

struct MqttOptions {
  std::string host = "127.0.0.1";
  int port = 8883;
  std::string client_id;  // the thing name
  // PEM files. All empty: plain TCP (development brokers only).
  std::string ca_file;
  std::string cert_file;
  std::string key_file;
  int keepalive_s = 60;
  bool clean_session = true;
  std::chrono::milliseconds reconnect_min{500};
  std::chrono::milliseconds reconnect_max{30000};
};

class MosquittoTransport final : public agent::Transport {
 public:
  explicit MosquittoTransport(MqttOptions options);
  ~MosquittoTransport() override;
  MosquittoTransport(const MosquittoTransport&) = delete;
  MosquittoTransport& operator=(const MosquittoTransport&) = delete;

  // The agent that receives connection events and messages (nullptr: none).
  void attach(agent::Agent* agent) { agent_ = agent; }
  // Validates the options (files readable, TLS set up) and starts connecting.
  // kInvalidArgument / kBadKey with last_error() saying what to fix.
  Status start();
  // Network I/O for up to `timeout_ms`; reconnects when due. Call often.
  void loop(int timeout_ms);
  // Clean DISCONNECT (no reconnect until start()).
  void stop();

  bool connected() const { return connected_; }
  int socket() const;
  const std::string& last_error() const { return last_error_; }
  std::uint32_t reconnects() const { return reconnects_; }

  Status publish(std::string_view topic, std::span<const std::uint8_t> payload, std::uint8_t qos) override;
  Status subscribe(std::string_view topic) override;
  Status unsubscribe(std::string_view topic) override;

 private:
  static void on_connect(mosquitto* m, void* self, int rc);
  static void on_disconnect(mosquitto* m, void* self, int rc);
  static void on_message(mosquitto* m, void* self, const mosquitto_message* message);
  void lost(const std::string& why);

  MqttOptions options_;
  mosquitto* mosq_ = nullptr;
  agent::Agent* agent_ = nullptr;
  bool started_ = false;
  bool connected_ = false;
  bool connecting_ = false;
  std::chrono::milliseconds backoff_{0};
  std::chrono::steady_clock::time_point next_attempt_{};
  std::uint32_t reconnects_ = 0;
  std::string last_error_;
};

}  // namespace otter::ports::posix
