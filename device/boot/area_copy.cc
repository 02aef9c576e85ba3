#include "area_copy.h"

#include <algorithm>
#include <array>

namespace otter::boot {

namespace {
// One SD block; also two W25Q program pages. The whole bootloader's buffer RAM.
constexpr std::uint32_t kChunk = 512;

// Partition::erase_covering() for an aligned start, in 32-bit arithmetic: its
// 64-bit rounding would link a 700-byte division helper into the bootloader.
Status erase_covering(const flash::Partition& to, const flash::Geometry& t, std::uint32_t start,
                      std::uint32_t length) {
  if (t.erase_size == 0) return Status::kOk;  // no erase semantics (SD card)
  const std::uint32_t tail = length % t.erase_size;
  const std::uint32_t room = to.size() - start;  // start + length <= to.size(): checked by the caller
  const std::uint32_t pad = tail == 0 ? 0 : t.erase_size - tail;
  return to.erase(start, room - length >= pad ? length + pad : room);
}

}  // namespace

std::uint32_t copy_unit(const flash::Partition& from, const flash::Partition& to, std::uint32_t size,
                        std::uint32_t mark_capacity) {
  const flash::Geometry f = from.geometry();
  const flash::Geometry t = to.geometry();
  // Erase and program sizes are powers of two, so the largest is a multiple of all.
  std::uint32_t unit = std::max({f.erase_size, t.erase_size, t.program_size, f.program_size, kChunk});
  if (mark_capacity == 0 || size == 0) return 0;
  while ((size + unit - 1) / unit > mark_capacity) {
    if (unit > to.size()) return 0;
    unit *= 2;
  }
  return unit;
}

Status copy_area(const flash::Partition& from, const flash::Partition& to, std::uint32_t size, StateLog& log) {
  const std::uint32_t unit = copy_unit(from, to, size, log.mark_capacity());
  const flash::Geometry t = to.geometry();
  if (unit == 0 || size > from.size() || size > to.size()) return Status::kTooLarge;
  const std::uint32_t chunk = t.program_page != 0 ? std::min(kChunk, t.program_page) : kChunk;
  if (chunk % t.program_size != 0) return Status::kUnsupported;
  std::array<std::uint8_t, kChunk> buffer{};

  const std::uint32_t units = (size + unit - 1) / unit;
  for (std::uint32_t i = 0; i < units; ++i) {
    OTTER_ASSIGN_OR_RETURN(const bool done, log.is_marked(i));
    if (done) continue;
    const std::uint32_t start = i * unit;
    const std::uint32_t length = std::min(unit, size - start);
    // Erase only what this unit's bytes occupy (the datasheet minimum erases
    // each target sector once; nothing more).
    OTTER_TRY(erase_covering(to, t, start, length));
    for (std::uint32_t done_bytes = 0; done_bytes < length;) {
      const std::uint32_t n = std::min(chunk, length - done_bytes);
      const std::span<std::uint8_t> data(buffer.data(), n);
      OTTER_TRY(from.read(start + done_bytes, data));
      // The tail of the image is padded to the program size with erased bytes.
      const std::uint32_t padded = (n + t.program_size - 1) / t.program_size * t.program_size;
      std::fill(buffer.begin() + n, buffer.begin() + padded, t.erased_value);
      OTTER_TRY(to.program(start + done_bytes, std::span<const std::uint8_t>(buffer.data(), padded)));
      done_bytes += n;
    }
    OTTER_TRY(log.mark(i));
  }
  return Status::kOk;
}

}  // namespace otter::boot
