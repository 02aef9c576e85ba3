#include "stream_load.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <thread>
#include <vector>

#include <cbor.h>
#include <fmt/format.h>
#include <mosquitto.h>

namespace otter::bench {
namespace {

using Clock = std::chrono::steady_clock;

// GetStream request as the agent sends it: {"c","f","l","o","b","n"}.
class CborWriter {
 public:
  void head(std::uint8_t major, std::uint64_t value) {
    const auto m = static_cast<std::uint8_t>(major << 5);
    if (value < 24) {
      out.push_back(static_cast<std::uint8_t>(m | value));
    } else if (value <= 0xff) {
      out.push_back(static_cast<std::uint8_t>(m | 24));
      out.push_back(static_cast<std::uint8_t>(value));
    } else if (value <= 0xffff) {
      out.push_back(static_cast<std::uint8_t>(m | 25));
      for (int s = 8; s >= 0; s -= 8) out.push_back(static_cast<std::uint8_t>(value >> s));
    } else {
      out.push_back(static_cast<std::uint8_t>(m | 26));
      for (int s = 24; s >= 0; s -= 8) out.push_back(static_cast<std::uint8_t>(value >> s));
    }
  }
  void key(char k) {
    head(3, 1);
    out.push_back(static_cast<std::uint8_t>(k));
  }
  std::vector<std::uint8_t> out;
};

std::vector<std::uint8_t> encode_request(std::int64_t file_id, std::uint32_t block_size, std::uint32_t first,
                                         const std::vector<std::uint8_t>& bitmap, std::uint32_t n) {
  CborWriter w;
  w.head(5, 6);
  w.key('c');
  w.head(3, 3);
  for (char c : std::string_view("rdy")) w.out.push_back(static_cast<std::uint8_t>(c));
  w.key('f');
  w.head(0, static_cast<std::uint64_t>(file_id));
  w.key('l');
  w.head(0, block_size);
  w.key('o');
  w.head(0, first);
  w.key('b');
  w.head(2, bitmap.size());
  w.out.insert(w.out.end(), bitmap.begin(), bitmap.end());
  w.key('n');
  w.head(0, n);
  return w.out;
}

// Block index and payload length of a data message; nullopt if it is not one.
std::optional<std::pair<std::uint32_t, std::size_t>> decode_block(const void* data, std::size_t size) {
  cbor_load_result result{};
  cbor_item_t* item = cbor_load(static_cast<cbor_data>(data), size, &result);
  if (item == nullptr) return std::nullopt;
  std::optional<std::uint32_t> index;
  std::optional<std::size_t> length;
  if (cbor_isa_map(item)) {
    const auto* pairs = cbor_map_handle(item);
    for (std::size_t k = 0; k < cbor_map_size(item); ++k) {
      if (!cbor_isa_string(pairs[k].key) || cbor_string_length(pairs[k].key) != 1) continue;
      const char name = static_cast<char>(cbor_string_handle(pairs[k].key)[0]);
      if (name == 'i' && cbor_isa_uint(pairs[k].value))
        index = static_cast<std::uint32_t>(cbor_get_int(pairs[k].value));
      if (name == 'p' && cbor_isa_bytestring(pairs[k].value)) length = cbor_bytestring_length(pairs[k].value);
    }
  }
  cbor_decref(&item);
  if (!index || !length) return std::nullopt;
  return std::make_pair(*index, *length);
}

struct Request {
  std::uint32_t first = 0;
  std::uint32_t end = 0;
};

struct Client {
  const LoadOptions* options = nullptr;
  std::string thing;
  std::string get_topic;
  std::string data_topic;
  mosquitto* mosq = nullptr;
  std::uint32_t block_count = 0;

  std::mutex mutex;
  bool connected = false;
  bool subscribed = false;
  bool started = false;
  bool done = false;
  std::string error;
  std::uint32_t round = 0;
  std::vector<bool> received;
  std::uint32_t received_count = 0;
  std::uint32_t next_block = 0;
  std::vector<Request> active;
  Clock::time_point last_activity{};
  Clock::time_point finished{};
  LoadResult counts;

