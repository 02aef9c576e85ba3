#include "otter/core/crc32.h"

namespace otter {

// Bit by bit, without a table: the inputs are small (records, headers, a
// bitmap of at most 512 bytes, job identities), so the few microseconds more
// per call cost less than a table's flash.
std::uint32_t crc32(std::span<const std::uint8_t> data, std::uint32_t crc) {
  crc = ~crc;
  for (const std::uint8_t byte : data) {
    crc ^= byte;
    for (int bit = 0; bit < 8; ++bit) crc = (crc >> 1) ^ (0xEDB88320U & (0U - (crc & 1U)));
  }
  return ~crc;
}

}  // namespace otter
