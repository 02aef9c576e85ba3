// CRC-32 (IEEE 802.3, reflected, polynomial 0xEDB88320): the same value as
// zlib's crc32() and Python's zlib.crc32(), so host tools can check records.
#pragma once

#include <cstdint>
#include <span>

namespace otter {

// `crc` continues a previous computation; start with 0.
std::uint32_t crc32(std::span<const std::uint8_t> data, std::uint32_t crc = 0);

}  // namespace otter
