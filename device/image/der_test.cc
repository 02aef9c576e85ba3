#include "der.h"

#include <gtest/gtest.h>

#include <vector>

namespace otter::image::der {
namespace {

using Bytes = std::vector<std::uint8_t>;

Bytes signature(Bytes r, Bytes s) {
  Bytes body{kInteger, static_cast<std::uint8_t>(r.size())};
  body.insert(body.end(), r.begin(), r.end());
  body.push_back(kInteger);
  body.push_back(static_cast<std::uint8_t>(s.size()));
  body.insert(body.end(), s.begin(), s.end());
  Bytes der{kSequence, static_cast<std::uint8_t>(body.size())};
  der.insert(der.end(), body.begin(), body.end());
  return der;
}

TEST(DerSignature, DecodesShortAndFullWidthScalars) {
  Bytes r32(32, 0x11);
  Bytes s33(33, 0x22);
  s33[0] = 0x00;  // high bit of the next byte set: the leading zero is required
  s33[1] = 0x80;
  const auto sig = decode_signature(signature({0x05}, s33));
  ASSERT_TRUE(sig.ok());
  EXPECT_EQ(sig->r[31], 0x05);
  EXPECT_EQ(sig->r[0], 0x00);
  EXPECT_EQ(sig->s[0], 0x80);
  EXPECT_EQ(sig->s[31], 0x22);
  EXPECT_TRUE(decode_signature(signature(r32, {0x01})).ok());
}

TEST(DerSignature, RejectsNegativeInteger) {
  EXPECT_EQ(decode_signature(signature({0x80, 0x01}, {0x01})).status(), Status::kMalformed);
}

TEST(DerSignature, RejectsNonMinimalInteger) {
  EXPECT_EQ(decode_signature(signature({0x00, 0x01}, {0x01})).status(), Status::kMalformed);
}

TEST(DerSignature, RejectsScalarWiderThan32Bytes) {
  Bytes wide(33, 0x11);
  EXPECT_EQ(decode_signature(signature(wide, {0x01})).status(), Status::kMalformed);
}

TEST(DerSignature, RejectsEmptyInteger) {
  EXPECT_EQ(decode_signature(signature({}, {0x01})).status(), Status::kMalformed);
}

TEST(DerSignature, RejectsTrailingBytes) {
  Bytes der = signature({0x01}, {0x01});
  der.push_back(0x00);
  EXPECT_EQ(decode_signature(der).status(), Status::kMalformed);
}

TEST(DerSignature, RejectsExtraElementInSequence) {
  Bytes der = signature({0x01}, {0x01});
  der.insert(der.end(), {kInteger, 1, 0x01});
  der[1] = static_cast<std::uint8_t>(der.size() - 2);
  EXPECT_EQ(decode_signature(der).status(), Status::kMalformed);
}

TEST(DerSignature, RejectsEveryTruncation) {
  const Bytes der = signature(Bytes(32, 0x33), Bytes(32, 0x44));
  for (std::size_t n = 0; n < der.size(); ++n) {
    EXPECT_EQ(decode_signature(std::span<const std::uint8_t>(der).first(n)).status(), Status::kMalformed) << n;
  }
}

TEST(DerSignature, RejectsNonMinimalLength) {
  Bytes der = signature({0x01}, {0x01});
  Bytes long_form{kSequence, 0x81, der[1]};
  long_form.insert(long_form.end(), der.begin() + 2, der.end());
  EXPECT_EQ(decode_signature(long_form).status(), Status::kMalformed);
}

TEST(DerSignature, RejectsIndefiniteLength) {
  EXPECT_EQ(decode_signature(Bytes{kSequence, 0x80, kInteger, 1, 1, kInteger, 1, 1, 0, 0}).status(), Status::kMalformed);
}

TEST(DerReader, LengthBeyondInputIsMalformed) {
  const Bytes der{kSequence, 0x82, 0x01, 0x00, 0x01};
  Reader reader(der);
  EXPECT_EQ(reader.read(kSequence).status(), Status::kMalformed);
}

TEST(DerReader, WrongTagIsMalformedAndDoesNotAdvance) {
  const Bytes der{kInteger, 1, 7};
  Reader reader(der);
  EXPECT_EQ(reader.read(kSequence).status(), Status::kMalformed);
  EXPECT_TRUE(reader.read(kInteger).ok());
  EXPECT_TRUE(reader.at_end());
}

}  // namespace
}  // namespace otter::image::der
