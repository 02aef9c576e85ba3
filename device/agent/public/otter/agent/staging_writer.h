// Writes received blocks into the staging partition straight from the message
// buffer: no block-sized RAM buffer, only a small chunk for base64 payloads and
// the padded tail of a short last block. Every write goes through the
// Partition, so nothing can land outside the bank.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string_view>

#include "otter/core/status.h"
#include "otter/flash/partition.h"

namespace otter::agent {

class StagingWriter {
 public:
  // Base64 payloads are decoded in chunks of this many bytes (a multiple of 3
  // for base64 and of every program unit up to 128).
  static constexpr std::size_t kChunk = 384;
  static constexpr std::uint32_t kMaxProgramUnit = 32;

  explicit StagingWriter(const flash::Partition& staging) : staging_(staging) {}

  Status check_geometry() const;
  // Erases the erase units covering the first `size` bytes.
  Status erase(std::uint32_t size) { return erase_range(0, size); }
  // Erases the units covering [offset, offset + length), clamped to the bank.
  Status erase_range(std::uint32_t offset, std::uint32_t length);
  Result<bool> is_erased(std::uint32_t offset, std::uint32_t length) const { return staging_.is_erased(offset, length); }
  // `offset` must be a multiple of the program unit.
  Status write(std::uint32_t offset, std::span<const std::uint8_t> data);
  Status write_base64(std::uint32_t offset, std::string_view base64, std::uint32_t length);

 private:
  const flash::Partition& staging_;
  std::array<std::uint8_t, kChunk> chunk_{};
};

}  // namespace otter::agent
