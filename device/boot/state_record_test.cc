#include "otter/boot/state_record.h"

#include <gtest/gtest.h>

#include <array>

namespace otter::boot {
namespace {

StateRecord sample() {
  StateRecord r;
  r.sequence = 42;
  r.phase = Phase::kInstalling;
  r.backup_valid = true;
  r.last_error = Status::kBadSignature;
  r.retries = 1;
  r.min_version = 0x01020003;
  r.app = ImageInfo{4096, 0x01000000, 0x01000000, {}};
  r.app.digest.fill(0xA1);
  r.backup.size = 8192;
  r.backup.digest.fill(0xB2);
  r.staged.size = 12288;
  r.staged.version = 0x01000001;
  r.staged.digest.fill(0xC3);
  r.signature.fill(0x5A);
  r.signature_size = 71;
  return r;
}

TEST(StateRecord, RoundTripsEveryField) {
  std::array<std::uint8_t, kRecordSize> bytes{};
  encode_record(sample(), bytes);
  auto decoded = decode_record(bytes);
  ASSERT_TRUE(decoded.ok());
  const StateRecord& r = *decoded;
  const StateRecord s = sample();
  EXPECT_EQ(r.sequence, s.sequence);
  EXPECT_EQ(r.phase, s.phase);
  EXPECT_EQ(r.backup_valid, s.backup_valid);
  EXPECT_EQ(r.last_error, s.last_error);
  EXPECT_EQ(r.retries, s.retries);
  EXPECT_EQ(r.min_version, s.min_version);
  EXPECT_EQ(r.app.digest, s.app.digest);
  EXPECT_EQ(r.app.size, s.app.size);
  EXPECT_EQ(r.backup.digest, s.backup.digest);
  EXPECT_EQ(r.staged.version, s.staged.version);
  EXPECT_EQ(r.staged.digest, s.staged.digest);
  EXPECT_EQ(r.signature, s.signature);
  EXPECT_EQ(r.signature_size, s.signature_size);
}

TEST(StateRecord, AnySingleBitFlipIsDetected) {
  std::array<std::uint8_t, kRecordSize> bytes{};
  encode_record(sample(), bytes);
  for (std::size_t bit = 0; bit < kRecordSize * 8; ++bit) {
    auto copy = bytes;
    copy[bit / 8] ^= static_cast<std::uint8_t>(1u << (bit % 8));
    EXPECT_EQ(decode_record(copy).status(), Status::kCorrupt) << "bit " << bit;
  }
}

TEST(StateRecord, ErasedFlashIsNotARecord) {
  std::array<std::uint8_t, kRecordSize> bytes{};
  bytes.fill(0xFF);
  EXPECT_EQ(decode_record(bytes).status(), Status::kCorrupt);
}

}  // namespace
}  // namespace otter::boot
