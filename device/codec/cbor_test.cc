#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <string>
#include <vector>

#include "otter/codec/cbor.h"

namespace otter::codec {
namespace {

std::span<const std::uint8_t> bytes(const std::vector<std::uint8_t>& v) { return v; }

TEST(CborWriter, UsesShortestHeadForEachIntegerWidth) {
  std::array<std::uint8_t, 32> out{};
  CborWriter w(out);
  w.uint(23).uint(24).uint(0xFF).uint(0x100).uint(0xFFFF).uint(0x10000).uint(0xFFFFFFFF);
  ASSERT_EQ(w.finish().value(), 1u + 2 + 2 + 3 + 3 + 5 + 5);
  const std::uint8_t expected[] = {0x17, 0x18, 0x18, 0x18, 0xFF, 0x19, 0x01, 0x00, 0x19, 0xFF, 0xFF,
                                   0x1A, 0x00, 0x01, 0x00, 0x00, 0x1A, 0xFF, 0xFF, 0xFF, 0xFF};
  EXPECT_TRUE(std::equal(std::begin(expected), std::end(expected), out.begin()));
}

TEST(CborWriter, WritesStringsKeysAndContainerHeads) {
  std::array<std::uint8_t, 64> out{};
  const std::uint8_t blob[] = {1, 2, 3};
  const std::string long_text(24, 'a');
  CborWriter w(out);
  w.map(2).key('k').text("hi").key('b').array(1).bytes(blob);
  w.text(long_text);
  ASSERT_EQ(w.finish().value(), 1u + 2 + 3 + 2 + 1 + 4 + 2 + 24);
  const std::uint8_t expected[] = {0xA2, 0x61, 'k', 0x62, 'h', 'i', 0x61, 'b', 0x81, 0x43, 1, 2, 3, 0x78, 24, 'a'};
  EXPECT_TRUE(std::equal(std::begin(expected), std::end(expected), out.begin()));
}

TEST(CborWriter, ReportsOverflowInsteadOfWritingPastTheBuffer) {
  std::array<std::uint8_t, 6> out{};
  out.back() = 0xEE;
  CborWriter w(std::span<std::uint8_t>(out).first(5));
  w.text("hello");
  EXPECT_EQ(w.finish().status(), Status::kBufferTooSmall);
  EXPECT_EQ(out.back(), 0xEE);
  CborWriter exact(std::span<std::uint8_t>(out).first(5));
  exact.uint(0x10000);
  EXPECT_EQ(exact.finish().value(), 5u);
  CborWriter one_short(std::span<std::uint8_t>(out).first(4));
  one_short.uint(0x10000);
  EXPECT_EQ(one_short.finish().status(), Status::kBufferTooSmall);
}

TEST(CborReader, ReadsTextAndBytesInPlace) {
  const std::vector<std::uint8_t> in = {0x62, 'h', 'i', 0x42, 1, 2};
  CborReader r(bytes(in));
  CborItem t, b;
  ASSERT_EQ(r.next(t), Status::kOk);
  EXPECT_EQ(t.type, CborType::kText);
  EXPECT_EQ(t.text(), "hi");
  ASSERT_EQ(r.next(b), Status::kOk);
  EXPECT_EQ(b.type, CborType::kBytes);
  EXPECT_EQ(b.data.data(), in.data() + 4);
  EXPECT_TRUE(r.at_end());
}

TEST(CborReader, ReadsEveryHeadWidthAndMajorType) {
  // 0, 24 (1 byte), 0x100 (2), 0x10000 (4), 2^32 + 7 (8), 5 (8, not minimal),
  // -1, [], {}, false, 1.0 (f64)
  const std::vector<std::uint8_t> in = {0x00, 0x18, 0x18, 0x19, 0x01, 0x00, 0x1A, 0x00, 0x01, 0x00, 0x00, 0x1B,
                                        0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x07, 0x1B, 0x00, 0x00, 0x00,
                                        0x00, 0x00, 0x00, 0x00, 0x05, 0x20, 0x80, 0xA0, 0xF4, 0xFB, 0x3F, 0xF0,
                                        0x00, 0x00, 0x00, 0x00, 0x00, 0x00};
  const struct {
    CborType type;
    std::uint32_t value;
    bool wide;
  } expected[] = {{CborType::kUnsigned, 0, false},       {CborType::kUnsigned, 24, false},
                  {CborType::kUnsigned, 0x100, false},   {CborType::kUnsigned, 0x10000, false},
                  {CborType::kUnsigned, 7, true},        {CborType::kUnsigned, 5, false},
                  {CborType::kNegative, 0, false},       {CborType::kArray, 0, false},
                  {CborType::kMap, 0, false},            {CborType::kSimple, 20, false},
                  {CborType::kSimple, 0, true}};
  CborReader r(bytes(in));
  for (const auto& e : expected) {
    CborItem item;
    ASSERT_EQ(r.next(item), Status::kOk);
    EXPECT_EQ(item.type, e.type);
    EXPECT_EQ(item.value, e.value);
    EXPECT_EQ(item.wide, e.wide);
  }
  EXPECT_TRUE(r.at_end());
  CborItem past;
  EXPECT_EQ(r.next(past), Status::kMalformed);
}

TEST(CborReader, RefusesStringLengthsAndCountsPast32Bits) {
  for (const std::uint8_t major : {0x40, 0x60, 0x80, 0xA0}) {
    // Length or count 2^32 + 1: its low half alone would fit the input.
    const std::vector<std::uint8_t> in = {static_cast<std::uint8_t>(major | 27), 0, 0, 0, 1, 0, 0, 0, 1, 0x00, 0x00};
    CborReader r(bytes(in));
    CborItem item;
    EXPECT_EQ(r.next(item), Status::kMalformed) << int{major};
  }
}

TEST(CborReader, RefusesIndefiniteLengths) {
  const std::vector<std::uint8_t> in = {0x5F, 0x41, 0x00, 0xFF};
  CborReader r(bytes(in));
  CborItem item;
  EXPECT_EQ(r.next(item), Status::kUnsupported);
}

TEST(CborReader, RefusesStringLengthPastTheInput) {
  const std::vector<std::uint8_t> in = {0x5A, 0xFF, 0xFF, 0xFF, 0xFF, 1, 2};
  CborReader r(bytes(in));
  CborItem item;
  EXPECT_EQ(r.next(item), Status::kMalformed);
}

TEST(CborReader, RefusesTruncatedIntegerHead) {
  const std::vector<std::uint8_t> in = {0x1A, 0x00, 0x01};
  CborReader r(bytes(in));
  CborItem item;
  EXPECT_EQ(r.next(item), Status::kMalformed);
}

TEST(CborReader, RefusesTags) {
  const std::vector<std::uint8_t> in = {0xC1, 0x00};
  CborReader r(bytes(in));
  CborItem item;
  EXPECT_EQ(r.next(item), Status::kUnsupported);
}

TEST(CborReader, SkipsNestedContainersWithinTheDepthLimit) {
  const std::vector<std::uint8_t> in = {0xA1, 0x61, 'x', 0x82, 0x01, 0xA1, 0x01, 0x02, 0x07};
  CborReader r(bytes(in));
  CborItem map, last;
  ASSERT_EQ(r.next(map), Status::kOk);
  ASSERT_EQ(r.skip(map), Status::kOk);
  ASSERT_EQ(r.next(last), Status::kOk);
  EXPECT_EQ(last.value, 7u);
}

TEST(CborReader, RefusesNestingPastTheLimit) {
  std::vector<std::uint8_t> in(CborReader::kMaxDepth + 2, 0x81);
  in.push_back(0x00);
  CborReader r(bytes(in));
  CborItem outer;
  ASSERT_EQ(r.next(outer), Status::kOk);
  EXPECT_EQ(r.skip(outer), Status::kUnsupported);
}

TEST(CborReader, SkipsExactlyDownToTheDepthLimit) {
  for (int containers = 1; containers <= CborReader::kMaxDepth + 1; ++containers) {
    // Arrays and maps alternating, each holding the next, the innermost a 0;
    // then a 7 after the outermost.
    std::vector<std::uint8_t> in;
    for (int i = 0; i < containers; ++i) {
      if (i % 2 == 0) {
        in.push_back(0x81);
      } else {
        in.insert(in.end(), {0xA1, 0x61, 'k'});
      }
    }
    in.push_back(0x00);
    in.push_back(0x07);
    CborReader r(bytes(in));
    CborItem outer, last;
    ASSERT_EQ(r.next(outer), Status::kOk);
    if (containers > CborReader::kMaxDepth) {
      EXPECT_EQ(r.skip(outer), Status::kUnsupported) << containers;
      continue;
    }
    ASSERT_EQ(r.skip(outer), Status::kOk) << containers;
    ASSERT_EQ(r.next(last), Status::kOk);
    EXPECT_EQ(last.value, 7u);
    EXPECT_TRUE(r.at_end());
  }
}

TEST(CborReader, SkipsSiblingsAfterNestedContainers) {
  // [[1, {"a": [2, 3]}], {}, [], 4] then 9
  const std::vector<std::uint8_t> in = {0x84, 0x82, 0x01, 0xA1, 0x61, 'a', 0x82, 0x02, 0x03, 0xA0, 0x80, 0x04, 0x09};
  CborReader r(bytes(in));
  CborItem outer, last;
  ASSERT_EQ(r.next(outer), Status::kOk);
  ASSERT_EQ(r.skip(outer), Status::kOk);
  ASSERT_EQ(r.next(last), Status::kOk);
  EXPECT_EQ(last.value, 9u);
  EXPECT_TRUE(r.at_end());
  // Cut anywhere inside, the skip fails instead of reading past the input.
  for (std::size_t n = 1; n < in.size() - 1; ++n) {
    const std::vector<std::uint8_t> cut(in.begin(), in.begin() + static_cast<std::ptrdiff_t>(n));
    CborReader c(bytes(cut));
    CborItem head;
    ASSERT_EQ(c.next(head), Status::kOk);
    EXPECT_NE(c.skip(head), Status::kOk) << n;
  }
}

TEST(CborReader, RefusesContainerCountLargerThanTheInput) {
  const std::vector<std::uint8_t> in = {0xBA, 0x7F, 0xFF, 0xFF, 0xFF, 0x00};
  CborReader r(bytes(in));
  CborItem map;
  ASSERT_EQ(r.next(map), Status::kOk);
  EXPECT_EQ(r.skip(map), Status::kMalformed);
}

}  // namespace
}  // namespace otter::codec
