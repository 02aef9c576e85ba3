#include "raw_responder.h"

#include <csignal>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <iterator>
#include <map>
#include <mutex>
#include <stdexcept>
#include <string>
#include <variant>
#include <vector>

#include <fmt/format.h>
#include <mosquitto.h>

#include "otter/streams/get_stream.h"

namespace otter::bench {
namespace {

struct Responder {
  const ResponderOptions* options = nullptr;
  mosquitto* mosq = nullptr;
  std::vector<std::uint8_t> image;
  std::mutex mutex;
  // Data messages per block size, encoded once: serving is then a publish only.
  std::map<std::int64_t, std::vector<std::vector<std::uint8_t>>> encoded;
  bool subscribed = false;
  std::uint64_t requests = 0, refused = 0, blocks = 0;

  const std::vector<std::vector<std::uint8_t>>& messages(std::int64_t block_size) {
    auto& m = encoded[block_size];
    if (m.empty()) {
      const auto size = static_cast<std::int64_t>(image.size());
      for (std::int64_t at = 0, i = 0; at < size; at += block_size, ++i) {
        const auto length = static_cast<std::size_t>(std::min(block_size, size - at));
        m.push_back(streams::encode_data_block(streams::Format::Cbor, options->file_id, static_cast<std::uint32_t>(i),
                                               std::span(image).subspan(static_cast<std::size_t>(at), length)));
      }
    }
    return m;
  }
};

void on_message(mosquitto*, void* obj, const mosquitto_message* m) {
  auto* r = static_cast<Responder*>(obj);
  // $aws/things/<thing>/streams/<stream>/get/cbor -> .../data/cbor
  std::string topic = m->topic;
  const std::string suffix = "/get/cbor";
  if (topic.size() < suffix.size() || topic.compare(topic.size() - suffix.size(), suffix.size(), suffix) != 0) return;
  const std::string data_topic = topic.substr(0, topic.size() - suffix.size()) + "/data/cbor";
  const auto parsed = streams::parse_get_stream_cbor(
      std::span(static_cast<const std::uint8_t*>(m->payload), static_cast<std::size_t>(m->payloadlen)));
  std::lock_guard lock(r->mutex);
  ++r->requests;
  const auto* request = std::get_if<streams::GetStreamRequest>(&parsed);
  if (request == nullptr) {
    ++r->refused;
    return;
  }
  const auto plan = streams::plan_blocks(*request, static_cast<std::int64_t>(r->image.size()));
  const auto* blocks = std::get_if<std::vector<std::uint32_t>>(&plan);
  if (blocks == nullptr) {
    ++r->refused;
    return;
  }
  const auto& messages = r->messages(request->block_size);
  for (const auto index : *blocks) {
    const auto& message = messages[index];
    mosquitto_publish(r->mosq, nullptr, data_topic.c_str(), static_cast<int>(message.size()), message.data(), 1, false);
    ++r->blocks;
  }
}

void on_connect(mosquitto* mosq, void*, int rc) {
  if (rc != 0) {
    std::fprintf(stderr, "raw responder: CONNACK %s\n", mosquitto_connack_string(rc));
    return;
  }
  mosquitto_subscribe(mosq, nullptr, "$aws/things/+/streams/+/get/cbor", 1);
}

void on_subscribe(mosquitto*, void* obj, int, int, const int*) {
  auto* r = static_cast<Responder*>(obj);
  std::lock_guard lock(r->mutex);
  if (!r->subscribed) std::cout << "ready" << std::endl;
  r->subscribed = true;
}

}  // namespace

int run_raw_responder(const ResponderOptions& options) {
  Responder r;
  r.options = &options;
  std::ifstream in(options.image_path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + options.image_path);
  r.image.assign(std::istreambuf_iterator<char>(in), {});
  mosquitto_lib_init();
  r.mosq = mosquitto_new(options.client_id.c_str(), true, &r);
  if (r.mosq == nullptr) throw std::runtime_error("mosquitto_new failed");
  mosquitto_int_option(r.mosq, MOSQ_OPT_TCP_NODELAY, 1);  // as otterd's connection
  if (mosquitto_tls_set(r.mosq, options.ca_file.c_str(), nullptr, options.cert_file.c_str(), options.key_file.c_str(),
                        nullptr) != MOSQ_ERR_SUCCESS)
    throw std::runtime_error("cannot use the responder's TLS files");
  mosquitto_connect_callback_set(r.mosq, on_connect);
  mosquitto_subscribe_callback_set(r.mosq, on_subscribe);
  mosquitto_message_callback_set(r.mosq, on_message);
  if (const int rc = mosquitto_connect(r.mosq, options.host.c_str(), options.port, 60); rc != MOSQ_ERR_SUCCESS)
    throw std::runtime_error(fmt::format("connect: {}", mosquitto_strerror(rc)));
  mosquitto_loop_start(r.mosq);
  std::string line;
  while (std::getline(std::cin, line)) {
  }
  mosquitto_disconnect(r.mosq);
  mosquitto_loop_stop(r.mosq, false);
  {
    std::lock_guard lock(r.mutex);
    std::cout << fmt::format("{{\"requests\":{},\"refused\":{},\"blocks\":{}}}", r.requests, r.refused, r.blocks)
              << std::endl;
  }
  mosquitto_destroy(r.mosq);
  mosquitto_lib_cleanup();
  return 0;
}

}  // namespace otter::bench
