#include "otter/agent/staging_writer.h"

#include <array>
#include <cstring>

#include "otter/codec/base64.h"

namespace otter::agent {

Status StagingWriter::check_geometry(std::uint32_t block_size) const {
  const flash::Geometry g = staging_.geometry();
  if (!staging_.valid() || g.program_size == 0 || kMaxProgramUnit % g.program_size != 0 ||
      block_size % g.program_size != 0)
    return Status::kUnsupported;
  return Status::kOk;
}

Status StagingWriter::erase_range(std::uint32_t offset, std::uint32_t length) {
  // 32-bit arithmetic (partitions are far below 4 GiB): no 64-bit division
  // helpers in the firmware.
  const std::uint32_t unit = staging_.geometry().erase_size;
  if (length == 0 || unit == 0) return Status::kOk;
  if (offset > staging_.size() || length > staging_.size() - offset) return Status::kOutOfRange;
  // A valid bank is a whole number of erase units, so the units covering a
  // request inside it end inside it too (in an invalid one, the partition
  // refuses what would pass its end).
  const std::uint32_t start = offset / unit * unit;
  const std::uint32_t end = (offset + length + unit - 1) / unit * unit;
  return staging_.erase(start, end - start);
}

Status StagingWriter::write(std::uint32_t offset, const std::uint8_t* data, std::size_t size) {
  const flash::Geometry g = staging_.geometry();
  if (g.program_size == 0 || kMaxProgramUnit % g.program_size != 0 || offset % g.program_size != 0)
    return Status::kMisaligned;
  // The short tail of the last block, padded with the erased value. On a
  // stack buffer: it lives only for this call, on the data path, which is
  // far shallower than the agent's deepest (jobs message) path.
  std::array<std::uint8_t, kMaxProgramUnit> tail;
  while (size > 0) {
    // One program operation never crosses a NOR page (it would wrap around).
    std::size_t piece = size;
    if (g.program_page != 0) {
      const std::size_t room = g.program_page - offset % g.program_page;
      if (piece > room) piece = room;
    }
    piece -= piece % g.program_size;
    if (piece == 0) {
      std::memset(tail.data(), g.erased_value, g.program_size);
      std::memcpy(tail.data(), data, size);
      data = tail.data();
      piece = size = g.program_size;
    }
    OTTER_TRY(staging_.program(offset, data, piece));
    offset += static_cast<std::uint32_t>(piece);
    data += piece;
    size -= piece;
  }
  return Status::kOk;
}

Status StagingWriter::write_base64(std::uint32_t offset, std::string_view base64, std::uint32_t length) {
  // Base64 decodes from multiples of 3 bytes, program units are powers of
  // two: each chunk decodes from the multiple of 3 at or before it, and the
  // up to 2 bytes before the chunk are dropped.
  std::array<std::uint8_t, kChunk + 2> buffer;
  for (std::uint32_t done = 0; done < length;) {
    const std::uint32_t n = length - done < kChunk ? length - done : static_cast<std::uint32_t>(kChunk);
    const std::uint32_t lead = done % 3;
    OTTER_ASSIGN_OR_RETURN(const std::size_t got,
                           codec::base64_decode_range(base64, done - lead, std::span<std::uint8_t>(buffer.data(), lead + n)));
    if (got != lead + n) return Status::kMalformed;
    OTTER_TRY(write(offset + done, std::span<const std::uint8_t>(buffer.data() + lead, n)));
    done += n;
  }
  return Status::kOk;
}

}  // namespace otter::agent
