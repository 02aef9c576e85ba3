#include <gtest/gtest.h>

#include <array>
#include <string>
#include <vector>

#include "otter/protocol/stream_messages.h"

namespace otter::protocol {
namespace {

TEST(GetStreamRequest, EncodesTheAwsDemoRequestAsJson) {
  const std::uint8_t bitmap[] = {0xFF, 0x01};
  GetStreamRequest r{.file_id = 0, .block_size = 4096, .block_offset = 0, .bitmap = bitmap, .number_of_blocks = 8};
  std::array<char, 128> out{};
  auto n = encode_get_stream_json(r, out);
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(std::string(out.data(), *n), R"({"c":"rdy","f":0,"l":4096,"o":0,"b":"/wE=","n":8})");
}

TEST(GetStreamRequest, EncodesTheAwsDemoRequestAsCbor) {
  const std::uint8_t bitmap[] = {0xFF, 0x01};
  GetStreamRequest r{.file_id = 0, .block_size = 4096, .block_offset = 0, .bitmap = bitmap, .number_of_blocks = 8};
  std::array<std::uint8_t, 64> out{};
  auto n = encode_get_stream_cbor(r, out);
  ASSERT_TRUE(n.ok());
  // {"c":"rdy","f":0,"l":4096,"o":0,"b":h'FF01',"n":8}
  const std::vector<std::uint8_t> expected = {0xA6, 0x61, 'c', 0x63, 'r',  'd',  'y',  0x61, 'f', 0x00, 0x61, 'l', 0x19,
                                              0x10, 0x00, 0x61, 'o', 0x00, 0x61, 'b',  0x42, 0xFF, 0x01, 0x61, 'n', 0x08};
  EXPECT_EQ(std::vector<std::uint8_t>(out.begin(), out.begin() + static_cast<std::ptrdiff_t>(*n)), expected);
}

TEST(GetStreamRequest, EncodesWideNumbersAndNoBitmapAsCbor) {
  GetStreamRequest r{.client_token = "", .file_id = 0xFFFFFFFF, .block_size = 255, .block_offset = 0x10000,
                     .number_of_blocks = 24};
  std::array<std::uint8_t, 64> out{};
  auto n = encode_get_stream_cbor(r, out);
  ASSERT_TRUE(n.ok());
  // {"c":"","f":4294967295,"l":255,"o":65536,"n":24}
  const std::vector<std::uint8_t> expected = {0xA5, 0x61, 'c',  0x60, 0x61, 'f',  0x1A, 0xFF, 0xFF, 0xFF, 0xFF,
                                              0x61, 'l',  0x18, 0xFF, 0x61, 'o',  0x1A, 0x00, 0x01, 0x00, 0x00,
                                              0x61, 'n',  0x18, 0x18};
  EXPECT_EQ(std::vector<std::uint8_t>(out.begin(), out.begin() + static_cast<std::ptrdiff_t>(*n)), expected);
  // One byte short of the request: refused, never truncated.
  EXPECT_EQ(encode_get_stream_cbor(r, std::span<std::uint8_t>(out).first(expected.size() - 1)).status(),
            Status::kBufferTooSmall);
}

TEST(GetStreamRequest, RefusesOversizedBitmapsAndEmptyRequests) {
  std::array<std::uint8_t, 129> bitmap{};
  std::array<std::uint8_t, 256> out{};
  EXPECT_EQ(encode_get_stream_cbor({.block_size = 256, .bitmap = bitmap, .number_of_blocks = 1}, out).status(),
            Status::kInvalidArgument);
  EXPECT_EQ(encode_get_stream_cbor({.block_size = 256, .number_of_blocks = 0}, out).status(), Status::kInvalidArgument);
}

TEST(DataBlock, DecodesCborInPlace) {
  // {"f":1,"i":2,"l":3,"p":h'0A0B0C'}
  const std::vector<std::uint8_t> m = {0xA4, 0x61, 'f', 0x01, 0x61, 'i', 0x02, 0x61, 'l',
                                       0x03, 0x61, 'p', 0x43, 0x0A, 0x0B, 0x0C};
  auto b = decode_data_block_cbor(m);
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->file_id, 1u);
  EXPECT_EQ(b->index, 2u);
  EXPECT_EQ(b->length, 3u);
  EXPECT_EQ(b->payload.data(), m.data() + 13);
}

TEST(DataBlock, RefusesLengthThatDisagreesWithPayload) {
  const std::vector<std::uint8_t> m = {0xA4, 0x61, 'f', 0x01, 0x61, 'i', 0x02, 0x61, 'l',
                                       0x04, 0x61, 'p', 0x43, 0x0A, 0x0B, 0x0C};
  EXPECT_EQ(decode_data_block_cbor(m).status(), Status::kMalformed);
}

TEST(DataBlock, RefusesDuplicateKeys) {
  const std::vector<std::uint8_t> m = {0xA4, 0x61, 'f', 0x01, 0x61, 'i', 0x02, 0x61, 'i', 0x03, 0x61, 'p', 0x40};
  EXPECT_EQ(decode_data_block_cbor(m).status(), Status::kMalformed);
}

TEST(DataBlock, RefusesMissingPayload) {
  const std::vector<std::uint8_t> m = {0xA2, 0x61, 'f', 0x01, 0x61, 'i', 0x02};
  EXPECT_EQ(decode_data_block_cbor(m).status(), Status::kMalformed);
}

TEST(DataBlock, RefusesIdsPast32BitsOrOfAnotherType) {
  // {"f":<value>,"i":2,"p":h''}
  const auto with_file_id = [](std::vector<std::uint8_t> value) {
    std::vector<std::uint8_t> m = {0xA3, 0x61, 'f'};
    m.insert(m.end(), value.begin(), value.end());
    m.insert(m.end(), {0x61, 'i', 0x02, 0x61, 'p', 0x40});
    return decode_data_block_cbor(m);
  };
  EXPECT_EQ(with_file_id({0x1B, 0, 0, 0, 1, 0, 0, 0, 0}).status(), Status::kMalformed);  // 2^32
  EXPECT_EQ(with_file_id({0x1B, 0x80, 0, 0, 0, 0, 0, 0, 3}).status(), Status::kMalformed);
  EXPECT_EQ(with_file_id({0x20}).status(), Status::kMalformed);       // -1
  EXPECT_EQ(with_file_id({0x61, '1'}).status(), Status::kMalformed);  // "1"
  EXPECT_EQ(with_file_id({0x41, 0x01}).status(), Status::kMalformed);  // h'01'
  EXPECT_EQ(with_file_id({0x81, 0x01}).status(), Status::kMalformed);  // [1]
  EXPECT_EQ(with_file_id({0xF5}).status(), Status::kMalformed);        // true
  EXPECT_EQ(with_file_id({0x1B, 0, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0xFF}).value().file_id, 0xFFFFFFFFu);
  EXPECT_EQ(with_file_id({0x1A, 0xFF, 0xFF, 0xFF, 0xFF}).value().file_id, 0xFFFFFFFFu);
}

TEST(DataBlock, SkipsUnknownKeysOfAnyTypeButNotPastTheInput) {
  // {"x":2^40,"yy":[{"z":-1.5f64},h'00'],"":true,"i":2,"f":1,"p":h'AA'}
  const std::vector<std::uint8_t> m = {0xA6, 0x61, 'x', 0x1B, 0, 0, 1, 0, 0, 0, 0, 0, 0x62, 'y', 'y', 0x82,
                                       0xA1, 0x61, 'z', 0xFB, 0xBF, 0xF8, 0, 0, 0, 0, 0, 0, 0x41, 0x00, 0x60, 0xF5,
                                       0x61, 'i', 0x02, 0x61, 'f', 0x01, 0x61, 'p', 0x41, 0xAA};
  auto b = decode_data_block_cbor(m);
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->file_id, 1u);
  EXPECT_EQ(b->index, 2u);
  EXPECT_EQ(b->length, 1u);
  EXPECT_EQ(b->payload.data(), m.data() + m.size() - 1);
  // Every truncation of it is refused, never read past.
  for (std::size_t n = 0; n < m.size(); ++n) {
    const std::vector<std::uint8_t> cut(m.begin(), m.begin() + static_cast<std::ptrdiff_t>(n));
    EXPECT_FALSE(decode_data_block_cbor(cut).ok()) << n;
  }
  // Trailing bytes after the map, a non-text key and a non-map are refused.
  std::vector<std::uint8_t> trailing = m;
  trailing.push_back(0x00);
  EXPECT_EQ(decode_data_block_cbor(trailing).status(), Status::kMalformed);
  const std::vector<std::uint8_t> int_key = {0xA4, 0x01, 0x01, 0x61, 'f', 0x01, 0x61, 'i', 0x02, 0x61, 'p', 0x40};
  EXPECT_EQ(decode_data_block_cbor(int_key).status(), Status::kMalformed);
  const std::vector<std::uint8_t> array = {0x83, 0x01, 0x02, 0x40};
  EXPECT_EQ(decode_data_block_cbor(array).status(), Status::kMalformed);
}

