#include <gtest/gtest.h>

#include <array>
#include <string>

#include "otter/codec/json_reader.h"
#include "otter/codec/json_writer.h"

namespace otter::codec {
namespace {

struct Parsed {
  std::array<jsmntok_t, 64> tokens{};
  JsonDocument doc;
  Status status;
  explicit Parsed(std::string_view text) : status(doc.parse(text, tokens)) {}
};

TEST(JsonDocument, FindsMembersBySkippingNestedValues) {
  Parsed p(R"({"a":{"x":[1,2,{"y":3}]},"b":"two","c":7})");
  ASSERT_EQ(p.status, Status::kOk);
  EXPECT_EQ(p.doc.plain_string(p.doc.find(0, "b")).value(), "two");
  EXPECT_EQ(p.doc.unsigned_value(p.doc.find(0, "c")).value(), 7u);
  EXPECT_EQ(p.doc.find(0, "y"), JsonDocument::kNone);
}

TEST(JsonDocument, SkipsWholeSubtrees) {
  Parsed p(R"({"a":[{"k":1},{"k":2}],"b":3})");
  ASSERT_EQ(p.status, Status::kOk);
  const int second = p.doc.skip(p.doc.find(0, "a") + 1);
  EXPECT_EQ(p.doc.unsigned_value(p.doc.find(second, "k")).value(), 2u);
  EXPECT_EQ(p.doc.raw(p.doc.skip(second)), "b");
}

TEST(JsonDocument, RefusesTrailingGarbage) {
  Parsed p(R"({"a":1}x)");
  EXPECT_EQ(p.status, Status::kMalformed);
}

TEST(JsonDocument, RefusesNonObjectRoot) {
  Parsed p(R"([1,2])");
  EXPECT_EQ(p.status, Status::kMalformed);
}

TEST(JsonDocument, ReportsTooManyTokens) {
  std::string big = "{\"a\":[";
  for (int i = 0; i < 100; ++i) big += "1,";
  big += "1]}";
  Parsed p(big);
  EXPECT_EQ(p.status, Status::kBufferTooSmall);
}

TEST(JsonDocument, RefusesNumbersOutOfRange) {
  Parsed p(R"({"a":4294967296,"b":-1,"c":1.5,"d":4294967295,"e":4294967299,"f":42949672950})");
  ASSERT_EQ(p.status, Status::kOk);
  EXPECT_EQ(p.doc.unsigned_value(p.doc.find(0, "a")).status(), Status::kMalformed);
  EXPECT_EQ(p.doc.unsigned_value(p.doc.find(0, "b")).status(), Status::kMalformed);
  EXPECT_EQ(p.doc.unsigned_value(p.doc.find(0, "c")).status(), Status::kMalformed);
  EXPECT_EQ(p.doc.unsigned_value(p.doc.find(0, "d")).value(), 4294967295u);
  EXPECT_EQ(p.doc.unsigned_value(p.doc.find(0, "e")).status(), Status::kMalformed);
  EXPECT_EQ(p.doc.unsigned_value(p.doc.find(0, "f")).status(), Status::kMalformed);
}

TEST(JsonWriter, WritesCompactObjectsWithEscapes) {
  std::array<char, 64> out{};
  JsonWriter w(out);
  w.begin_object().key("a").string("x\"y").key("b").begin_object().key("c").number(12).end_object().end_object();
  auto n = w.finish();
  ASSERT_TRUE(n.ok());
  EXPECT_EQ(std::string(out.data(), *n), R"({"a":"x\"y","b":{"c":12}})");
}

TEST(JsonWriter, ReportsOverflow) {
  std::array<char, 8> out{};
  JsonWriter w(out);
  w.begin_object().key("long key").string("value").end_object();
  EXPECT_EQ(w.finish().status(), Status::kBufferTooSmall);
}

}  // namespace
}  // namespace otter::codec
