#include "otter/streams/get_stream.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace otter::streams {
namespace {

using Bytes = std::vector<std::uint8_t>;

// {"c":"rdy","f":0,"l":4096,"o":0,"b":h'FF',"n":8}, written out by hand.
const Bytes kAgentRequest = {0xA6, 0x61, 'c', 0x63, 'r', 'd', 'y', 0x61, 'f', 0x00, 0x61, 'l', 0x19, 0x10, 0x00,
                             0x61, 'o', 0x00, 0x61, 'b', 0x41, 0xFF, 0x61, 'n', 0x08};

GetStreamRequest request_of(const ParsedRequest& p) {
  EXPECT_TRUE(std::holds_alternative<GetStreamRequest>(p)) << std::get<StreamError>(p).message;
  return std::get<GetStreamRequest>(p);
}

std::string error_code_of(const ParsedRequest& p) {
  return std::holds_alternative<StreamError>(p) ? std::get<StreamError>(p).code : "accepted";
}

std::vector<std::uint32_t> blocks_of(const GetStreamRequest& r, std::int64_t size) {
  auto plan = plan_blocks(r, size);
  EXPECT_TRUE(std::holds_alternative<std::vector<std::uint32_t>>(plan)) << std::get<StreamError>(plan).message;
  return std::get<std::vector<std::uint32_t>>(plan);
}

std::string plan_error(const GetStreamRequest& r, std::int64_t size) {
  auto plan = plan_blocks(r, size);
  return std::holds_alternative<StreamError>(plan) ? std::get<StreamError>(plan).code : "accepted";
}

TEST(GetStreamCbor, ParsesTheAwsAgentsRequest) {
  auto r = request_of(parse_get_stream_cbor(kAgentRequest));
  EXPECT_EQ(r.client_token, "rdy");
  EXPECT_EQ(r.file_id, 0);
  EXPECT_EQ(r.block_size, 4096);
  EXPECT_EQ(r.block_offset, 0);
  EXPECT_EQ(r.bitmap, Bytes{0xFF});
  EXPECT_EQ(r.number_of_blocks, 8);
}

TEST(GetStreamCbor, RejectsMalformedInputWithInvalidCbor) {
  EXPECT_EQ(error_code_of(parse_get_stream_cbor(Bytes{})), "InvalidCbor");
  EXPECT_EQ(error_code_of(parse_get_stream_cbor(Bytes{0xA6, 0x61})), "InvalidCbor");
  EXPECT_EQ(error_code_of(parse_get_stream_cbor(Bytes{0x80})), "InvalidCbor");  // an array
  Bytes trailing = kAgentRequest;
  trailing.push_back(0x00);
  EXPECT_EQ(error_code_of(parse_get_stream_cbor(trailing)), "InvalidCbor");
}

TEST(GetStreamCbor, RejectsWrongTypesAndDuplicates) {
  // {"f":-1,"l":4096}
  EXPECT_EQ(error_code_of(parse_get_stream_cbor(Bytes{0xA2, 0x61, 'f', 0x20, 0x61, 'l', 0x19, 0x10, 0x00})),
            "InvalidCbor");
  // {"f":0,"f":1,"l":4096}
  EXPECT_EQ(error_code_of(parse_get_stream_cbor(
                Bytes{0xA3, 0x61, 'f', 0x00, 0x61, 'f', 0x01, 0x61, 'l', 0x19, 0x10, 0x00})),
            "InvalidCbor");
  // {"b":"text","f":0,"l":4096}
  EXPECT_EQ(error_code_of(parse_get_stream_cbor(
                Bytes{0xA3, 0x61, 'b', 0x61, 'x', 0x61, 'f', 0x00, 0x61, 'l', 0x19, 0x10, 0x00})),
            "InvalidCbor");
}

TEST(GetStreamCbor, RefusesHeadersAnnouncingMoreThanTheMessageHolds) {
  // A map "of 2^26 pairs" in six bytes: libcbor would allocate a gigabyte for it.
  EXPECT_EQ(error_code_of(parse_get_stream_cbor(Bytes{0xBA, 0x04, 0x00, 0x00, 0x00, 0x61})), "InvalidCbor");
  // A byte string longer than the message, deep nesting, an indefinite map.
  EXPECT_EQ(error_code_of(parse_get_stream_cbor(Bytes{0xA1, 0x61, 'b', 0x5A, 0xFF, 0xFF, 0xFF, 0xFF})), "InvalidCbor");
  EXPECT_EQ(error_code_of(parse_get_stream_cbor(Bytes(40, 0x81))), "InvalidCbor");
  EXPECT_EQ(error_code_of(parse_get_stream_cbor(Bytes{0xBF, 0x61, 'f', 0x00, 0xFF})), "InvalidCbor");
}

TEST(GetStreamCbor, RequiresFileIdAndBlockSize) {
  // {"l":4096}
  EXPECT_EQ(error_code_of(parse_get_stream_cbor(Bytes{0xA1, 0x61, 'l', 0x19, 0x10, 0x00})), "InvalidRequestException");
}

TEST(GetStreamCbor, RefusesOversizedRequests) {
  Bytes huge(20000, 0x00);
  EXPECT_EQ(error_code_of(parse_get_stream_cbor(huge)), "InvalidCbor");
}

TEST(GetStreamJson, ParsesNumbersAndDecimalStringsAndBase64Bitmaps) {
  auto r = request_of(parse_get_stream_json(R"({"c":"t1","f":"1","l":1024,"o":2,"b":"Aw==","n":2})"));
  EXPECT_EQ(r.file_id, 1);
  EXPECT_EQ(r.block_size, 1024);
  EXPECT_EQ(r.block_offset, 2);
  EXPECT_EQ(r.bitmap, Bytes{0x03});
}

TEST(GetStreamJson, RejectsMalformedJsonAndBadFields) {
  EXPECT_EQ(error_code_of(parse_get_stream_json("{")), "InvalidJson");
  EXPECT_EQ(error_code_of(parse_get_stream_json("[]")), "InvalidJson");
  EXPECT_EQ(error_code_of(parse_get_stream_json(R"({"f":-1,"l":1024})")), "InvalidRequestException");
  EXPECT_EQ(error_code_of(parse_get_stream_json(R"({"f":0,"l":1024,"b":"%%%"})")), "InvalidRequestException");
  EXPECT_EQ(error_code_of(parse_get_stream_json(R"({"f":0,"l":1024,"c":")" + std::string(70, 'x') + "\"}")),
            "InvalidRequestException");
}