TEST(DataBlock, RefusesHostileStructure) {
  // Indefinite-length map; a map announcing more pairs than bytes; an unknown
  // value nested too deep; a tagged value; a payload longer than the message.
  const std::vector<std::uint8_t> indefinite = {0xBF, 0x61, 'f', 0x01, 0xFF};
  EXPECT_FALSE(decode_data_block_cbor(indefinite).ok());
  const std::vector<std::uint8_t> huge_map = {0xBA, 0x7F, 0xFF, 0xFF, 0xFF, 0x61, 'f', 0x01};
  EXPECT_EQ(decode_data_block_cbor(huge_map).status(), Status::kMalformed);
  const std::vector<std::uint8_t> huge_array = {0xA4, 0x61, 'x', 0x9A, 0x7F, 0xFF, 0xFF, 0xFF, 0x01};
  EXPECT_EQ(decode_data_block_cbor(huge_array).status(), Status::kMalformed);
  std::vector<std::uint8_t> deep = {0xA4, 0x61, 'x'};
  deep.insert(deep.end(), 64, 0x81);
  deep.push_back(0x00);
  deep.insert(deep.end(), {0x61, 'f', 0x01, 0x61, 'i', 0x02, 0x61, 'p', 0x40});
  EXPECT_FALSE(decode_data_block_cbor(deep).ok());
  const std::vector<std::uint8_t> tagged = {0xA3, 0x61, 'f', 0xC1, 0x01, 0x61, 'i', 0x02, 0x61, 'p', 0x40};
  EXPECT_FALSE(decode_data_block_cbor(tagged).ok());
  const std::vector<std::uint8_t> long_payload = {0xA3, 0x61, 'f', 0x01, 0x61, 'i', 0x02, 0x61, 'p', 0x5A, 0xFF, 0xFF, 0xFF, 0xF0, 0x00};
  EXPECT_EQ(decode_data_block_cbor(long_payload).status(), Status::kMalformed);
}

TEST(DataBlock, DecodesJsonWithBase64Payload) {
  auto b = decode_data_block_json(R"({"f":0,"i":9,"l":3,"p":"Zm9v"})");
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->index, 9u);
  EXPECT_EQ(b->length, 3u);
  EXPECT_EQ(b->payload_base64, "Zm9v");
}

TEST(StreamError, DecodesCbor) {
  // {"o":"NotFound","m":"x","c":"rdy"}
  const std::vector<std::uint8_t> m = {0xA3, 0x61, 'o', 0x68, 'N', 'o', 't', 'F', 'o', 'u', 'n', 'd',
                                       0x61, 'm', 0x61, 'x', 0x61, 'c', 0x63, 'r', 'd', 'y'};
  auto e = decode_stream_error_cbor(m);
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(e->code, "NotFound");
  EXPECT_EQ(e->message, "x");
  EXPECT_EQ(e->client_token, "rdy");
}

}  // namespace
}  // namespace otter::protocol