  void send(const Request& r) {
    std::vector<std::uint8_t> bitmap((r.end - r.first + 7) / 8, 0);
    std::uint32_t n = 0;
    for (std::uint32_t b = r.first; b < r.end; ++b) {
      if (received[b]) continue;
      bitmap[(b - r.first) / 8] = static_cast<std::uint8_t>(bitmap[(b - r.first) / 8] | (1u << ((b - r.first) % 8)));
      ++n;
    }
    const auto payload = encode_request(options->file_id, options->block_size, r.first, bitmap, n);
    mosquitto_publish(mosq, nullptr, get_topic.c_str(), static_cast<int>(payload.size()), payload.data(), 1, false);
    ++counts.requests;
  }

  // Keeps `window` requests outstanding, like the agent's momentum.
  void fill_window() {
    while (active.size() < options->window && next_block < block_count) {
      Request r{next_block, std::min(block_count, next_block + options->blocks_per_request)};
      next_block = r.end;
      active.push_back(r);
      send(r);
    }
  }

  void start() {
    std::lock_guard lock(mutex);
    received.assign(block_count, false);
    started = true;
    last_activity = Clock::now();
    fill_window();
  }

  void on_block(std::uint32_t index, std::size_t payload, std::size_t message) {
    std::lock_guard lock(mutex);
    if (!started || done) return;
    last_activity = Clock::now();
    if (index >= block_count || received[index]) {
      ++counts.duplicates;
      return;
    }
    received[index] = true;
    ++received_count;
    ++counts.blocks;
    counts.payload_bytes += payload;
    counts.message_bytes += message;
    std::erase_if(active, [&](const Request& r) {
      if (index < r.first || index >= r.end) return false;
      for (std::uint32_t b = r.first; b < r.end; ++b)
        if (!received[b]) return false;
      return true;
    });
    if (received_count == block_count) {
      if (++round == options->rounds) {
        done = true;
        finished = last_activity;
        return;
      }
      received.assign(block_count, false);
      received_count = 0;
      next_block = 0;
      active.clear();
    }
    fill_window();
  }

