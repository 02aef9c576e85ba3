#include "otter/streams/fair_queue.h"

#include <algorithm>

namespace otter::streams {

std::span<const std::uint8_t> OutgoingBlock::payload() const {
  auto bytes = file->bytes();
  std::size_t start = static_cast<std::size_t>(index) * static_cast<std::size_t>(block_size);
  if (start >= bytes.size()) return {};
  return bytes.subspan(start, std::min(static_cast<std::size_t>(block_size), bytes.size() - start));
}

std::size_t FairQueue::push(BlockBatch batch) {
  auto& batches = pending_[batch.thing];
  bool was_idle = batches.empty();
  std::size_t queued = 0;
  for (const auto& b : batches) queued += b.blocks.size();
  std::size_t room = queued >= max_blocks_per_thing_ ? 0 : max_blocks_per_thing_ - queued;
  std::size_t accepted = 0;
  auto same = std::find_if(batches.begin(), batches.end(), [&](const BlockBatch& b) {
    return b.stream_id == batch.stream_id && b.file_id == batch.file_id && b.format == batch.format;
  });
  if (same != batches.end() && same->block_size == batch.block_size) {
    // Agents keep several requests in flight, each for other blocks: a newer
    // request adds to the unsent blocks of the older ones (without queuing a
    // block twice) instead of discarding them.
    for (std::uint32_t index : batch.blocks) {
      if (room == 0) break;
      if (std::find(same->blocks.begin(), same->blocks.end(), index) != same->blocks.end()) continue;
      same->blocks.push_back(index);
      --room;
      ++accepted;
    }
    blocks_ += accepted;
    return accepted;
  }
  if (same != batches.end()) {
    // Another block size: the old indices mean other bytes, so they go.
    blocks_ -= same->blocks.size();
    room += same->blocks.size();
    batches.erase(same);
  }
  if (batch.blocks.size() > room) batch.blocks.resize(room);
  accepted = batch.blocks.size();
  if (accepted > 0) {
    blocks_ += accepted;
    batches.push_back(std::move(batch));
  }
  if (batches.empty()) {
    pending_.erase(batch.thing);
  } else if (was_idle) {
    rotation_.push_back(batches.front().thing);
  }
  return accepted;
}

std::optional<OutgoingBlock> FairQueue::pop() {
  while (!rotation_.empty()) {
    auto it = pending_.find(rotation_.front());
    if (it == pending_.end() || it->second.empty()) {
      if (it != pending_.end()) pending_.erase(it);
      rotation_.pop_front();
      served_in_turn_ = 0;
      continue;
    }
    BlockBatch& batch = it->second.front();
    OutgoingBlock out{batch.thing, batch.stream_id, batch.file_id, batch.blocks.front(), batch.block_size,
                      batch.format, batch.file};
    batch.blocks.pop_front();
    --blocks_;
    ++served_in_turn_;
    if (batch.blocks.empty()) it->second.pop_front();
    if (it->second.empty()) {
      pending_.erase(it);
      rotation_.pop_front();
      served_in_turn_ = 0;
    } else if (served_in_turn_ >= blocks_per_turn_) {
      rotation_.push_back(std::move(rotation_.front()));
      rotation_.pop_front();
      served_in_turn_ = 0;
    }
    return out;
  }
  return std::nullopt;
}

void FairQueue::drop(const std::string& thing) {
  auto it = pending_.find(thing);
  if (it == pending_.end()) return;
  for (const auto& b : it->second) blocks_ -= b.blocks.size();
  pending_.erase(it);
  if (!rotation_.empty() && rotation_.front() == thing) served_in_turn_ = 0;
  rotation_.erase(std::remove(rotation_.begin(), rotation_.end(), thing), rotation_.end());
}

}  // namespace otter::streams
