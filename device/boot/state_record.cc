#include "otter/boot/state_record.h"

#include <cstring>

#include "otter/core/crc32.h"

namespace otter::boot {

namespace {

// Byte layout (little-endian), documented in docs/bootloader.md.
constexpr std::size_t kAppOffset = 20;
constexpr std::size_t kBackupOffset = 64;
constexpr std::size_t kStagedOffset = 108;
constexpr std::size_t kSignatureOffset = 152;
constexpr std::size_t kCrcOffset = kRecordSize - 4;
constexpr std::size_t kImageInfoSize = 12 + 32;

void put32(std::uint8_t* p, std::uint32_t v) {
  p[0] = static_cast<std::uint8_t>(v);
  p[1] = static_cast<std::uint8_t>(v >> 8);
  p[2] = static_cast<std::uint8_t>(v >> 16);
  p[3] = static_cast<std::uint8_t>(v >> 24);
}

std::uint32_t get32(const std::uint8_t* p) {
  return static_cast<std::uint32_t>(p[0]) | (static_cast<std::uint32_t>(p[1]) << 8) |
         (static_cast<std::uint32_t>(p[2]) << 16) | (static_cast<std::uint32_t>(p[3]) << 24);
}

void put_info(std::uint8_t* p, const ImageInfo& info) {
  put32(p, info.size);
  put32(p + 4, info.version);
  put32(p + 8, info.min_version);
  std::memcpy(p + 12, info.digest.data(), info.digest.size());
}

ImageInfo get_info(const std::uint8_t* p) {
  ImageInfo info;
  info.size = get32(p);
  info.version = get32(p + 4);
  info.min_version = get32(p + 8);
  std::memcpy(info.digest.data(), p + 12, info.digest.size());
  return info;
}

static_assert(kSignatureOffset + image::kMaxSignatureSize <= kCrcOffset);
static_assert(kStagedOffset + kImageInfoSize == kSignatureOffset);

}  // namespace

void encode_record(const StateRecord& record, std::span<std::uint8_t, kRecordSize> out) {
  std::uint8_t* p = out.data();
  std::memset(p, 0, kRecordSize);
  put32(p, kRecordMagic);
  p[4] = kRecordFormat;
  p[5] = static_cast<std::uint8_t>(record.phase);
  p[6] = record.backup_valid ? 1 : 0;
  p[7] = static_cast<std::uint8_t>(record.last_error);
  put32(p + 8, record.sequence);
  put32(p + 12, record.min_version);
  p[16] = record.retries;
  p[17] = record.signature_size;
  put_info(p + kAppOffset, record.app);
  put_info(p + kBackupOffset, record.backup);
  put_info(p + kStagedOffset, record.staged);
  std::memcpy(p + kSignatureOffset, record.signature.data(), record.signature.size());
  put32(p + kCrcOffset, crc32(std::span<const std::uint8_t>(p, kCrcOffset)));
}

Result<StateRecord> decode_record(std::span<const std::uint8_t, kRecordSize> bytes) {
  const std::uint8_t* p = bytes.data();
  if (get32(p) != kRecordMagic || p[4] != kRecordFormat) return Status::kCorrupt;
  if (get32(p + kCrcOffset) != crc32(std::span<const std::uint8_t>(p, kCrcOffset))) return Status::kCorrupt;
  if (p[5] < static_cast<std::uint8_t>(Phase::kIdle) || p[5] > static_cast<std::uint8_t>(Phase::kTrialFailed) ||
      p[6] > 1 || p[7] > static_cast<std::uint8_t>(Status::kInternal) || p[17] > image::kMaxSignatureSize ||
      get32(p + 8) == 0 || get32(p + 8) == 0xFFFFFFFF) {  // sequences start at 1 and can never wrap
    return Status::kCorrupt;
  }
  StateRecord record;
  record.phase = static_cast<Phase>(p[5]);
  record.backup_valid = p[6] == 1;
  record.last_error = static_cast<Status>(p[7]);
  record.sequence = get32(p + 8);
  record.min_version = get32(p + 12);
  record.retries = p[16];
  record.signature_size = p[17];
  record.app = get_info(p + kAppOffset);
  record.backup = get_info(p + kBackupOffset);
  record.staged = get_info(p + kStagedOffset);
  std::memcpy(record.signature.data(), p + kSignatureOffset, record.signature.size());
  return record;
}

}  // namespace otter::boot
