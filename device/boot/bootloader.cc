// The bootloader core: one pass of the update state machine per call of
// step(), driven until the state is one the application can boot with. Every
// step is resumable: it reads what it needs from the log and the flash, and
// records its result with one append, so a reset anywhere repeats at most
// the step (and within copies, at most one unit) that was interrupted.
#include <algorithm>
#include <cstring>

#include "area_copy.h"
#include "boot_status.h"
#include "otter/boot/boot_control.h"
#include "otter/boot/state_log.h"

namespace otter::boot {

namespace {

constexpr std::uint8_t kMaxCopyRetries = 2;
// Enough steps for the longest path (request -> backup -> install with
// retries -> trial -> restore with retries -> rolled back).
constexpr int kMaxSteps = 16;

bool has_backup(const Layout& layout) { return layout.mode != Mode::kNoBackup && layout.backup.valid(); }

class Bootloader {
 public:
  Bootloader(const Layout& layout, const image::PublicKey& key) : layout_(layout), key_(key), log_(layout.boot_state) {}

  Result<BootStatus> run() {
    if (!layout_.app.valid() || !layout_.staging.valid()) return Status::kInvalidArgument;
    OTTER_TRY(log_.open());
    if (log_.empty()) OTTER_TRY(adopt_factory_image());
    for (int i = 0; i < kMaxSteps; ++i) {
      bool bootable = false;
      OTTER_TRY(step(bootable));
      if (bootable) {
        std::uint32_t attempts = 0;
        if (log_.latest().phase == Phase::kTrial) {
          OTTER_ASSIGN_OR_RETURN(attempts, log_.count_marks());
        }
        return to_boot_status(log_.latest(), static_cast<std::uint8_t>(std::min<std::uint32_t>(attempts, 255)));
      }
    }
    return Status::kInternal;
  }

 private:
  // First boot: the log is empty, the factory put an image into app. Record
  // what it is so later updates can back it up and verify it.
  Status adopt_factory_image() {
    OTTER_ASSIGN_OR_RETURN(const image::Descriptor d, image::read_descriptor(layout_.app));
    if (d.hardware_id != layout_.hardware_id) return Status::kWrongBoard;
    if (d.image_size == 0 || d.image_size > layout_.app.size()) return Status::kTooLarge;
    OTTER_ASSIGN_OR_RETURN(const image::Digest digest, image::sha256_of(layout_.app, d.image_size));
    StateRecord first;
    first.phase = Phase::kIdle;
    first.app = ImageInfo{d.image_size, d.version.encoded(), d.min_version, digest};
    first.min_version = d.min_version;
    return log_.append(first);
  }

  Status step(bool& bootable) {
    const StateRecord current = log_.latest();
    switch (current.phase) {
      case Phase::kIdle:
      case Phase::kRolledBack:
      case Phase::kInstallFailed:
      case Phase::kTrialFailed: bootable = true; return Status::kOk;
      case Phase::kInstallRequested: return check_staged(current);
      case Phase::kBackingUp: return back_up(current);
      case Phase::kInstalling: return install(current);
      case Phase::kTrial: return trial_boot(current, bootable);
      case Phase::kRejected: return give_up_trial(current, current.last_error);
      case Phase::kRestoring: return restore(current);
    }
    return Status::kInternal;
  }

  Status append(const StateRecord& from, Phase phase, Status error = Status::kOk) {
    StateRecord next = from;
    next.phase = phase;
    next.last_error = error;
    next.retries = 0;
    return log_.append(next);
  }

  // The staged image must be for this board, not below the floor, exactly
  // what the agent described, and signed by the provisioned key.
  Status verify_staged(StateRecord& record) {
    auto descriptor = image::read_descriptor(layout_.staging);
    if (!descriptor.ok()) return descriptor.status();
    const image::Descriptor& d = *descriptor;
    if (d.hardware_id != layout_.hardware_id) return Status::kWrongBoard;
    if (d.image_size != record.staged.size || d.version.encoded() != record.staged.version) {
      return Status::kDigestMismatch;  // the staged bytes are not the image the agent described
    }
    if (d.image_size > layout_.app.size() || d.image_size > layout_.staging.size()) return Status::kTooLarge;
    if (has_backup(layout_) && record.app.size > layout_.backup.size()) return Status::kTooLarge;
    if (d.version.encoded() < record.min_version) return Status::kDowngrade;
    image::Digest digest{};
    OTTER_TRY(image::verify_image(layout_.staging, d.image_size,
                                  std::span<const std::uint8_t>(record.signature.data(), record.signature_size), key_,
                                  &digest));
    if (digest != record.staged.digest) return Status::kDigestMismatch;
    record.staged.min_version = d.min_version;
    return Status::kOk;
  }

