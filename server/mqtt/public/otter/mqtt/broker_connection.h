#pragma once
// otterd's MQTT client (libmosquitto): TLS with otterd's own certificate,
// QoS 1, a persistent session (clean_session=false) so requests published
// while otterd is down wait in the broker, reconnect with exponential backoff,
// and re-subscription on every connect.
#include <atomic>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <vector>

struct mosquitto;
struct mosquitto_message;

namespace otter::mqtt {

struct TlsFiles {
  std::string ca_file;
  std::string cert_file;
  std::string key_file;
};

struct BrokerOptions {
  std::string host = "127.0.0.1";
  int port = 8883;
  std::string client_id = "otterd";
  std::optional<TlsFiles> tls;  // absent: plain TCP (development, loopback only)
  int keepalive_seconds = 30;
  unsigned max_inflight = 1000;
  std::vector<std::string> subscriptions;
};

class Publisher {
 public:
  virtual ~Publisher() = default;
  // Queues a message; returns its message id, nullopt when libmosquitto refused it.
  virtual std::optional<int> publish(const std::string& topic, std::span<const std::uint8_t> payload, int qos) = 0;
};

class BrokerConnection final : public Publisher {
 public:
  struct Handlers {
    std::function<void(const std::string& topic, std::vector<std::uint8_t> payload)> message;
    std::function<void(int mid)> published;
    std::function<void(bool connected)> connection;
  };

  // Throws std::runtime_error on invalid options (e.g. unreadable TLS files).
  BrokerConnection(BrokerOptions options, Handlers handlers);
  BrokerConnection(const BrokerConnection&) = delete;
  BrokerConnection& operator=(const BrokerConnection&) = delete;
  ~BrokerConnection() override;

  // Starts the network thread; connects (and keeps reconnecting) in the background.
  void start();
  void stop();
  bool connected() const { return connected_; }

  std::optional<int> publish(const std::string& topic, std::span<const std::uint8_t> payload, int qos) override;

 private:
  static void on_connect(mosquitto*, void* self, int rc);
  static void on_disconnect(mosquitto*, void* self, int rc);
  static void on_message(mosquitto*, void* self, const mosquitto_message* message);
  static void on_publish(mosquitto*, void* self, int mid);

  BrokerOptions options_;
  Handlers handlers_;
  mosquitto* mosq_ = nullptr;
  std::atomic<bool> connected_{false};
  bool running_ = false;
};

}  // namespace otter::mqtt
