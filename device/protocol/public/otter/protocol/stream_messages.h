// The OTA MQTT stream messages: GetStream requests the device sends, data
// blocks and rejected errors it receives, in CBOR (default) or JSON.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

#include "otter/core/result.h"

namespace otter::protocol {

struct GetStreamRequest {
  std::string_view client_token = "rdy";
  std::uint32_t file_id = 0;
  std::uint32_t block_size = 0;
  std::uint32_t block_offset = 0;             // index of the block bitmap bit 0 stands for
  std::span<const std::uint8_t> bitmap{};     // LSB first, set = wanted; at most kMaxRequestBitmap bytes
  std::uint32_t number_of_blocks = 0;
};

Result<std::size_t> encode_get_stream_cbor(const GetStreamRequest& request, std::span<std::uint8_t> out);
// {"c":"rdy","f":0,"l":4096,"o":0,"b":"<base64 bitmap>","n":8}
Result<std::size_t> encode_get_stream_json(const GetStreamRequest& request, std::span<char> out);

struct DataBlock {
  std::uint32_t file_id = 0;
  std::uint32_t index = 0;
  std::uint32_t length = 0;                 // payload bytes (decoded, for JSON)
  std::span<const std::uint8_t> payload{};  // CBOR: the payload in the input buffer
  std::string_view payload_base64{};        // JSON: the still-encoded payload
};

// f, i and p are required; l, if present, must equal the payload length.
// Duplicate keys, non-integer ids and values past 32 bits are kMalformed.
Result<DataBlock> decode_data_block_cbor(std::span<const std::uint8_t> message);
Result<DataBlock> decode_data_block_json(std::string_view message);

struct StreamError {
  std::string_view code{};     // "o", e.g. "InvalidRequest" / "ResourceNotFound"
  std::string_view message{};  // "m"
  std::string_view client_token{};  // "c"
};

Result<StreamError> decode_stream_error_cbor(std::span<const std::uint8_t> message);
Result<StreamError> decode_stream_error_json(std::string_view message);

}  // namespace otter::protocol
