#include "harness.h"

#include <mosquitto.h>

#include <fstream>
#include <random>
#include <stdexcept>
#include <thread>

namespace otter::testing {

namespace fs = std::filesystem;

TestStack::TestStack() {
  root_ = fs::temp_directory_path() / ("otter-it-" + std::to_string(std::random_device{}()));
  data_dir_ = root_ / "data";
  fs::create_directories(data_dir_);
  // The free port may be taken before the broker binds it: try a few.
  for (int attempt = 0;; ++attempt) {
    port_ = broker::pick_free_loopback_port();
    broker::BrokerSetupOptions options;
    options.tls_port = port_;
    setup_ = broker::prepare_broker(data_dir_, options);
    try {
      broker_ = std::make_unique<broker::MosquittoProcess>(broker::options_for(setup_.config));
      break;
    } catch (const broker::BrokerProcessError&) {
      if (attempt == 4) throw;
    }
  }
  ca_ = std::make_unique<pki::CertificateAuthority>(pki::CertificateAuthority::open(setup_.pki.dir));
}

TestStack::~TestStack() {
  broker_.reset();
  std::error_code ec;
  fs::remove_all(root_, ec);
}

mqtt::TlsFiles TestStack::otterd_tls() const {
  return {setup_.pki.ca_certificate().string(), setup_.pki.service_certificate().string(),
          setup_.pki.service_private_key().string()};
}

DeviceCredentials TestStack::device(const std::string& name) {
  auto issued = ca_->issue_thing_certificate(name);
  fs::path dir = root_ / "devices" / name;
  fs::create_directories(dir);
  std::ofstream(dir / "cert.pem") << issued.certificate_pem;
  std::ofstream(dir / "key.pem") << issued.private_key_pem;
  return {name, setup_.pki.ca_certificate(), dir / "cert.pem", dir / "key.pem"};
}

fs::path TestStack::image(const std::string& name, std::size_t size) {
  fs::path path = data_dir_ / (name + ".bin");
  std::ofstream out(path, std::ios::binary);
  std::uint32_t x = 0x12345678u ^ static_cast<std::uint32_t>(size);
  for (std::size_t i = 0; i < size; ++i) {
    x = x * 1103515245u + 12345u;
    out.put(static_cast<char>(x >> 24));
  }
  return path;
}

TestDevice::TestDevice(const DeviceCredentials& c, std::uint16_t port) : name_(c.name) {
  static std::once_flag once;
  std::call_once(once, [] { mosquitto_lib_init(); });
  mosq_ = mosquitto_new(name_.c_str(), true, this);
  if (!mosq_) throw std::runtime_error("mosquitto_new");
  mosquitto_int_option(mosq_, MOSQ_OPT_PROTOCOL_VERSION, MQTT_PROTOCOL_V311);
  if (mosquitto_tls_set(mosq_, c.ca_file.c_str(), nullptr, c.cert_file.c_str(), c.key_file.c_str(), nullptr) !=
      MOSQ_ERR_SUCCESS)
    throw std::runtime_error("tls_set for " + name_);
  mosquitto_connect_callback_set(mosq_, &TestDevice::on_connect);
  mosquitto_subscribe_callback_set(mosq_, &TestDevice::on_subscribe);
  mosquitto_message_callback_set(mosq_, &TestDevice::on_message);
  if (mosquitto_connect(mosq_, "127.0.0.1", port, 30) != MOSQ_ERR_SUCCESS)
    throw std::runtime_error("device " + name_ + " cannot connect");
  mosquitto_loop_start(mosq_);
  std::unique_lock lock(mutex_);
  if (!cv_.wait_for(lock, 15s, [&] { return connect_rc_ >= 0; }) || connect_rc_ != 0)
    throw std::runtime_error("device " + name_ + " was not accepted by the broker");
}

TestDevice::~TestDevice() {
  mosquitto_disconnect(mosq_);
  mosquitto_loop_stop(mosq_, false);
  mosquitto_destroy(mosq_);
}

void TestDevice::subscribe(const std::string& topic) {
  int mid = 0;
  if (mosquitto_subscribe(mosq_, &mid, topic.c_str(), 1) != MOSQ_ERR_SUCCESS)
    throw std::runtime_error("subscribe " + topic);
  std::unique_lock lock(mutex_);
  if (!cv_.wait_for(lock, 15s, [&] { return std::find(subacks_.begin(), subacks_.end(), mid) != subacks_.end(); }))
    throw std::runtime_error("no SUBACK for " + topic);
}

void TestDevice::publish(const std::string& topic, const std::string& payload, int qos) {
  publish(topic, std::vector<std::uint8_t>(payload.begin(), payload.end()), qos);
}

void TestDevice::publish(const std::string& topic, const std::vector<std::uint8_t>& payload, int qos) {
  if (mosquitto_publish(mosq_, nullptr, topic.c_str(), static_cast<int>(payload.size()), payload.data(), qos,
                        false) != MOSQ_ERR_SUCCESS)
    throw std::runtime_error("publish " + topic);
}

std::optional<Message> TestDevice::next(const std::string& topic, std::chrono::milliseconds timeout) {
  std::unique_lock lock(mutex_);
  if (!cv_.wait_for(lock, timeout, [&] { return !inbox_[topic].empty(); })) return std::nullopt;
  Message m = std::move(inbox_[topic].front());
  inbox_[topic].pop_front();
  return m;
}

std::vector<Message> TestDevice::take(const std::string& topic) {
  std::lock_guard lock(mutex_);
  std::vector<Message> out(inbox_[topic].begin(), inbox_[topic].end());
  inbox_[topic].clear();
  return out;
}

void TestDevice::on_connect(mosquitto*, void* self, int rc) {
  auto* d = static_cast<TestDevice*>(self);
  std::lock_guard lock(d->mutex_);
  d->connect_rc_ = rc;
  d->connected_ = rc == 0;
  d->cv_.notify_all();
}

void TestDevice::on_subscribe(mosquitto*, void* self, int mid, int, const int*) {
  auto* d = static_cast<TestDevice*>(self);
  std::lock_guard lock(d->mutex_);
  d->subacks_.push_back(mid);
  d->cv_.notify_all();
}

void TestDevice::on_message(mosquitto*, void* self, const mosquitto_message* m) {
  auto* d = static_cast<TestDevice*>(self);
  const auto* p = static_cast<const std::uint8_t*>(m->payload);
  std::lock_guard lock(d->mutex_);
  d->inbox_[m->topic].push_back({m->topic, std::vector<std::uint8_t>(p, p + m->payloadlen)});
  d->cv_.notify_all();
}

namespace {

// Reads a CBOR head of `major` type; returns its argument.
std::optional<std::uint64_t> head(const std::vector<std::uint8_t>& b, std::size_t& at, int major) {
  if (at >= b.size() || (b[at] >> 5) != major) return std::nullopt;
  std::uint8_t info = b[at++] & 0x1F;
  if (info < 24) return info;
  int bytes = info == 24 ? 1 : info == 25 ? 2 : info == 26 ? 4 : info == 27 ? 8 : 0;
  if (bytes == 0 || at + static_cast<std::size_t>(bytes) > b.size()) return std::nullopt;
  std::uint64_t v = 0;
  for (int i = 0; i < bytes; ++i) v = (v << 8) | b[at++];
  return v;
}

void put_head(std::vector<std::uint8_t>& out, int major, std::uint64_t v) {
  auto m = static_cast<std::uint8_t>(major << 5);
  if (v < 24) {
    out.push_back(static_cast<std::uint8_t>(m | v));
  } else if (v <= 0xFF) {
    out.push_back(m | 24);
    out.push_back(static_cast<std::uint8_t>(v));
  } else if (v <= 0xFFFF) {
    out.push_back(m | 25);
    for (int s = 8; s >= 0; s -= 8) out.push_back(static_cast<std::uint8_t>(v >> s));
  } else {
    out.push_back(m | 26);
    for (int s = 24; s >= 0; s -= 8) out.push_back(static_cast<std::uint8_t>(v >> s));
  }
}

void put_key(std::vector<std::uint8_t>& out, char key) {
  put_head(out, 3, 1);
  out.push_back(static_cast<std::uint8_t>(key));
}

}  // namespace

std::optional<DataBlock> decode_block(const std::vector<std::uint8_t>& b) {
  std::size_t at = 0;
  auto entries = head(b, at, 5);
  if (!entries || *entries != 4) return std::nullopt;
  DataBlock block;
  for (int e = 0; e < 4; ++e) {
    auto key_len = head(b, at, 3);
    if (!key_len || *key_len != 1 || at >= b.size()) return std::nullopt;
    char key = static_cast<char>(b[at++]);
    if (key == 'p') {
      auto len = head(b, at, 2);
      if (!len || at + *len > b.size()) return std::nullopt;
      block.p.assign(b.begin() + static_cast<std::ptrdiff_t>(at), b.begin() + static_cast<std::ptrdiff_t>(at + *len));
      at += *len;
    } else {
      auto v = head(b, at, 0);
      if (!v) return std::nullopt;
      (key == 'f' ? block.f : key == 'i' ? block.i : block.l) = *v;
    }
  }
  if (at != b.size()) return std::nullopt;
  return block;
}

std::vector<std::uint8_t> encode_request(const std::string& token, std::uint64_t f, std::uint64_t l, std::uint64_t o,
                                         std::uint64_t n, const std::optional<std::vector<std::uint8_t>>& bitmap) {
  std::vector<std::uint8_t> out;
  put_head(out, 5, bitmap ? 6 : 5);
  put_key(out, 'c');
  put_head(out, 3, token.size());
  out.insert(out.end(), token.begin(), token.end());
  put_key(out, 'f');
  put_head(out, 0, f);
  put_key(out, 'l');
  put_head(out, 0, l);
  put_key(out, 'o');
  put_head(out, 0, o);
  put_key(out, 'n');
  put_head(out, 0, n);
  if (bitmap) {
    put_key(out, 'b');
    put_head(out, 2, bitmap->size());
    out.insert(out.end(), bitmap->begin(), bitmap->end());
  }
  return out;
}

}  // namespace otter::testing
