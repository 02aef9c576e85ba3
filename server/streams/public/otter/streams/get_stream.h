#pragma once
// GetStream requests and data blocks of AWS IoT MQTT-based file delivery,
// parsed and built with libcbor (CBOR) and nlohmann-json (JSON) — on purpose
// not the device's own codec, so each side checks the other.
//
// Every parser is total: any byte string yields a request or a StreamError,
// never an exception, crash or unbounded allocation.
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace otter::streams {

enum class Format { Cbor, Json };

struct GetStreamRequest {
  std::string client_token;                   // `c`, echoed in errors
  std::int64_t file_id = 0;                   // `f`
  std::int64_t block_size = 0;                // `l`
  std::int64_t block_offset = 0;              // `o`
  std::optional<std::vector<std::uint8_t>> bitmap;  // `b`, LSB first, bit i = block o+i
  std::optional<std::int64_t> number_of_blocks;     // `n`
};

// Error codes of AWS's file delivery (`o` in a rejected message).
struct StreamError {
  std::string code;  // e.g. InvalidCbor, ResourceNotFoundException, BlockSizeOutOfBounds
  std::string message;
  std::string client_token;
};

// Limits (AWS: blocks of 256 B..128 KiB, at most 128 KiB per request).
constexpr std::int64_t kMinBlockSize = 256;
constexpr std::int64_t kMaxBlockSize = 128 * 1024;
constexpr std::int64_t kMaxBytesPerRequest = 128 * 1024;
constexpr std::size_t kMaxBitmapBytes = 12 * 1024;
constexpr std::size_t kMaxRequestBytes = 16 * 1024;  // also bounds libcbor's nesting depth
constexpr std::size_t kMaxClientToken = 64;

using ParsedRequest = std::variant<GetStreamRequest, StreamError>;

ParsedRequest parse_get_stream_cbor(std::span<const std::uint8_t> payload);
ParsedRequest parse_get_stream_json(std::string_view payload);
ParsedRequest parse_get_stream(Format format, std::span<const std::uint8_t> payload);

// The blocks to send for a request against a file of `file_size` bytes, in
// index order, at most n; or why the request is refused.
std::variant<std::vector<std::uint32_t>, StreamError> plan_blocks(const GetStreamRequest& request,
                                                                  std::int64_t file_size);

// One data message: {"f":file,"i":index,"l":length,"p":payload}.
std::vector<std::uint8_t> encode_data_block(Format format, std::int64_t file_id, std::uint32_t index,
                                            std::span<const std::uint8_t> payload);
// {"o":code,"m":message,"c":client token}
std::vector<std::uint8_t> encode_stream_error(Format format, const StreamError& error);

}  // namespace otter::streams
