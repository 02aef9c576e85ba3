#include "otter/mqtt/broker_connection.h"

#include <mosquitto.h>
#include <spdlog/spdlog.h>

#include <cerrno>
#include <cstring>
#include <mutex>
#include <stdexcept>

namespace otter::mqtt {
namespace {

void init_library() {
  static std::once_flag once;
  std::call_once(once, [] { mosquitto_lib_init(); });
}

}  // namespace

BrokerConnection::BrokerConnection(BrokerOptions options, Handlers handlers)
    : options_(std::move(options)), handlers_(std::move(handlers)) {
  init_library();
  mosq_ = mosquitto_new(options_.client_id.c_str(), false, this);
  if (!mosq_) throw std::runtime_error("mosquitto_new failed");
  mosquitto_int_option(mosq_, MOSQ_OPT_PROTOCOL_VERSION, MQTT_PROTOCOL_V311);
  // Requests and their answers are small messages on a live exchange: Nagle's
  // algorithm would hold them for the peer's delayed ACK (~40 ms each).
  mosquitto_int_option(mosq_, MOSQ_OPT_TCP_NODELAY, 1);
  mosquitto_max_inflight_messages_set(mosq_, options_.max_inflight);
  mosquitto_reconnect_delay_set(mosq_, 1, 30, true);
  if (options_.tls) {
    int rc = mosquitto_tls_set(mosq_, options_.tls->ca_file.c_str(), nullptr, options_.tls->cert_file.c_str(),
                               options_.tls->key_file.c_str(), nullptr);
    if (rc != MOSQ_ERR_SUCCESS) {
      mosquitto_destroy(mosq_);
      throw std::runtime_error("TLS setup failed (" + std::string(mosquitto_strerror(rc)) +
                               "): check --ca-file, --cert-file and --key-file");
    }
  }
  mosquitto_connect_callback_set(mosq_, &BrokerConnection::on_connect);
  mosquitto_disconnect_callback_set(mosq_, &BrokerConnection::on_disconnect);
  mosquitto_message_callback_set(mosq_, &BrokerConnection::on_message);
  mosquitto_publish_callback_set(mosq_, &BrokerConnection::on_publish);
}

BrokerConnection::~BrokerConnection() {
  stop();
  mosquitto_destroy(mosq_);
}

void BrokerConnection::start() {
  if (running_) return;
  int rc = mosquitto_connect_async(mosq_, options_.host.c_str(), options_.port, options_.keepalive_seconds);
  if (rc != MOSQ_ERR_SUCCESS)
    spdlog::warn("mqtt: first connection to {}:{} failed ({}); retrying in the background", options_.host,
                 options_.port, rc == MOSQ_ERR_ERRNO ? std::string(std::strerror(errno)) : mosquitto_strerror(rc));
  rc = mosquitto_loop_start(mosq_);
  if (rc != MOSQ_ERR_SUCCESS) throw std::runtime_error(std::string("mosquitto_loop_start: ") + mosquitto_strerror(rc));
  running_ = true;
}

void BrokerConnection::stop() {
  if (!running_) return;
  running_ = false;
  mosquitto_disconnect(mosq_);
  mosquitto_loop_stop(mosq_, false);
  connected_ = false;
}

std::optional<int> BrokerConnection::publish(const std::string& topic, std::span<const std::uint8_t> payload, int qos) {
  int mid = 0;
  int rc = mosquitto_publish(mosq_, &mid, topic.c_str(), static_cast<int>(payload.size()), payload.data(), qos, false);
  if (rc != MOSQ_ERR_SUCCESS) {
    spdlog::debug("mqtt: publish to {} failed: {}", topic, mosquitto_strerror(rc));
    return std::nullopt;
  }
  return mid;
}

void BrokerConnection::on_connect(mosquitto* mosq, void* self, int rc) {
  auto* c = static_cast<BrokerConnection*>(self);
  if (rc != 0) {
    spdlog::error("mqtt: broker {}:{} refused the connection: {}", c->options_.host, c->options_.port,
                  mosquitto_connack_string(rc));
    return;
  }
  for (const auto& s : c->options_.subscriptions) {
    int src = mosquitto_subscribe(mosq, nullptr, s.c_str(), 1);
    if (src != MOSQ_ERR_SUCCESS) spdlog::error("mqtt: subscribe {} failed: {}", s, mosquitto_strerror(src));
  }
  c->connected_ = true;
  spdlog::info("mqtt: connected to {}:{} as {}", c->options_.host, c->options_.port, c->options_.client_id);
  if (c->handlers_.connection) c->handlers_.connection(true);
}

void BrokerConnection::on_disconnect(mosquitto*, void* self, int rc) {
  auto* c = static_cast<BrokerConnection*>(self);
  c->connected_ = false;
  if (rc != 0) spdlog::warn("mqtt: connection to {}:{} lost; reconnecting", c->options_.host, c->options_.port);
  if (c->handlers_.connection) c->handlers_.connection(false);
}

void BrokerConnection::on_message(mosquitto*, void* self, const mosquitto_message* m) {
  auto* c = static_cast<BrokerConnection*>(self);
  if (!c->handlers_.message || !m->topic) return;
  const auto* p = static_cast<const std::uint8_t*>(m->payload);
  c->handlers_.message(m->topic, std::vector<std::uint8_t>(p, p + m->payloadlen));
}

void BrokerConnection::on_publish(mosquitto*, void* self, int mid) {
  auto* c = static_cast<BrokerConnection*>(self);
  if (c->handlers_.published) c->handlers_.published(mid);
}

}  // namespace otter::mqtt
