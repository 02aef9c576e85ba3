// CONTRACT HEADER (written before the implementation; the boot module's owner
// may extend it but must keep these names and meanings: the agent uses them).
//
// What the application and the OTA agent use to talk to the bootloader. State
// lives in a power-fail-safe append-only log (boot_state partition), never in
// an erase-then-rewrite header.
#pragma once

#include <array>
#include <cstdint>

#include "otter/core/result.h"
#include "otter/core/version.h"
#include "otter/flash/partition.h"
#include "otter/image/image.h"

namespace otter::boot {

enum class Mode : std::uint8_t {
  kBackup,     // default: back up the running image, roll back if unconfirmed
  kNoBackup,   // the seed's NVT_OTA_WITHOUT_BACKUP_BANK: power-fail safe, no rollback
  kSdStaging,  // NuMaker-M2354: staging on an SD card (block device)
};

// The partitions of one board; filled by the board profile.
struct Layout {
  flash::Partition app;         // internal flash where the running image executes
  flash::Partition staging;     // where the agent downloads the new image
  flash::Partition backup;      // copy of the previous image (kBackup only)
  flash::Partition boot_state;  // two or more erase units: the update state log
  flash::Partition download;    // the agent's download record (block bitmap); owned by the agent
  Mode mode = Mode::kBackup;
  std::uint32_t hardware_id = 0;
  std::uint8_t max_boot_attempts = 1;  // unconfirmed boots before rolling back
};

// What the agent hands over once the staged image is complete and verified.
struct InstallRequest {
  std::uint32_t image_size = 0;
  image::Digest digest{};
  std::array<std::uint8_t, image::kMaxSignatureSize> signature{};
  std::uint8_t signature_size = 0;
  Version version;
};

enum class State : std::uint8_t {
  kIdle,              // running a confirmed image, nothing pending
  kInstallRequested,  // staged image ready; installed at next reset
  kTrial,             // new image running, not yet confirmed
  kRolledBack,        // last update was rolled back; see last_error
  kInstallFailed,     // staged image refused by the bootloader; see last_error
  // Added by the boot module: a trial image was not confirmed (or was rejected)
  // in no-backup mode. Nothing to roll back to, so it keeps running; see last_error.
  kTrialFailed,
};

struct BootStatus {
  State state = State::kIdle;
  Version running;           // version of the image in `app`
  Version previous;          // version before the last update (backup)
  Status last_error = Status::kOk;  // why the last update was rolled back / refused
  std::uint8_t boot_attempts = 0;
  std::uint32_t min_version = 0;    // anti-rollback floor (encoded Version)
};

class BootControl {
 public:
  BootControl(const Layout& layout, const image::PublicKey& key) : layout_(layout), key_(key) {}

  // The staged image is complete and its signature verified by the agent; the
  // bootloader installs it at the next reset. Refuses downgrades below the floor.
  Status request_install(const InstallRequest& request);
  // The running trial image passed its self-test: keep it.
  Status confirm();
  // The running trial image failed its self-test: roll back at the next reset.
  Status reject(Status reason);
  Result<BootStatus> status();

 private:
  const Layout& layout_;
  // Kept for the contract: the agent verifies the signature before request_install.
  [[maybe_unused]] const image::PublicKey& key_;
};

// The bootloader's entry point, run at every reset before the application:
// resumes/performs install, backup, restore; returns the status to boot with.
// An error means there is no verified image to boot (or flash failed, e.g.
// power was lost); running it again resumes where it stopped.
Result<BootStatus> run_bootloader(const Layout& layout, const image::PublicKey& key);

// Last-error reasons the bootloader records (besides image verification
// failures such as kBadSignature, kWrongBoard, kDowngrade, kDigestMismatch):
inline constexpr Status kReasonNotConfirmed = Status::kTimeout;  // reset before confirm()
inline constexpr Status kReasonVerifyFailed = Status::kIoError;  // a copy never verified

}  // namespace otter::boot
