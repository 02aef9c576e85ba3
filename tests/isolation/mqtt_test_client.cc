#include "mqtt_test_client.h"

#include <stdexcept>

namespace otter::testing {
namespace {

struct LibraryInit {
  LibraryInit() { mosquitto_lib_init(); }
};

}  // namespace

MqttTestClient::MqttTestClient(std::string client_id, std::uint16_t port, std::optional<TlsIdentity> tls,
                               std::optional<std::string> username)
    : port_(port) {
  static LibraryInit init;
  mosq_ = mosquitto_new(client_id.c_str(), true, this);
  if (mosq_ == nullptr) throw std::runtime_error("mosquitto_new failed");
  mosquitto_threaded_set(mosq_, true);
  mosquitto_connect_callback_set(mosq_, &MqttTestClient::on_connect);
  mosquitto_disconnect_callback_set(mosq_, &MqttTestClient::on_disconnect);
  mosquitto_subscribe_callback_set(mosq_, &MqttTestClient::on_subscribe);
  mosquitto_publish_callback_set(mosq_, &MqttTestClient::on_publish);
  mosquitto_message_callback_set(mosq_, &MqttTestClient::on_message);
  if (username) mosquitto_username_pw_set(mosq_, username->c_str(), nullptr);
  if (tls) {
    const std::string cert = tls->cert.string();
    const std::string key = tls->key.string();
    const int rc = mosquitto_tls_set(mosq_, tls->ca.c_str(), nullptr, cert.empty() ? nullptr : cert.c_str(),
                                     key.empty() ? nullptr : key.c_str(), nullptr);
    if (rc != MOSQ_ERR_SUCCESS) throw std::runtime_error(std::string("mosquitto_tls_set: ") + mosquitto_strerror(rc));
  }
}

MqttTestClient::~MqttTestClient() {
  disconnect();
  mosquitto_destroy(mosq_);
}

bool MqttTestClient::connect(std::chrono::milliseconds timeout) {
  // The TLS handshake happens here; a broker that refuses the certificate
  // during the handshake (TLS 1.2) fails it at once.
  const int rc = mosquitto_connect(mosq_, "127.0.0.1", port_, 30);
  if (rc != MOSQ_ERR_SUCCESS) return false;
  loop_ = std::thread([this] { run_loop(); });
  std::unique_lock lock(mutex_);
  // With TLS 1.3 the client finishes its handshake before the broker has
  // checked the certificate: the refusal shows up as a lost connection.
  changed_.wait_for(lock, timeout, [&] { return connack_.has_value() || lost_; });
  return connack_.has_value() && *connack_ == 0 && !lost_;
}

void MqttTestClient::run_loop() {
  while (true) {
    {
      std::lock_guard lock(mutex_);
      if (stop_) return;
    }
    const int rc = mosquitto_loop(mosq_, 50, 1);
    if (rc != MOSQ_ERR_SUCCESS) {
      std::lock_guard lock(mutex_);
      lost_ = true;
      changed_.notify_all();
      return;
    }
  }
}

int MqttTestClient::subscribe(const std::string& topic, int qos, std::chrono::milliseconds timeout) {
  int mid = 0;
  if (mosquitto_subscribe(mosq_, &mid, topic.c_str(), qos) != MOSQ_ERR_SUCCESS) return -1;
  std::unique_lock lock(mutex_);
  changed_.wait_for(lock, timeout, [&] { return subacks_.count(mid) > 0 || lost_; });
  auto it = subacks_.find(mid);
  return it == subacks_.end() ? -1 : it->second;
}

bool MqttTestClient::publish(const std::string& topic, const std::string& payload, int qos,
                             std::chrono::milliseconds timeout) {
  int mid = 0;
  if (mosquitto_publish(mosq_, &mid, topic.c_str(), static_cast<int>(payload.size()), payload.data(), qos, false) !=
      MOSQ_ERR_SUCCESS) {
    return false;
  }
  if (qos == 0) return true;
  std::unique_lock lock(mutex_);
  return changed_.wait_for(lock, timeout, [&] { return pubacks_.count(mid) > 0 || lost_; }) && pubacks_.count(mid) > 0;
}

std::optional<ReceivedMessage> MqttTestClient::wait_for(const std::string& topic, std::chrono::milliseconds timeout) {
  std::unique_lock lock(mutex_);
  std::optional<ReceivedMessage> found;
  changed_.wait_for(lock, timeout, [&] {
    for (const auto& m : messages_) {
      if (m.topic == topic) {
        found = m;
        return true;
      }
    }
    return lost_;
  });
  return found;
}

std::vector<ReceivedMessage> MqttTestClient::received(const std::string& topic) const {
  std::lock_guard lock(mutex_);
  std::vector<ReceivedMessage> result;
  for (const auto& m : messages_) {
    if (m.topic == topic) result.push_back(m);
  }
  return result;
}

bool MqttTestClient::wait_for_disconnect(std::chrono::milliseconds timeout) {
  std::unique_lock lock(mutex_);
  return changed_.wait_for(lock, timeout, [&] { return lost_; });
}

bool MqttTestClient::connected() const {
  std::lock_guard lock(mutex_);
  return connack_.has_value() && *connack_ == 0 && !lost_;
}

void MqttTestClient::disconnect() {
  if (!loop_.joinable()) return;
  mosquitto_disconnect(mosq_);
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  loop_.join();
}

void MqttTestClient::on_connect(mosquitto*, void* self, int rc) {
  auto* client = static_cast<MqttTestClient*>(self);
  std::lock_guard lock(client->mutex_);
  client->connack_ = rc;
  client->changed_.notify_all();
}

void MqttTestClient::on_disconnect(mosquitto*, void* self, int) {
  auto* client = static_cast<MqttTestClient*>(self);
  std::lock_guard lock(client->mutex_);
  client->lost_ = true;
  client->changed_.notify_all();
}

void MqttTestClient::on_subscribe(mosquitto*, void* self, int mid, int count, const int* granted) {
  auto* client = static_cast<MqttTestClient*>(self);
  std::lock_guard lock(client->mutex_);
  client->subacks_[mid] = count > 0 ? granted[0] : -1;
  client->changed_.notify_all();
}

void MqttTestClient::on_publish(mosquitto*, void* self, int mid) {
  auto* client = static_cast<MqttTestClient*>(self);
  std::lock_guard lock(client->mutex_);
  client->pubacks_[mid] = true;
  client->changed_.notify_all();
}

void MqttTestClient::on_message(mosquitto*, void* self, const mosquitto_message* message) {
  auto* client = static_cast<MqttTestClient*>(self);
  std::lock_guard lock(client->mutex_);
  client->messages_.push_back({message->topic, std::string(static_cast<const char*>(message->payload),
                                                           static_cast<size_t>(message->payloadlen))});
  client->changed_.notify_all();
}

}  // namespace otter::testing
