// Base64 (RFC 4648, standard alphabet, padded) for the job document's
// signature and the JSON stream variant's bitmaps and payloads.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

#include "otter/core/result.h"

namespace otter::codec {

constexpr std::size_t base64_encoded_size(std::size_t bytes) { return (bytes + 2) / 3 * 4; }

// Decoded length of a well-formed encoding (padding counted), or kMalformed.
Result<std::size_t> base64_decoded_size(std::string_view text);

// Decodes all of `text` into `out`. Refuses characters outside the alphabet,
// misplaced padding, and a length that is not a multiple of 4.
Result<std::size_t> base64_decode(std::string_view text, std::span<std::uint8_t> out);

// Decodes the output bytes [offset, offset + out.size()) of `text` without
// decoding the rest; `offset` must be a multiple of 3. Lets a large payload be
// decoded in small chunks straight to flash.
Result<std::size_t> base64_decode_range(std::string_view text, std::size_t offset, std::span<std::uint8_t> out);

Result<std::size_t> base64_encode(std::span<const std::uint8_t> data, std::span<char> out);

}  // namespace otter::codec
