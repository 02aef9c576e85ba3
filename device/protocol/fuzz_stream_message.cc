// Fuzzes the decoders of stream data blocks and rejected errors, CBOR and JSON
// (network input). The payload must always lie inside the message.
#include <cstdint>
#include <string_view>

#include "otter/protocol/stream_messages.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::span<const std::uint8_t> bytes(data, size);
  const auto block = otter::protocol::decode_data_block_cbor(bytes);
  if (block.ok()) {
    const auto* p = block->payload.data();
    if (p < data || p + block->payload.size() > data + size || block->length != block->payload.size())
      __builtin_trap();
  }
  (void)otter::protocol::decode_stream_error_cbor(bytes);
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const auto json = otter::protocol::decode_data_block_json(text);
  if (json.ok() && (json->payload_base64.data() < text.data() ||
                    json->payload_base64.data() + json->payload_base64.size() > text.data() + size))
    __builtin_trap();
  (void)otter::protocol::decode_stream_error_json(text);
  return 0;
}