  // Called by the monitor: a request that went silent is asked again for what it still misses.
  void check_stall(Clock::time_point now) {
    std::lock_guard lock(mutex);
    if (!started || done || now - last_activity < std::chrono::milliseconds(options->stall_ms)) return;
    for (const auto& r : active) {
      send(r);
      ++counts.rerequests;
    }
    last_activity = now;
  }
};

void on_connect(mosquitto*, void* obj, int rc) {
  auto* c = static_cast<Client*>(obj);
  std::lock_guard lock(c->mutex);
  if (rc != 0) {
    c->error = fmt::format("{}: CONNACK {}", c->thing, mosquitto_connack_string(rc));
    return;
  }
  c->connected = true;
  mosquitto_subscribe(c->mosq, nullptr, c->data_topic.c_str(), 1);
}

void on_subscribe(mosquitto*, void* obj, int, int, const int*) {
  auto* c = static_cast<Client*>(obj);
  std::lock_guard lock(c->mutex);
  c->subscribed = true;
}

void on_message(mosquitto*, void* obj, const mosquitto_message* m) {
  auto* c = static_cast<Client*>(obj);
  if (c->data_topic != m->topic) return;
  if (auto block = decode_block(m->payload, static_cast<std::size_t>(m->payloadlen)))
    c->on_block(block->first, block->second, static_cast<std::size_t>(m->payloadlen));
}

template <typename Predicate>
bool wait_all(std::vector<std::unique_ptr<Client>>& clients, Predicate predicate, Clock::time_point deadline,
              std::string& error) {
  while (Clock::now() < deadline) {
    bool all = true;
    for (auto& c : clients) {
      std::lock_guard lock(c->mutex);
      if (!c->error.empty()) {
        error = c->error;
        return false;
      }
      all = all && predicate(*c);
    }
    if (all) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return false;
}

}  // namespace

LoadResult run_stream_load(const LoadOptions& options) {
  if (options.file_size <= 0 || options.block_size == 0 || options.blocks_per_request == 0 || options.window == 0 ||
      options.rounds == 0)
    throw std::invalid_argument("file size, block size, blocks per request, window and rounds must be positive");
  mosquitto_lib_init();
  std::vector<std::unique_ptr<Client>> clients;
  const auto block_count = static_cast<std::uint32_t>((options.file_size + options.block_size - 1) / options.block_size);
  for (const auto& thing : options.things) {
    auto c = std::make_unique<Client>();
    c->options = &options;
    c->thing = thing;
    c->block_count = block_count;
    c->get_topic = fmt::format("$aws/things/{}/streams/{}/get/cbor", thing, options.stream);
    c->data_topic = fmt::format("$aws/things/{}/streams/{}/data/cbor", thing, options.stream);
    c->mosq = mosquitto_new(thing.c_str(), true, c.get());
    if (c->mosq == nullptr) throw std::runtime_error("mosquitto_new failed");
    mosquitto_int_option(c->mosq, MOSQ_OPT_TCP_NODELAY, 1);  // as the agent's transport
    const std::string dir = options.credentials_root + "/" + thing + "/";
    if (mosquitto_tls_set(c->mosq, (dir + "ca.pem").c_str(), nullptr, (dir + "cert.pem").c_str(),
                          (dir + "key.pem").c_str(), nullptr) != MOSQ_ERR_SUCCESS)
      throw std::runtime_error("cannot use the TLS files in " + dir);
    mosquitto_connect_callback_set(c->mosq, on_connect);
    mosquitto_subscribe_callback_set(c->mosq, on_subscribe);
    mosquitto_message_callback_set(c->mosq, on_message);
    if (const int rc = mosquitto_connect(c->mosq, options.host.c_str(), options.port, 60); rc != MOSQ_ERR_SUCCESS)
      throw std::runtime_error(fmt::format("{}: connect: {}", thing, mosquitto_strerror(rc)));
    mosquitto_loop_start(c->mosq);
    clients.push_back(std::move(c));
  }
  LoadResult total;
  std::string error;
  const auto deadline = Clock::now() + std::chrono::seconds(options.timeout_s);
  if (!wait_all(clients, [](const Client& c) { return c.subscribed; }, Clock::now() + std::chrono::seconds(60), error))
    throw std::runtime_error("clients did not all subscribe: " + error);
  const auto t0 = Clock::now();
  for (auto& c : clients) c->start();
  std::thread monitor([&] {
    while (Clock::now() < deadline) {
      bool all = true;
      for (auto& c : clients) {
        c->check_stall(Clock::now());
        std::lock_guard lock(c->mutex);
        all = all && c->done;
      }
      if (all) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  });
  monitor.join();
  Clock::time_point last = t0;
  total.completed = true;
  for (auto& c : clients) {
    std::lock_guard lock(c->mutex);
    total.completed = total.completed && c->done;
    if (c->done) last = std::max(last, c->finished);
    total.blocks += c->counts.blocks;
    total.payload_bytes += c->counts.payload_bytes;
    total.message_bytes += c->counts.message_bytes;
    total.duplicates += c->counts.duplicates;
    total.requests += c->counts.requests;
    total.rerequests += c->counts.rerequests;
  }
  total.seconds = std::chrono::duration<double>((total.completed ? last : Clock::now()) - t0).count();
  for (auto& c : clients) {
    mosquitto_disconnect(c->mosq);
    mosquitto_loop_stop(c->mosq, false);
    mosquitto_destroy(c->mosq);
  }
  mosquitto_lib_cleanup();
  return total;
}

}  // namespace otter::bench
