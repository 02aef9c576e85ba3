#include "otter/simboard/mqtt_session.h"

#include <mosquitto.h>
#include <sys/epoll.h>

#include <algorithm>
#include <mutex>
#include <string>

namespace otter::simboard {

void MqttSession::global_init() {
  static std::once_flag once;
  std::call_once(once, [] { mosquitto_lib_init(); });
}

MqttSession::MqttSession(EventLoop& loop, MqttOptions options, Handlers handlers)
    : loop_(loop), options_(std::move(options)), handlers_(std::move(handlers)) {
  global_init();
}

MqttSession::~MqttSession() {
  running_ = false;
  loop_.cancel(reconnect_timer_);
  loop_.cancel(misc_timer_);
  destroy();
}

void MqttSession::start() {
  if (running_) return;
  running_ = true;
  backoff_ = options_.reconnect_min;
  try_connect();
}

void MqttSession::stop() {
  running_ = false;
  loop_.cancel(reconnect_timer_);
  if (mosq_ && connected_) {
    mosquitto_disconnect(mosq_);
    // Give the DISCONNECT a chance to leave before the socket goes.
    if (mosquitto_want_write(mosq_)) mosquitto_loop_write(mosq_, 1);
  }
  destroy();
}

void MqttSession::drop() {
  running_ = false;
  loop_.cancel(reconnect_timer_);
  destroy();
}

void MqttSession::destroy() {
  loop_.cancel(misc_timer_);
  if (fd_ >= 0) loop_.unwatch(fd_);
  fd_ = -1;
  if (mosq_) mosquitto_destroy(mosq_);  // closes the socket without a DISCONNECT
  mosq_ = nullptr;
  connected_ = false;
}

void MqttSession::try_connect() {
  reconnect_timer_ = 0;
  if (!running_) return;
  destroy();
  mosq_ = mosquitto_new(options_.client_id.c_str(), true, this);
  if (!mosq_) {
    last_error_ = "mosquitto_new failed";
    return schedule_reconnect();
  }
  mosquitto_int_option(mosq_, MOSQ_OPT_PROTOCOL_VERSION, MQTT_PROTOCOL_V311);
  mosquitto_int_option(mosq_, MOSQ_OPT_TCP_NODELAY, 1);
  mosquitto_connect_callback_set(mosq_, &MqttSession::on_connect);
  mosquitto_disconnect_callback_set(mosq_, &MqttSession::on_disconnect);
  mosquitto_message_callback_set(mosq_, &MqttSession::on_message);
  mosquitto_publish_callback_set(mosq_, &MqttSession::on_publish);
  unacked_.clear();
  if (!options_.ca_file.empty()) {
    const int rc = mosquitto_tls_set(mosq_, options_.ca_file.c_str(), nullptr,
                                     options_.cert_file.empty() ? nullptr : options_.cert_file.c_str(),
                                     options_.key_file.empty() ? nullptr : options_.key_file.c_str(), nullptr);
    if (rc != MOSQ_ERR_SUCCESS) {
      last_error_ = std::string("TLS setup: ") + mosquitto_strerror(rc);
      return schedule_reconnect();
    }
  }
  // The TCP connect to a loopback address completes or fails at once; the
  // TLS handshake and CONNECT then proceed through the event loop.
  const int rc = mosquitto_connect(mosq_, options_.host.c_str(), options_.port, options_.keepalive_s);
  if (rc != MOSQ_ERR_SUCCESS) {
    last_error_ = std::string("connect: ") + mosquitto_strerror(rc);
    return schedule_reconnect();
  }
  watch_socket();
  misc_timer_ = loop_.after(std::chrono::seconds(1), [this] { misc_tick(); });
}

void MqttSession::schedule_reconnect() {
  destroy();
  if (!running_) return;
  const auto delay = backoff_;
  backoff_ = std::min(options_.reconnect_max, backoff_ * 2);
  reconnect_timer_ = loop_.after(delay, [this] {
    ++reconnects_;
    try_connect();
  });
}

void MqttSession::watch_socket() {
  fd_ = mosquitto_socket(mosq_);
  if (fd_ < 0) return lost(MOSQ_ERR_NO_CONN, "no socket");
  want_write_ = mosquitto_want_write(mosq_);
  loop_.watch(fd_, EPOLLIN | (want_write_ ? EPOLLOUT : 0u), [this](std::uint32_t events) { handle(events); });
}

void MqttSession::update_interest() {
  if (!mosq_ || fd_ < 0) return;
  const bool want = mosquitto_want_write(mosq_);
  if (want != want_write_) {
    want_write_ = want;
    loop_.modify(fd_, EPOLLIN | (want ? EPOLLOUT : 0u));
  }
}

void MqttSession::handle(std::uint32_t events) {
  if (!mosq_) return;
  if (events & (EPOLLIN | EPOLLERR | EPOLLHUP)) {
    const int rc = mosquitto_loop_read(mosq_, 1);
    if (rc != MOSQ_ERR_SUCCESS) return lost(rc, "read");
  }
  if (!mosq_) return;
  if (events & EPOLLOUT) {
    const int rc = mosquitto_loop_write(mosq_, 1);
    if (rc != MOSQ_ERR_SUCCESS) return lost(rc, "write");
  }
  update_interest();
}

void MqttSession::misc_tick() {
  misc_timer_ = 0;
  if (!mosq_) return;
  const int rc = mosquitto_loop_misc(mosq_);
  if (rc != MOSQ_ERR_SUCCESS) return lost(rc, "keepalive");
  update_interest();
  misc_timer_ = loop_.after(std::chrono::seconds(1), [this] { misc_tick(); });
}

void MqttSession::lost(int rc, const char* why) {
  const bool was_connected = connected_;
  last_error_ = std::string(why) + ": " + mosquitto_strerror(rc);
  destroy();
  if (was_connected && handlers_.disconnected) handlers_.disconnected(rc);
  schedule_reconnect();
}

bool MqttSession::publish(std::string_view topic, std::span<const std::uint8_t> payload, int qos) {
  if (!mosq_ || !connected_) return false;
  const std::string t(topic);
  int mid = 0;
  const int rc = mosquitto_publish(mosq_, &mid, t.c_str(), static_cast<int>(payload.size()), payload.data(), qos,
                                   false);
  if (rc == MOSQ_ERR_SUCCESS && qos > 0) unacked_.push_back(mid);
  update_interest();
  return rc == MOSQ_ERR_SUCCESS;
}

bool MqttSession::subscribe(std::string_view topic, int qos) {
  if (!mosq_ || !connected_) return false;
  const std::string t(topic);
  const int rc = mosquitto_subscribe(mosq_, nullptr, t.c_str(), qos);
  update_interest();
  return rc == MOSQ_ERR_SUCCESS;
}

bool MqttSession::unsubscribe(std::string_view topic) {
  if (!mosq_ || !connected_) return false;
  const std::string t(topic);
  const int rc = mosquitto_unsubscribe(mosq_, nullptr, t.c_str());
  update_interest();
  return rc == MOSQ_ERR_SUCCESS;
}

void MqttSession::on_connect(mosquitto*, void* self, int rc) {
  auto* s = static_cast<MqttSession*>(self);
  if (rc != 0) {
    // The broker closes the connection next; lost() then schedules the retry.
    s->last_error_ = std::string("broker refused: ") + mosquitto_connack_string(rc);
    return;
  }
  s->connected_ = true;
  s->backoff_ = s->options_.reconnect_min;
  if (s->handlers_.connected) s->handlers_.connected();
}

void MqttSession::on_publish(mosquitto*, void* self, int mid) {
  // QoS 0 publishes report here too (when written); only QoS 1 ids are kept.
  auto& ids = static_cast<MqttSession*>(self)->unacked_;
  ids.erase(std::remove(ids.begin(), ids.end(), mid), ids.end());
}

void MqttSession::on_disconnect(mosquitto*, void*, int) {
  // Losses are handled by lost() once the library call has returned (never
  // from inside it); a disconnect we asked for needs nothing.
}

void MqttSession::on_message(mosquitto*, void* self, const mosquitto_message* msg) {
  auto* s = static_cast<MqttSession*>(self);
  if (!s->handlers_.message) return;
  s->handlers_.message(msg->topic,
                       std::span<const std::uint8_t>(static_cast<const std::uint8_t*>(msg->payload),
                                                     static_cast<std::size_t>(msg->payloadlen)));
}

}  // namespace otter::simboard
