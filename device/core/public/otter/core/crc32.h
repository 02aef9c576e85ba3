// CRC-32 (IEEE 802.3, reflected, polynomial 0xEDB88320): the same value as
// zlib's crc32() and Python's zlib.crc32(), so host tools can check records.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

namespace otter {

// `crc` continues a previous computation; start with 0.
std::uint32_t crc32(const std::uint8_t* data, std::size_t size, std::uint32_t crc);

// Inline so that a call passes the span's pointer and size in registers
// (gcc spills a span argument to the stack at every call site).
[[gnu::always_inline]] inline std::uint32_t crc32(std::span<const std::uint8_t> data, std::uint32_t crc = 0) {
  return crc32(data.data(), data.size(), crc);
}

}  // namespace otter
