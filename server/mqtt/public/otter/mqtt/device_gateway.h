#pragma once
// Serves devices' MQTT requests: Jobs API ($next/get, <job>/get, jobs/get,
// <job>/update) and GetStream. Messages are queued by the broker thread and
// handled on the gateway's own thread in batches: one store transaction per
// batch (group commit), answers published only after the commit, so every
// acknowledged update is durable. The same thread runs the engine's tick
// (rollout releases, timeouts).
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "otter/jobs/service.h"
#include "otter/model/metrics.h"
#include "otter/mqtt/broker_connection.h"
#include "otter/streams/image_cache.h"
#include "otter/streams/stream_sender.h"

namespace otter::mqtt {

struct GatewayOptions {
  std::size_t max_batch = 512;
  std::size_t inbox_limit = 200000;  // beyond this, requests are dropped (devices retry)
  std::chrono::milliseconds tick_interval{200};
  streams::SenderLimits sender;
};

class DeviceGateway {
 public:
  DeviceGateway(jobs::Core& core, Publisher& publisher, GatewayOptions options = {});
  DeviceGateway(const DeviceGateway&) = delete;
  DeviceGateway& operator=(const DeviceGateway&) = delete;
  ~DeviceGateway();

  // Broker-thread entry points.
  void enqueue(const std::string& topic, std::vector<std::uint8_t> payload);
  void published(int mid) { sender_.published(mid); }
  void set_connected(bool connected) { sender_.set_connected(connected); }

  // Publishes notify-next for each change (the Core's NotificationSink).
  void notify(const std::vector<jobs::NextExecutionChange>& changes);

 private:
  struct Incoming {
    std::string topic;
    std::vector<std::uint8_t> payload;
  };
  struct Outgoing {
    std::string topic;
    std::string payload;
  };

  void run();
  void process(std::vector<Incoming>& batch);
  void handle(const Incoming& in, store::Store& store, jobs::JobsEngine& engine, jobs::Effects& effects,
              std::vector<Outgoing>& out);
  void send(const std::vector<Outgoing>& out);

  jobs::Core& core_;
  Publisher& publisher_;
  GatewayOptions options_;
  model::Metrics& metrics_;
  streams::ImageCache images_;
  streams::StreamSender sender_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<Incoming> inbox_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace otter::mqtt
