#pragma once
// Sends queued stream blocks on its own thread: fair over things (FairQueue),
// at most `max_bytes_in_flight` published but not yet acknowledged by the
// broker, so a burst of requests cannot flood the broker or otterd's memory.
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "otter/model/metrics.h"
#include "otter/streams/fair_queue.h"

namespace otter::streams {

struct SenderLimits {
  std::size_t max_blocks_per_thing = 64;
  std::size_t max_bytes_in_flight = 4 * 1024 * 1024;
  std::size_t blocks_per_turn = 8;  // one request of the agent's default (FairQueue)
};

class StreamSender {
 public:
  // Publishes one message; returns its MQTT message id, nullopt on failure.
  using Publish = std::function<std::optional<int>(const std::string& topic, const std::vector<std::uint8_t>& payload)>;

  StreamSender(Publish publish, model::Metrics& metrics, SenderLimits limits = {});
  StreamSender(const StreamSender&) = delete;
  StreamSender& operator=(const StreamSender&) = delete;
  ~StreamSender();

  // Returns how many blocks were queued.
  std::size_t submit(BlockBatch batch);
  // The broker acknowledged message `mid`.
  void published(int mid);
  // Connection state: nothing is sent while disconnected, and in-flight
  // accounting restarts on reconnect.
  void set_connected(bool connected);

  std::size_t blocks_waiting();

 private:
  void run();

  Publish publish_;
  model::Metrics& metrics_;
  SenderLimits limits_;
  std::mutex mutex_;
  std::condition_variable wake_;
  FairQueue queue_;
  std::unordered_map<int, std::size_t> in_flight_;  // mid -> bytes
  std::set<int> early_acks_;  // acknowledged before publish() returned the mid
  std::size_t bytes_in_flight_ = 0;
  bool connected_ = false;
  bool stopping_ = false;
  std::thread thread_;
};

std::string data_topic(const std::string& thing, const std::string& stream, Format format);
std::string rejected_topic(const std::string& thing, const std::string& stream, Format format);

}  // namespace otter::streams
