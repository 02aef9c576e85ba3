// Writes received blocks into the staging partition straight from the message
// buffer. Works on NOR (program units up to a page) and on block devices such
// as SD cards (512-byte program units, no erase). Full program units go from
// the message buffer; only the padded tail of a short last block and decoded
// base64 pass through a buffer on the stack of the call, never a member, so
// the agent object carries no block-sized buffer (docs/staging-media.md).
// Every write goes through the Partition, so nothing can land outside the bank.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

#include "otter/core/status.h"
#include "otter/flash/partition.h"

namespace otter::agent {

class StagingWriter {
 public:
  // Largest program unit handled: an SD card's 512-byte block. A medium's
  // program unit must divide it (every NOR and SD part does).
  static constexpr std::uint32_t kMaxProgramUnit = 512;
  // Base64 payloads are decoded in chunks of this many bytes (a multiple of
  // every supported program unit).
  static constexpr std::size_t kChunk = kMaxProgramUnit;

  explicit StagingWriter(const flash::Partition& staging) : staging_(staging) {}

  // kOk when the partition is usable: valid, program unit <= 512 dividing 512.
  Status check_geometry() const { return check_geometry(kMaxProgramUnit); }
  // The same, and blocks of `block_size` bytes start on program-unit
  // boundaries (256-byte stream blocks cannot be staged on an SD card:
  // writing half a card block would rewrite its neighbour, and a power cut
  // there could corrupt a block already recorded as received).
  Status check_geometry(std::uint32_t block_size) const;
  // Erases the erase units covering the first `size` bytes.
  Status erase(std::uint32_t size) { return erase_range(0, size); }
  // Erases the erase units covering [offset, offset + length).
  Status erase_range(std::uint32_t offset, std::uint32_t length);
  Result<bool> is_erased(std::uint32_t offset, std::uint32_t length) const { return staging_.is_erased(offset, length); }
  // `offset` must be a multiple of the program unit. A tail shorter than the
  // program unit is padded with the erased value.
  // (Inline: a call passes pointer and size in registers; gcc spills a span
  // argument to the stack at every call site.)
  [[gnu::always_inline]] Status write(std::uint32_t offset, std::span<const std::uint8_t> data) {
    return write(offset, data.data(), data.size());
  }
  Status write(std::uint32_t offset, const std::uint8_t* data, std::size_t size);
  Status write_base64(std::uint32_t offset, std::string_view base64, std::uint32_t length);

 private:
  const flash::Partition& staging_;
};

}  // namespace otter::agent
