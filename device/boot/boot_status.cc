#include "boot_status.h"

namespace otter::boot {

namespace {

State to_state(Phase phase) {
  switch (phase) {
    case Phase::kIdle: return State::kIdle;
    case Phase::kInstallRequested:
    case Phase::kBackingUp:
    case Phase::kInstalling: return State::kInstallRequested;
    // A rejected image keeps running until the next reset restores the backup.
    case Phase::kTrial:
    case Phase::kRejected:
    case Phase::kRestoring: return State::kTrial;
    case Phase::kRolledBack: return State::kRolledBack;
    case Phase::kInstallFailed: return State::kInstallFailed;
    case Phase::kTrialFailed: return State::kTrialFailed;
  }
  return State::kIdle;
}

}  // namespace

BootStatus to_boot_status(const StateRecord& record, std::uint8_t boot_attempts) {
  BootStatus status;
  status.state = to_state(record.phase);
  status.running = Version::decode(record.app.version);
  if (record.backup_valid) status.previous = Version::decode(record.backup.version);
  status.last_error = record.last_error;
  status.boot_attempts = boot_attempts;
  status.min_version = record.min_version;
  return status;
}

}  // namespace otter::boot