  Status check_staged(const StateRecord& current) {
    StateRecord next = current;
    // A flash failure here is either power loss (then this append fails too
    // and the next boot checks again) or failing staging storage: the app is
    // untouched, so refuse the update and boot it rather than nothing.
    const Status verdict = verify_staged(next);
    if (verdict != Status::kOk) return append(current, Phase::kInstallFailed, verdict);
    // A backup that already holds the running image (e.g. after a rollback)
    // needs no second copy.
    const bool backup_current = current.backup_valid && current.backup.digest == current.app.digest &&
                                current.backup.size == current.app.size;
    if (has_backup(layout_) && !backup_current) {
      next.backup_valid = false;  // about to be overwritten
      return append(next, Phase::kBackingUp);
    }
    if (!has_backup(layout_)) next.backup_valid = false;
    return append(next, Phase::kInstalling);
  }

  Result<bool> area_matches(const flash::Partition& area, const ImageInfo& expected) {
    OTTER_ASSIGN_OR_RETURN(const image::Digest digest, image::sha256_of(area, expected.size));
    return digest == expected.digest;
  }

  // A copy whose result does not verify is redone from scratch with fresh
  // marks (a new record), a bounded number of times.
  Status retry(const StateRecord& current) {
    StateRecord again = current;
    again.retries = static_cast<std::uint8_t>(current.retries + 1);
    return log_.append(again);
  }

  Status back_up(const StateRecord& current) {
    // The app is not modified while backing up: if the backup memory fails
    // (not power: then the append fails too), refuse the update, keep the app.
    const Status copied = copy_area(layout_.app, layout_.backup, current.app.size, log_);
    if (copied != Status::kOk) return append(current, Phase::kInstallFailed, copied);
    const auto matches = area_matches(layout_.backup, current.app);
    if (!matches.ok()) return append(current, Phase::kInstallFailed, matches.status());
    const bool ok = *matches;
    if (!ok) {
      if (current.retries < kMaxCopyRetries) return retry(current);
      // The running image no longer matches its record: do not install over
      // the only good copy we might have.
      return append(current, Phase::kInstallFailed, kReasonVerifyFailed);
    }
    StateRecord next = current;
    next.backup = current.app;
    next.backup_valid = true;
    return append(next, Phase::kInstalling);
  }

  Status install(const StateRecord& current) {
    OTTER_TRY(copy_area(layout_.staging, layout_.app, current.staged.size, log_));
    OTTER_ASSIGN_OR_RETURN(const bool ok, area_matches(layout_.app, current.staged));
    if (!ok) {
      if (current.retries < kMaxCopyRetries) return retry(current);
      if (current.backup_valid) return append(current, Phase::kRestoring, kReasonVerifyFailed);
      return Status::kCorrupt;  // no verified image to boot; staging is intact, the next reset retries
    }
    StateRecord next = current;
    next.app = current.staged;
    return append(next, Phase::kTrial);
  }

  Status trial_boot(const StateRecord& current, bool& bootable) {
    OTTER_ASSIGN_OR_RETURN(const std::uint32_t attempts, log_.count_marks());
    // Every installed image gets at least one boot to confirm itself.
    const std::uint32_t allowed = layout_.max_boot_attempts == 0 ? 1 : layout_.max_boot_attempts;
    if (attempts < allowed && attempts < log_.mark_capacity()) {
      OTTER_TRY(log_.mark(attempts));
      bootable = true;
      return Status::kOk;
    }
    return give_up_trial(current, kReasonNotConfirmed);
  }

  Status give_up_trial(const StateRecord& current, Status reason) {
    if (current.backup_valid) return append(current, Phase::kRestoring, reason);
    return append(current, Phase::kTrialFailed, reason);
  }

  Status restore(const StateRecord& current) {
    OTTER_TRY(copy_area(layout_.backup, layout_.app, current.backup.size, log_));
    OTTER_ASSIGN_OR_RETURN(const bool ok, area_matches(layout_.app, current.backup));
    if (!ok) {
      if (current.retries < kMaxCopyRetries) return retry(current);
      return Status::kCorrupt;
    }
    StateRecord next = current;
    next.app = current.backup;
    next.phase = Phase::kRolledBack;
    next.retries = 0;
    return log_.append(next);  // keeps last_error: why we rolled back
  }

  const Layout& layout_;
  const image::PublicKey& key_;
  StateLog log_;
};

}  // namespace

Result<BootStatus> run_bootloader(const Layout& layout, const image::PublicKey& key) {
  Bootloader bootloader(layout, key);
  return bootloader.run();
}

}  // namespace otter::boot
