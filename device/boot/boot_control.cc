// BootControl: the application's and the agent's side of the state log.
#include <algorithm>
#include <cstring>

#include "boot_status.h"
#include "otter/boot/boot_control.h"
#include "otter/boot/state_log.h"

namespace otter::boot {

namespace {

bool accepts_new_install(Phase phase) {
  return phase == Phase::kIdle || phase == Phase::kRolledBack || phase == Phase::kInstallFailed ||
         phase == Phase::kTrialFailed || phase == Phase::kInstallRequested;
}

}  // namespace

Status BootControl::request_install(const InstallRequest& request) {
  StateLog log(layout_.boot_state);
  OTTER_TRY(log.open());
  if (log.empty()) return Status::kNotFound;  // the bootloader has not run yet
  const StateRecord& current = log.latest();
  if (!accepts_new_install(current.phase)) return Status::kBusy;  // finish the trial first
  if (request.image_size == 0 || request.signature_size == 0 ||
      request.signature_size > image::kMaxSignatureSize) {
    return Status::kInvalidArgument;
  }
  if (request.image_size > layout_.staging.size() || request.image_size > layout_.app.size()) {
    return Status::kTooLarge;
  }
  if (request.version.encoded() < current.min_version) return Status::kDowngrade;

  StateRecord next = current;
  next.phase = Phase::kInstallRequested;
  next.last_error = Status::kOk;
  next.retries = 0;
  next.staged = ImageInfo{request.image_size, request.version.encoded(), 0, request.digest};
  next.signature = request.signature;
  next.signature_size = request.signature_size;
  return log.append(next);
}

Status BootControl::confirm() {
  StateLog log(layout_.boot_state);
  OTTER_TRY(log.open());
  if (log.empty()) return Status::kNotFound;
  const StateRecord& current = log.latest();
  if (current.phase == Phase::kIdle) return Status::kOk;  // already confirmed
  if (current.phase != Phase::kTrial) return Status::kInvalidArgument;
  StateRecord next = current;
  next.phase = Phase::kIdle;
  next.last_error = Status::kOk;
  next.retries = 0;
  // The floor rises only once the image is known good, so a bad image can
  // never lock the device out of its backup.
  next.min_version = std::max(current.min_version, current.app.min_version);
  return log.append(next);
}

Status BootControl::reject(Status reason) {
  StateLog log(layout_.boot_state);
  OTTER_TRY(log.open());
  if (log.empty()) return Status::kNotFound;
  const StateRecord& current = log.latest();
  if (current.phase == Phase::kRejected) return Status::kOk;
  if (current.phase != Phase::kTrial) return Status::kInvalidArgument;
  StateRecord next = current;
  next.phase = Phase::kRejected;
  next.last_error = reason == Status::kOk ? Status::kAborted : reason;
  return log.append(next);
}

Result<BootStatus> BootControl::status() {
  StateLog log(layout_.boot_state);
  OTTER_TRY(log.open());
  if (log.empty()) return Status::kNotFound;
  std::uint32_t attempts = 0;
  if (log.latest().phase == Phase::kTrial) {
    OTTER_ASSIGN_OR_RETURN(attempts, log.count_marks());
  }
  return to_boot_status(log.latest(), static_cast<std::uint8_t>(std::min<std::uint32_t>(attempts, 255)));
}

}  // namespace otter::boot
