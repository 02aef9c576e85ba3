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
  for (auto it = batches.begin(); it != batches.end(); ++it) {
    if (it->stream_id == batch.stream_id && it->file_id == batch.file_id && it->format == batch.format) {
      blocks_ -= it->blocks.size();
      batches.erase(it);
      break;
    }
  }
  std::size_t queued = 0;
  for (const auto& b : batches) queued += b.blocks.size();
  std::size_t room = queued >= max_blocks_per_thing_ ? 0 : max_blocks_per_thing_ - queued;
  if (batch.blocks.size() > room) batch.blocks.resize(room);
  std::size_t accepted = batch.blocks.size();
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
    std::string thing = std::move(rotation_.front());
    rotation_.pop_front();
    auto it = pending_.find(thing);
    if (it == pending_.end() || it->second.empty()) {
      if (it != pending_.end()) pending_.erase(it);
      continue;
    }
    BlockBatch& batch = it->second.front();
    OutgoingBlock out{batch.thing, batch.stream_id, batch.file_id, batch.blocks.front(), batch.block_size,
                      batch.format, batch.file};
    batch.blocks.pop_front();
    --blocks_;
    if (batch.blocks.empty()) it->second.pop_front();
    if (it->second.empty()) {
      pending_.erase(it);
    } else {
      rotation_.push_back(std::move(thing));
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
  rotation_.erase(std::remove(rotation_.begin(), rotation_.end(), thing), rotation_.end());
}

}  // namespace otter::streams