TEST(BlockPlan, ServesTheWantedBlocksOfTheBitmapUpToN) {
  GetStreamRequest r;
  r.block_size = 256;
  r.bitmap = Bytes{0b10100110, 0xFF};
  r.number_of_blocks = 4;
  EXPECT_EQ(blocks_of(r, 256 * 16), (std::vector<std::uint32_t>{1, 2, 5, 7}));
}

TEST(BlockPlan, BitmapBitsCountFromTheOffset) {
  GetStreamRequest r;
  r.block_size = 256;
  r.block_offset = 8;
  r.bitmap = Bytes{0x01};
  r.number_of_blocks = 1;
  EXPECT_EQ(blocks_of(r, 256 * 16), (std::vector<std::uint32_t>{8}));
}

TEST(BlockPlan, BitsPastTheEndOfTheFileAreIgnored) {
  GetStreamRequest r;
  r.block_size = 1024;
  r.bitmap = Bytes{0xFF};
  r.number_of_blocks = 8;
  EXPECT_EQ(blocks_of(r, 2500), (std::vector<std::uint32_t>{0, 1, 2}));  // 3 blocks, last one short
}

TEST(BlockPlan, WithoutABitmapSendsNBlocksFromTheOffset) {
  GetStreamRequest r;
  r.block_size = 256;
  r.block_offset = 3;
  r.number_of_blocks = 2;
  EXPECT_EQ(blocks_of(r, 256 * 10), (std::vector<std::uint32_t>{3, 4}));
  r.number_of_blocks.reset();
  EXPECT_EQ(blocks_of(r, 256 * 10), (std::vector<std::uint32_t>{3}));
}

TEST(BlockPlan, RefusesAbsurdRequests) {
  GetStreamRequest r;
  r.block_size = 100;
  EXPECT_EQ(plan_error(r, 5000), "BlockSizeOutOfBounds");
  r.block_size = 256 * 1024;
  EXPECT_EQ(plan_error(r, 5000), "BlockSizeOutOfBounds");
  r.block_size = 1024;
  r.block_offset = 5;
  EXPECT_EQ(plan_error(r, 5000), "OffsetOutOfBounds");
  r.block_offset = 0;
  r.number_of_blocks = 129;
  EXPECT_EQ(plan_error(r, 500000), "BlockCountLimitExceeded");
  r.number_of_blocks = 0;
  EXPECT_EQ(plan_error(r, 5000), "InvalidRequestException");
  r.number_of_blocks = 1;
  r.bitmap = Bytes{0x00, 0x00};
  EXPECT_EQ(plan_error(r, 5000), "InvalidRequestException");
}

TEST(DataBlock, CborIsTheFourKeyMapTheAgentDecodes) {
  Bytes payload{1, 2, 3};
  EXPECT_EQ(encode_data_block(Format::Cbor, 0, 1, payload),
            (Bytes{0xA4, 0x61, 'f', 0x00, 0x61, 'i', 0x01, 0x61, 'l', 0x03, 0x61, 'p', 0x43, 1, 2, 3}));
}

TEST(DataBlock, JsonCarriesTheBlockInBase64) {
  Bytes payload{'h', 'i', '!'};
  auto out = encode_data_block(Format::Json, 2, 300, payload);
  EXPECT_EQ(std::string(out.begin(), out.end()), R"({"f":2,"i":300,"l":3,"p":"aGkh"})");
}

TEST(StreamErrorMessage, CborHasCodeMessageAndToken) {
  auto out = encode_stream_error(Format::Cbor, {"OffsetOutOfBounds", "m", "rdy"});
  Bytes expected{0xA3, 0x61, 'o', 0x71};
  for (char c : std::string("OffsetOutOfBounds")) expected.push_back(static_cast<std::uint8_t>(c));
  for (std::uint8_t b : Bytes{0x61, 'm', 0x61, 'm', 0x61, 'c', 0x63, 'r', 'd', 'y'}) expected.push_back(b);
  EXPECT_EQ(out, expected);
}

TEST(GetStreamJson, RefusesABitmapThatIsNotBase64) {
  for (const char* bitmap : {"Zm9vYg=", "Zm=vYg==", "Zm9v*Yg=="}) {
    EXPECT_EQ(error_code_of(parse_get_stream_json(std::string(R"({"c":"t","f":1,"l":1024,"o":0,"b":")") + bitmap +
                                                  R"("})")),
              "InvalidRequestException")
        << bitmap;
  }
}

TEST(DataBlockJson, CarriesThePayloadAsStandardBase64) {
  const auto out = encode_data_block(Format::Json, 1, 0, Bytes{'f', 'o', 'o', 'b'});
  EXPECT_EQ(nlohmann::json::parse(out)["p"], "Zm9vYg==");
}

}  // namespace
}  // namespace otter::streams
