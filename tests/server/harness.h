#pragma once
// Test harness for otterd integration tests: a real Mosquitto with Otter's
// generated mutual-TLS configuration on a free loopback port, in a temporary
// data dir, and real MQTT devices (libmosquitto) with certificates from the
// Otter CA. Every wait is bounded.
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "otter/broker/broker_setup.h"
#include "otter/broker/mosquitto_process.h"
#include "otter/mqtt/broker_connection.h"
#include "otter/pki/certificate_authority.h"

struct mosquitto;
struct mosquitto_message;

namespace otter::testing {

using namespace std::chrono_literals;

struct Message {
  std::string topic;
  std::vector<std::uint8_t> payload;
  std::string text() const { return {payload.begin(), payload.end()}; }
  nlohmann::json json() const { return nlohmann::json::parse(text()); }
};

struct DeviceCredentials {
  std::string name;
  std::filesystem::path ca_file, cert_file, key_file;
};

// A temporary data dir with a running broker (TLS on a free loopback port).
class TestStack {
 public:
  TestStack();
  ~TestStack();
  TestStack(const TestStack&) = delete;
  TestStack& operator=(const TestStack&) = delete;

  const std::filesystem::path& data_dir() const { return data_dir_; }
  std::uint16_t port() const { return port_; }
  mqtt::TlsFiles otterd_tls() const;
  DeviceCredentials device(const std::string& name);  // issues a certificate (CN = name)
  // A file of `size` deterministic bytes under the data dir.
  std::filesystem::path image(const std::string& name, std::size_t size);

 private:
  std::filesystem::path root_;
  std::filesystem::path data_dir_;
  std::uint16_t port_ = 0;
  broker::BrokerSetup setup_;
  std::unique_ptr<broker::MosquittoProcess> broker_;
  std::unique_ptr<pki::CertificateAuthority> ca_;
};

// One MQTT device with its own certificate.
class TestDevice {
 public:
  TestDevice(const DeviceCredentials& credentials, std::uint16_t port);
  ~TestDevice();
  TestDevice(const TestDevice&) = delete;
  TestDevice& operator=(const TestDevice&) = delete;

  const std::string& name() const { return name_; }
  // Subscribes (QoS 1) and waits for the broker's SUBACK.
  void subscribe(const std::string& topic);
  void publish(const std::string& topic, const std::string& payload, int qos = 1);
  void publish(const std::string& topic, const std::vector<std::uint8_t>& payload, int qos = 1);
  // The oldest unread message on exactly `topic`, waiting up to `timeout`.
  std::optional<Message> next(const std::string& topic, std::chrono::milliseconds timeout = 15s);
  // Unread messages on `topic` now, without waiting.
  std::vector<Message> take(const std::string& topic);

  std::string jobs(const std::string& rest) const { return "$aws/things/" + name_ + "/jobs/" + rest; }
  std::string streams(const std::string& stream, const std::string& rest) const {
    return "$aws/things/" + name_ + "/streams/" + stream + "/" + rest;
  }

 private:
  static void on_connect(mosquitto*, void*, int);
  static void on_subscribe(mosquitto*, void*, int, int, const int*);
  static void on_message(mosquitto*, void*, const mosquitto_message*);

  std::string name_;
  mosquitto* mosq_ = nullptr;
  std::mutex mutex_;
  std::condition_variable cv_;
  bool connected_ = false;
  int connect_rc_ = -1;
  std::vector<int> subacks_;
  std::map<std::string, std::deque<Message>> inbox_;
};

// Waits (bounded) until `condition` holds; returns whether it did.
template <typename Condition>
bool eventually(Condition condition, std::chrono::milliseconds timeout = 15s) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (condition()) return true;
    std::this_thread::sleep_for(20ms);
  }
  return condition();
}

// A data block decoded by hand from its CBOR bytes (independent of libcbor):
// a 4-entry map of one-letter text keys to unsigned integers and one byte string.
struct DataBlock {
  std::uint64_t f = 0, i = 0, l = 0;
  std::vector<std::uint8_t> p;
};
std::optional<DataBlock> decode_block(const std::vector<std::uint8_t>& cbor);
// A GetStream request encoded by hand: {"c":token,"f":f,"l":l,"o":o,"n":n[,"b":bitmap]}.
std::vector<std::uint8_t> encode_request(const std::string& token, std::uint64_t f, std::uint64_t l, std::uint64_t o,
                                         std::uint64_t n, const std::optional<std::vector<std::uint8_t>>& bitmap);

}  // namespace otter::testing
