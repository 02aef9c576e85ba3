// A real MQTT client (libmosquitto over TLS) for isolation tests: connects
// with a certificate (or none), subscribes and publishes waiting for the
// broker's SUBACK/PUBACK, and records every message it receives. Never
// reconnects: a refused or cut connection stays visible to the test.
#pragma once

#include <mosquitto.h>

#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace otter::testing {

using namespace std::chrono_literals;

struct TlsIdentity {
  std::filesystem::path ca;    // CA the client trusts for the broker
  std::filesystem::path cert;  // empty: connect without a client certificate
  std::filesystem::path key;
};

struct ReceivedMessage {
  std::string topic;
  std::string payload;
};

class MqttTestClient {
 public:
  // `tls` absent: plain TCP. `username` is sent as the MQTT username.
  MqttTestClient(std::string client_id, std::uint16_t port, std::optional<TlsIdentity> tls,
                 std::optional<std::string> username = std::nullopt);
  ~MqttTestClient();
  MqttTestClient(const MqttTestClient&) = delete;
  MqttTestClient& operator=(const MqttTestClient&) = delete;

  // True when the broker answered CONNACK 0; false when the TLS handshake,
  // the CONNECT or the connection failed, or nothing came within `timeout`.
  bool connect(std::chrono::milliseconds timeout = 10s);
  // The QoS the broker granted, 0x80 when it refused the subscription, -1
  // when no SUBACK came.
  int subscribe(const std::string& topic, int qos = 1, std::chrono::milliseconds timeout = 10s);
  // QoS 1: true once the broker acknowledged it (Mosquitto acknowledges
  // publishes the ACL refuses too; it just does not deliver them).
  bool publish(const std::string& topic, const std::string& payload, int qos = 1,
               std::chrono::milliseconds timeout = 10s);
  // The first message on `topic` (waits up to `timeout` for it).
  std::optional<ReceivedMessage> wait_for(const std::string& topic, std::chrono::milliseconds timeout = 10s);
  std::vector<ReceivedMessage> received(const std::string& topic) const;
  bool wait_for_disconnect(std::chrono::milliseconds timeout = 10s);
  bool connected() const;
  void disconnect();

 private:
  static void on_connect(mosquitto*, void* self, int rc);
  static void on_disconnect(mosquitto*, void* self, int rc);
  static void on_subscribe(mosquitto*, void* self, int mid, int count, const int* granted);
  static void on_publish(mosquitto*, void* self, int mid);
  static void on_message(mosquitto*, void* self, const mosquitto_message* message);
  void run_loop();

  mosquitto* mosq_ = nullptr;
  std::uint16_t port_;
  std::thread loop_;
  bool stop_ = false;

  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::optional<int> connack_;
  bool lost_ = false;
  std::map<int, int> subacks_;
  std::map<int, bool> pubacks_;
  std::vector<ReceivedMessage> messages_;
};

}  // namespace otter::testing
