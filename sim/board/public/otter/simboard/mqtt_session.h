// One board's MQTT connection through libmosquitto, driven by the shared
// EventLoop (mosquitto_loop_read/write/misc on readiness) instead of a
// library thread, so a thousand boards share one thread. Reconnects with
// backoff until stopped; drop() vanishes without a DISCONNECT, as a board
// that loses power does. Handlers run inside library calls: they may publish
// and subscribe, but must defer stop()/drop() to a loop timer.
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "otter/simboard/event_loop.h"

struct mosquitto;
struct mosquitto_message;

namespace otter::simboard {

struct MqttOptions {
  std::string host = "127.0.0.1";
  std::uint16_t port = 8883;
  std::string client_id;
  // PEM files; all empty = plain TCP (development listeners only).
  std::string ca_file, cert_file, key_file;
  int keepalive_s = 60;
  std::chrono::milliseconds reconnect_min{500};
  std::chrono::milliseconds reconnect_max{8000};
};

class MqttSession {
 public:
  struct Handlers {
    std::function<void()> connected;
    std::function<void(int reason)> disconnected;
    std::function<void(std::string_view topic, std::span<const std::uint8_t> payload)> message;
  };

  MqttSession(EventLoop& loop, MqttOptions options, Handlers handlers);
  ~MqttSession();
  MqttSession(const MqttSession&) = delete;
  MqttSession& operator=(const MqttSession&) = delete;

  // Starts connecting (and keeps reconnecting after losses).
  void start();
  // Clean MQTT DISCONNECT; no reconnect.
  void stop();
  // Power loss: the socket closes with no DISCONNECT; no reconnect.
  void drop();

  bool connected() const { return connected_; }
  // False when not connected or the library refused.
  bool publish(std::string_view topic, std::span<const std::uint8_t> payload, int qos);
  bool subscribe(std::string_view topic, int qos);
  bool unsubscribe(std::string_view topic);
  std::uint64_t reconnects() const { return reconnects_; }
  // QoS 1 publishes the broker has not acknowledged yet (0 when disconnected:
  // a dropped session loses them).
  std::size_t unacknowledged() const { return connected_ ? unacked_.size() : 0; }
  const std::string& last_error() const { return last_error_; }

  static void global_init();

 private:
  static void on_connect(mosquitto*, void* self, int rc);
  static void on_disconnect(mosquitto*, void* self, int rc);
  static void on_message(mosquitto*, void* self, const mosquitto_message* msg);
  static void on_publish(mosquitto*, void* self, int mid);

  void try_connect();
  void schedule_reconnect();
  void watch_socket();
  void update_interest();
  void handle(std::uint32_t events);
  void lost(int rc, const char* why);
  void misc_tick();
  void destroy();

  EventLoop& loop_;
  MqttOptions options_;
  Handlers handlers_;
  mosquitto* mosq_ = nullptr;
  int fd_ = -1;
  bool want_write_ = false;
  bool running_ = false;
  bool connected_ = false;
  std::chrono::milliseconds backoff_{0};
  EventLoop::TimerId reconnect_timer_ = 0;
  EventLoop::TimerId misc_timer_ = 0;
  std::uint64_t reconnects_ = 0;
  std::vector<int> unacked_;  // message ids of QoS 1 publishes in flight
  std::string last_error_;
};

}  // namespace otter::simboard
