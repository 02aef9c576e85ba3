#include "otter/streams/stream_sender.h"

#include <spdlog/spdlog.h>

namespace otter::streams {

std::string data_topic(const std::string& thing, const std::string& stream, Format format) {
  return "$aws/things/" + thing + "/streams/" + stream + (format == Format::Cbor ? "/data/cbor" : "/data/json");
}

std::string rejected_topic(const std::string& thing, const std::string& stream, Format format) {
  return "$aws/things/" + thing + "/streams/" + stream + (format == Format::Cbor ? "/rejected/cbor" : "/rejected/json");
}

StreamSender::StreamSender(Publish publish, model::Metrics& metrics, SenderLimits limits)
    : publish_(std::move(publish)), metrics_(metrics), limits_(limits), queue_(limits.max_blocks_per_thing, limits.blocks_per_turn) {
  thread_ = std::thread([this] { run(); });
}

StreamSender::~StreamSender() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

std::size_t StreamSender::submit(BlockBatch batch) {
  std::size_t queued;
  {
    std::lock_guard lock(mutex_);
    queued = queue_.push(std::move(batch));
  }
  wake_.notify_all();
  return queued;
}

void StreamSender::published(int mid) {
  {
    std::lock_guard lock(mutex_);
    auto it = in_flight_.find(mid);
    if (it == in_flight_.end()) {
      early_acks_.insert(mid);
      return;
    }
    bytes_in_flight_ -= it->second;
    in_flight_.erase(it);
  }
  wake_.notify_all();
}

void StreamSender::set_connected(bool connected) {
  {
    std::lock_guard lock(mutex_);
    connected_ = connected;
    // Unacknowledged messages are libmosquitto's to resend; new sends may start.
    in_flight_.clear();
    early_acks_.clear();
    bytes_in_flight_ = 0;
  }
  wake_.notify_all();
}

std::size_t StreamSender::blocks_waiting() {
  std::lock_guard lock(mutex_);
  return queue_.blocks_waiting();
}

void StreamSender::run() {
  std::unique_lock lock(mutex_);
  while (true) {
    wake_.wait(lock, [&] {
      return stopping_ ||
             (connected_ && queue_.blocks_waiting() > 0 && bytes_in_flight_ < limits_.max_bytes_in_flight);
    });
    if (stopping_) return;
    auto block = queue_.pop();
    if (!block) continue;
    auto payload = block->payload();
    std::size_t bytes = payload.size();
    bytes_in_flight_ += bytes;
    lock.unlock();
    auto message = encode_data_block(block->format, block->file_id, block->index, payload);
    auto mid = publish_(data_topic(block->thing, block->stream_id, block->format), message);
    lock.lock();
    if (!mid) {
      bytes_in_flight_ -= bytes;
      spdlog::debug("stream {} thing {}: block {} not published", block->stream_id, block->thing, block->index);
      continue;
    }
    ++metrics_.stream_blocks_served;
    metrics_.stream_bytes_served += bytes;
    if (early_acks_.erase(*mid)) {
      bytes_in_flight_ -= bytes;
    } else {
      in_flight_[*mid] = bytes;
    }
  }
}

}  // namespace otter::streams
