// One record of the update-state log: where the bootloader is in an update,
// which image is where, and the anti-rollback floor. Records are encoded into
// a fixed 256-byte header protected by a CRC-32, so a torn write is detected
// and ignored instead of trusted.
#pragma once

#include <array>
#include <cstdint>
#include <span>

#include "otter/core/result.h"
#include "otter/core/status.h"
#include "otter/image/image.h"

namespace otter::boot {

// The step the update is at. Install, backup and restore each have their own
// phase so a reset in the middle resumes exactly that step.
enum class Phase : std::uint8_t {
  kIdle = 1,          // app holds a confirmed image
  kInstallRequested,  // the agent staged an image; not yet checked by the bootloader
  kBackingUp,         // copying app -> backup (progress marks per unit)
  kInstalling,        // copying staging -> app (progress marks per unit)
  kTrial,             // new image installed and verified; marks count boot attempts
  kRejected,          // the trial image reported a failed self-test
  kRestoring,         // copying backup -> app (progress marks per unit)
  kRolledBack,        // backup restored; last_error says why
  kInstallFailed,     // staged image refused; app untouched; last_error says why
  kTrialFailed,       // trial image failed but there is no backup: still running it
};

// What the log knows about one stored image.
struct ImageInfo {
  std::uint32_t size = 0;
  std::uint32_t version = 0;      // encoded Version
  std::uint32_t min_version = 0;  // floor this image sets once confirmed
  image::Digest digest{};
};

struct StateRecord {
  std::uint32_t sequence = 0;
  Phase phase = Phase::kIdle;
  bool backup_valid = false;    // backup holds `backup` completely
  Status last_error = Status::kOk;
  std::uint8_t retries = 0;     // copies of this phase redone after a failed verify
  std::uint32_t min_version = 0;  // anti-rollback floor (encoded Version)
  ImageInfo app;
  ImageInfo backup;
  ImageInfo staged;
  std::array<std::uint8_t, image::kMaxSignatureSize> signature{};
  std::uint8_t signature_size = 0;
};

inline constexpr std::uint32_t kRecordMagic = 0x5342544F;  // "OTBS" little-endian
inline constexpr std::uint8_t kRecordFormat = 1;
inline constexpr std::size_t kRecordSize = 256;

void encode_record(const StateRecord& record, std::span<std::uint8_t, kRecordSize> out);
// kCorrupt when magic, format, CRC or a field value is wrong.
Result<StateRecord> decode_record(std::span<const std::uint8_t, kRecordSize> bytes);

}  // namespace otter::boot
