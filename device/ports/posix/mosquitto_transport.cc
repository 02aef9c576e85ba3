#include "otter/ports/posix/mosquitto_transport.h"

#include <mosquitto.h>

#include <mutex>
#include <string>

namespace otter::ports::posix {

namespace {

void init_library() {
  static std::once_flag once;
  std::call_once(once, [] { mosquitto_lib_init(); });
}

std::string describe(int rc) { return mosquitto_strerror(rc); }

}  // namespace

MosquittoTransport::MosquittoTransport(MqttOptions options) : options_(std::move(options)) {
  init_library();
  mosq_ = mosquitto_new(options_.client_id.c_str(), options_.clean_session, this);
  if (mosq_ != nullptr) {
    // A stream request is one small packet: sent now, not after a delayed ACK.
    mosquitto_int_option(mosq_, MOSQ_OPT_TCP_NODELAY, 1);
    mosquitto_connect_callback_set(mosq_, &MosquittoTransport::on_connect);
    mosquitto_disconnect_callback_set(mosq_, &MosquittoTransport::on_disconnect);
    mosquitto_message_callback_set(mosq_, &MosquittoTransport::on_message);
  }
}

MosquittoTransport::~MosquittoTransport() {
  if (mosq_ != nullptr) {
    if (connected_) mosquitto_disconnect(mosq_);
    mosquitto_destroy(mosq_);
  }
}

Status MosquittoTransport::start() {
  if (mosq_ == nullptr) {
    last_error_ = "cannot create an MQTT client for '" + options_.client_id + "' (empty client id?)";
    return Status::kInvalidArgument;
  }
  if (options_.client_id.empty()) {
    last_error_ = "the client id (thing name) is empty";
    return Status::kInvalidArgument;
  }
  const bool tls = !options_.ca_file.empty() || !options_.cert_file.empty() || !options_.key_file.empty();
  if (tls) {
    if (options_.ca_file.empty() || options_.cert_file.empty() || options_.key_file.empty()) {
      last_error_ = "TLS needs all three of --ca, --cert and --key";
      return Status::kInvalidArgument;
    }
    const int rc = mosquitto_tls_set(mosq_, options_.ca_file.c_str(), nullptr, options_.cert_file.c_str(),
                                     options_.key_file.c_str(), nullptr);
    if (rc != MOSQ_ERR_SUCCESS) {
      last_error_ = "TLS setup failed (" + describe(rc) + "): check that " + options_.ca_file + ", " +
                    options_.cert_file + " and " + options_.key_file + " exist and are PEM";
      return Status::kBadKey;
    }
  }
  started_ = true;
  backoff_ = std::chrono::milliseconds(0);
  next_attempt_ = std::chrono::steady_clock::now();
  return Status::kOk;
}

void MosquittoTransport::stop() {
  started_ = false;
  if (connected_) {
    mosquitto_disconnect(mosq_);
    connected_ = false;
    if (agent_ != nullptr) agent_->on_disconnected();
  }
}

int MosquittoTransport::socket() const { return mosq_ == nullptr ? -1 : mosquitto_socket(mosq_); }

void MosquittoTransport::lost(const std::string& why) {
  last_error_ = why;
  const bool was_connected = connected_;
  connected_ = false;
  connecting_ = false;
  backoff_ = backoff_.count() == 0 ? options_.reconnect_min : std::min(backoff_ * 2, options_.reconnect_max);
  next_attempt_ = std::chrono::steady_clock::now() + backoff_;
  if (was_connected && agent_ != nullptr) agent_->on_disconnected();
}

void MosquittoTransport::loop(int timeout_ms) {
  if (mosq_ == nullptr || !started_) return;
  if (!connected_ && !connecting_ && std::chrono::steady_clock::now() >= next_attempt_) {
    const int rc = reconnects_ == 0 && backoff_.count() == 0
                       ? mosquitto_connect(mosq_, options_.host.c_str(), options_.port, options_.keepalive_s)
                       : mosquitto_reconnect(mosq_);
    ++reconnects_;
    if (rc != MOSQ_ERR_SUCCESS) {
      lost("cannot connect to " + options_.host + ":" + std::to_string(options_.port) + ": " + describe(rc));
      return;
    }
    connecting_ = true;
  }
  if (!connected_ && !connecting_) return;
  const int rc = mosquitto_loop(mosq_, timeout_ms, 1);
  if (rc != MOSQ_ERR_SUCCESS && (connected_ || connecting_)) lost("connection lost: " + describe(rc));
}

void MosquittoTransport::on_connect(mosquitto*, void* self, int rc) {
  auto* t = static_cast<MosquittoTransport*>(self);
  t->connecting_ = false;
  if (rc != 0) {
    // Refused (bad certificate, not authorised, ...): keep trying with backoff.
    t->lost(std::string("broker refused the connection: ") + mosquitto_connack_string(rc));
    return;
  }
  t->connected_ = true;
  t->backoff_ = std::chrono::milliseconds(0);
  if (t->agent_ != nullptr) t->agent_->on_connected();
}

void MosquittoTransport::on_disconnect(mosquitto*, void* self, int rc) {
  auto* t = static_cast<MosquittoTransport*>(self);
  if (!t->connected_ && !t->connecting_) return;
  t->lost(rc == 0 ? "disconnected" : "connection lost: " + describe(rc));
}

void MosquittoTransport::on_message(mosquitto*, void* self, const mosquitto_message* message) {
  auto* t = static_cast<MosquittoTransport*>(self);
  if (t->agent_ == nullptr || message->topic == nullptr) return;
  t->agent_->on_message(message->topic, std::span<const std::uint8_t>(static_cast<const std::uint8_t*>(message->payload),
                                                                      static_cast<std::size_t>(message->payloadlen)));
}

Status MosquittoTransport::publish(std::string_view topic, std::span<const std::uint8_t> payload, std::uint8_t qos) {
  if (!connected_) return Status::kIoError;
  const std::string t(topic);
  const int rc = mosquitto_publish(mosq_, nullptr, t.c_str(), static_cast<int>(payload.size()), payload.data(), qos, false);
  return rc == MOSQ_ERR_SUCCESS ? Status::kOk : Status::kIoError;
}

Status MosquittoTransport::subscribe(std::string_view topic) {
  if (!connected_) return Status::kIoError;
  const std::string t(topic);
  return mosquitto_subscribe(mosq_, nullptr, t.c_str(), 1) == MOSQ_ERR_SUCCESS ? Status::kOk : Status::kIoError;
}

Status MosquittoTransport::unsubscribe(std::string_view topic) {
  if (!connected_) return Status::kIoError;
  const std::string t(topic);
  return mosquitto_unsubscribe(mosq_, nullptr, t.c_str()) == MOSQ_ERR_SUCCESS ? Status::kOk : Status::kIoError;
}

}  // namespace otter::ports::posix
