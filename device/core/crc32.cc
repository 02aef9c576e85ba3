#include "otter/core/crc32.h"

namespace otter {

// Bit by bit, without a table: the inputs are small (records, headers, a
// bitmap of at most 512 bytes, job identities), so the few microseconds more
// per call cost less than a table's flash.
std::uint32_t crc32(const std::uint8_t* data, std::size_t size, std::uint32_t crc) {
  crc = ~crc;
  for (const std::uint8_t* end = data + size; data != end; ++data) {
    crc ^= *data;
    for (int bit = 0; bit < 8; ++bit) crc = (crc >> 1) ^ (0xEDB88320U & (0U - (crc & 1U)));
  }
  return ~crc;
}

}  // namespace otter
