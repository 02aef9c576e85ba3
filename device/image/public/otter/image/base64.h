// Bounded base64 (RFC 4648, standard alphabet) decoding into a caller's
// buffer: used for PEM bodies on the device and for the job document's
// `sig-sha256-ecdsa` value.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "otter/core/result.h"

namespace otter::image {

// Decodes `text`, skipping ASCII whitespace (PEM line breaks). Padding is
// required and canonical ('=' only at the end, unused bits zero). Returns the
// number of bytes written, kMalformed for anything else, kBufferTooSmall when
// `out` cannot hold the result.
Result<std::size_t> decode_base64(std::span<const char> text, std::span<std::uint8_t> out);

// Bytes needed to decode `text_size` characters of base64.
constexpr std::size_t base64_decoded_capacity(std::size_t text_size) { return text_size / 4 * 3 + 3; }

}  // namespace otter::image
