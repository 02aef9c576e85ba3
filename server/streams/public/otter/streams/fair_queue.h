#pragma once
// Pending block sends, served round-robin over things so that one device
// asking for a lot cannot starve the others. Pure data structure, no locks.
#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "otter/streams/get_stream.h"
#include "otter/streams/image_cache.h"

namespace otter::streams {

// The blocks one GetStream request asked for.
struct BlockBatch {
  std::string thing;
  std::string stream_id;
  std::int64_t file_id = 0;
  std::int64_t block_size = 0;
  Format format = Format::Cbor;
  std::shared_ptr<const MappedFile> file;
  std::deque<std::uint32_t> blocks;
};

struct OutgoingBlock {
  std::string thing;
  std::string stream_id;
  std::int64_t file_id = 0;
  std::uint32_t index = 0;
  std::int64_t block_size = 0;
  Format format = Format::Cbor;
  std::shared_ptr<const MappedFile> file;

  std::span<const std::uint8_t> payload() const;
};

class FairQueue {
 public:
  // A thing's turn is up to `blocks_per_turn` blocks: with one block per
  // turn, 10,000 things that each asked for 8 blocks all get their last block
  // at the very end (and their agents time out); with a request's worth per
  // turn requests complete in the order they came, and one thing still cannot
  // hold the others back by more than a turn.
  explicit FairQueue(std::size_t max_blocks_per_thing, std::size_t blocks_per_turn = 1)
      : max_blocks_per_thing_(max_blocks_per_thing), blocks_per_turn_(blocks_per_turn == 0 ? 1 : blocks_per_turn) {}

  // Queues a batch. A newer request for the same stream, file, format and
  // block size adds its blocks to the unsent ones of earlier requests (agents
  // keep several requests in flight), skipping blocks already queued; with
  // another block size it replaces them. Blocks beyond the per-thing cap are
  // dropped. Returns blocks queued.
  std::size_t push(BlockBatch batch);
  std::optional<OutgoingBlock> pop();
  // Forgets everything queued for a thing.
  void drop(const std::string& thing);

  std::size_t things_waiting() const { return rotation_.size(); }
  std::size_t blocks_waiting() const { return blocks_; }

 private:
  std::size_t max_blocks_per_thing_;
  std::size_t blocks_per_turn_;
  std::size_t served_in_turn_ = 0;  // by the thing at the front of rotation_
  std::map<std::string, std::deque<BlockBatch>> pending_;
  std::deque<std::string> rotation_;
  std::size_t blocks_ = 0;
};

}  // namespace otter::streams
