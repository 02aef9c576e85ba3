#include "otter/protocol/stream_messages.h"

#include <array>

#include "otter/codec/base64.h"
#include "otter/codec/cbor.h"
#include "otter/codec/json_reader.h"
#include "otter/codec/json_writer.h"
#include "otter/protocol/names.h"

namespace otter::protocol {

using codec::CborItem;
using codec::CborReader;
using codec::CborType;

namespace {

Status check_request(const GetStreamRequest& r) {
  if (r.bitmap.size() > kMaxRequestBitmap || r.block_size == 0 || r.number_of_blocks == 0)
    return Status::kInvalidArgument;
  return Status::kOk;
}

// Accepts a map of short text keys; calls `on(key, item)` for each pair and
// skips (bounded) whatever it does not consume.
template <typename OnPair>
Status for_each_pair(std::span<const std::uint8_t> message, OnPair on) {
  CborReader reader(message);
  CborItem map, key, value;
  OTTER_TRY(reader.next(map));
  if (map.type != CborType::kMap || map.value > message.size()) return Status::kMalformed;
  for (std::uint64_t i = 0; i < map.value; ++i) {
    OTTER_TRY(reader.next(key));
    if (key.type != CborType::kText) return Status::kMalformed;
    OTTER_TRY(reader.next(value));
    bool consumed = false;
    OTTER_TRY(on(key.text(), value, consumed));
    if (!consumed) OTTER_TRY(reader.skip(value));
    else if (value.type == CborType::kArray || value.type == CborType::kMap) return Status::kMalformed;
  }
  return reader.at_end() ? Status::kOk : Status::kMalformed;
}

}  // namespace

Result<std::size_t> encode_get_stream_cbor(const GetStreamRequest& r, std::span<std::uint8_t> out) {
  OTTER_TRY(check_request(r));
  codec::CborWriter w(out);
  const bool with_bitmap = !r.bitmap.empty();
  w.map(with_bitmap ? 6 : 5);
  // The keys in wire order: the token, three numbers, the bitmap (if any),
  // the last number. One loop writes them all (agent footprint).
  constexpr char kKeys[] = {stream::kClientToken[0], stream::kFileId[0], stream::kBlockSize[0],
                            stream::kBlockOffset[0], stream::kBitmap[0], stream::kNumberOfBlocks[0]};
  const std::uint32_t numbers[] = {r.file_id, r.block_size, r.block_offset, r.number_of_blocks};
  const std::uint32_t* number = numbers;
  for (const char key : kKeys) {
    if (key == stream::kBitmap[0] && !with_bitmap) continue;
    w.key(key);
    if (key == stream::kClientToken[0]) {
      w.text(r.client_token);
    } else if (key == stream::kBitmap[0]) {
      w.bytes(r.bitmap);
    } else {
      w.uint(*number++);
    }
  }
  return w.finish();
}

Result<std::size_t> encode_get_stream_json(const GetStreamRequest& r, std::span<char> out) {
  OTTER_TRY(check_request(r));
  codec::JsonWriter w(out);
  w.begin_object();
  w.key(stream::kClientToken).string(r.client_token);
  w.key(stream::kFileId).number(r.file_id);
  w.key(stream::kBlockSize).number(r.block_size);
  w.key(stream::kBlockOffset).number(r.block_offset);
  if (!r.bitmap.empty()) {
    std::array<char, codec::base64_encoded_size(kMaxRequestBitmap)> encoded{};
    OTTER_ASSIGN_OR_RETURN(const std::size_t n, codec::base64_encode(r.bitmap, encoded));
    w.key(stream::kBitmap).open_string().append_raw({encoded.data(), n}).close_string();
  }
  w.key(stream::kNumberOfBlocks).number(r.number_of_blocks);
  w.end_object();
  return w.finish();
}

Result<DataBlock> decode_data_block_cbor(std::span<const std::uint8_t> message) {
  // The keys read, each at most once, by slot: f, i, l (numbers) and p (the payload).
  constexpr char kKeys[] = {stream::kFileId[0], stream::kBlockId[0], stream::kPayloadLength[0], stream::kPayload[0]};
  constexpr unsigned kPayloadSlot = 3;
  std::uint32_t numbers[kPayloadSlot];  // read only where `seen` says they were set
  std::span<const std::uint8_t> payload;
  unsigned seen = 0;
  CborReader reader(message);
  CborItem item;  // the map, then each key and value in turn
  OTTER_TRY(reader.next(item));
  // A count past the input needs no check of its own: every pair read
  // consumes input, so next() fails before the loop runs long.
  if (item.type != CborType::kMap) return Status::kMalformed;
  const std::uint32_t pairs = item.value;
  for (std::uint32_t pair = 0; pair < pairs; ++pair) {
    OTTER_TRY(reader.next(item));
    if (item.type != CborType::kText) return Status::kMalformed;
    unsigned slot = item.data.size() == 1 ? 0 : kPayloadSlot + 1;
    while (slot <= kPayloadSlot && item.data[0] != kKeys[slot]) ++slot;
    OTTER_TRY(reader.next(item));
    if (slot > kPayloadSlot) {
      OTTER_TRY(reader.skip(item));
      continue;
    }
    // A key seen twice would let two decoders of the same message disagree.
    if ((seen & (1U << slot)) != 0) return Status::kMalformed;
    seen |= 1U << slot;
    if (slot == kPayloadSlot) {
      if (item.type != CborType::kBytes) return Status::kMalformed;
      payload = item.data;
    } else {
      if (item.type != CborType::kUnsigned || item.wide) return Status::kMalformed;
      numbers[slot] = item.value;
    }
  }
  // f, i and p are required; l, if present, must be the payload's length.
  if (!reader.at_end() || (seen & 0b1011U) != 0b1011U) return Status::kMalformed;
  if ((seen & 0b0100U) != 0 && numbers[2] != payload.size()) return Status::kMalformed;
  return DataBlock{.file_id = numbers[0],
                   .index = numbers[1],
                   .length = static_cast<std::uint32_t>(payload.size()),
                   .payload = payload};
}

Result<DataBlock> decode_data_block_json(std::string_view message) {
  std::array<jsmntok_t, 16> tokens{};
  codec::JsonDocument doc;
  OTTER_TRY(doc.parse(message, tokens));
  DataBlock block;
  OTTER_ASSIGN_OR_RETURN(const std::uint32_t file_id, doc.unsigned_value(doc.find(0, stream::kFileId)));
  OTTER_ASSIGN_OR_RETURN(const std::uint32_t index, doc.unsigned_value(doc.find(0, stream::kBlockId)));
  OTTER_ASSIGN_OR_RETURN(block.payload_base64, doc.plain_string(doc.find(0, stream::kPayload)));
  OTTER_ASSIGN_OR_RETURN(const std::size_t length, codec::base64_decoded_size(block.payload_base64));
  block.file_id = file_id;
  block.index = index;
  if (length > UINT32_MAX) return Status::kMalformed;
  block.length = static_cast<std::uint32_t>(length);
  const int declared = doc.find(0, stream::kPayloadLength);
  if (declared != codec::JsonDocument::kNone) {
    OTTER_ASSIGN_OR_RETURN(const std::uint32_t l, doc.unsigned_value(declared));
    if (l != length) return Status::kMalformed;
  }
  return block;
}

Result<StreamError> decode_stream_error_cbor(std::span<const std::uint8_t> message) {
  StreamError error;
  const Status status = for_each_pair(message, [&](std::string_view key, const CborItem& value, bool& consumed) -> Status {
    std::string_view* field = key == stream::kErrorCode      ? &error.code
                              : key == stream::kErrorMessage ? &error.message
                              : key == stream::kClientToken  ? &error.client_token
                                                             : nullptr;
    if (field == nullptr) return Status::kOk;
    consumed = true;
    if (value.type != CborType::kText) return Status::kMalformed;
    *field = value.text();
    return Status::kOk;
  });
  if (status != Status::kOk) return status;
  return error;
}

Result<StreamError> decode_stream_error_json(std::string_view message) {
  std::array<jsmntok_t, 16> tokens{};
  codec::JsonDocument doc;
  OTTER_TRY(doc.parse(message, tokens));
  StreamError error;
  // Escaped text stays as it is: these strings are only logged.
  const auto text = [&](std::string_view key) -> std::string_view {
    const int token = doc.find(0, key);
    return doc.type(token) == codec::JsonType::kString ? doc.raw(token) : std::string_view{};
  };
  error.code = text(stream::kErrorCode);
  error.message = text(stream::kErrorMessage);
  error.client_token = text(stream::kClientToken);
  return error;
}

}  // namespace otter::protocol
