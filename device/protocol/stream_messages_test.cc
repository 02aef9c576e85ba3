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
