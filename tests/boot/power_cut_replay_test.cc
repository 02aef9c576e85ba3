// The exhaustive power-cut replay (the MCUboot simulator's idea): for every
// board and mode, and every flash operation of an install (with its backup),
// a confirm and a restore, cut power at that operation (the operation tears,
// leaving unpredictable contents), reboot, and run to completion. The device
// must always end up booting a complete, verified image, the old one or the
// new one, never a mix, with a state that says which. Then random double cuts:
// a second cut during the recovery from the first.
//
// OTTER_REPLAY_DOUBLE_CUTS overrides the number of double cuts (default 10,000).
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>

#include "boot_testing.h"
#include "otter/image/board.h"

namespace otter::boot {
namespace {

using testing::ImageSpec;
using testing::make_image;
using testing::TestBoard;

constexpr Version kOld{1, 0, 0};
constexpr Version kNew{1, 0, 1};

struct Case {
  const char* board;
  Mode mode;
  const char* label;
};

constexpr Case kCases[] = {
    {"numaker-iot-m487", Mode::kBackup, "numaker-iot-m487/backup"},
    {"numaker-iot-m487", Mode::kNoBackup, "numaker-iot-m487/no-backup"},
    {"numaker-pfm-m487", Mode::kBackup, "numaker-pfm-m487/backup"},
    {"numaker-m2354", Mode::kSdStaging, "numaker-m2354/sd-staging"},
    {"numaker-m2354", Mode::kNoBackup, "numaker-m2354/no-backup"},
};

// Where a scenario starts and what a correct ending looks like.
enum class Scenario { kInstall, kConfirm, kRestore };
constexpr const char* kScenarioNames[] = {"install+backup", "confirm", "restore"};

// One board prepared up to the start of each scenario, with snapshots to
// replay from.
class Replay {
 public:
  explicit Replay(const Case& c) : case_(c), board_(*boards::find_board(c.board), c.mode) {
    const std::uint32_t id = board_.layout().hardware_id;
    // Small images (a few copy units, tails not unit-aligned) keep the replay fast.
    old_ = make_image(ImageSpec{id, kOld, 0, 16 * 1024 + 300, 11});
    new_ = make_image(ImageSpec{id, kNew, 0, 20 * 1024 + 1000, 12});
    board_.factory_install(old_);
    expect_ok(board_.boot(), "factory boot");
    board_.stage(new_);
    EXPECT_EQ(board_.control().request_install(board_.request_for(new_)), Status::kOk);
    start_[0] = board_.flash().save();
    operations_[0] = count(Scenario::kInstall);  // leaves the board in its first trial boot
    start_[1] = board_.flash().save();           // confirm() from here
    operations_[1] = count(Scenario::kConfirm);
    board_.flash().load(start_[1]);
    start_[2] = board_.flash().save();  // the reset without confirm, from the same point
    operations_[2] = count(Scenario::kRestore);
  }

  std::uint64_t operations(Scenario s) const { return operations_[static_cast<int>(s)]; }

  // Cut at `first`; if `second` is set, cut again at that operation of the
  // first recovery boot. Returns a description of what went wrong, or "".
  std::string run(Scenario s, std::uint64_t first, std::optional<std::uint64_t> second, std::uint64_t seed) {
    board_.flash().load(start_[static_cast<int>(s)]);
    auto& power = board_.flash().power();
    power.restore();
    power.reseed(seed);
    power.cut_at(first);
    const bool completed = act(s);
    power.cancel_cut();
    if (completed && power.on()) return "the cut operation was never reached";
    if (second) {
      power.restore();
      power.cut_at(*second);
      (void)board_.boot();  // may finish before the second cut: then nothing is cut
      power.cancel_cut();
    }
    auto status = board_.boot_until_bootable(4);
    if (!status.ok()) return std::string("no bootable image: ") + to_string(status.status());
    return check(s, *status);
  }

 private:
  // The flash operations of the scenario's step, run once without cuts.
  std::uint64_t count(Scenario s) {
    const std::uint64_t before = board_.flash().power().operations();
    const bool ok = act(s);
    EXPECT_TRUE(ok) << case_.label << " " << kScenarioNames[static_cast<int>(s)];
    return board_.flash().power().operations() - before;
  }

  bool act(Scenario s) {
    switch (s) {
      case Scenario::kInstall:
      case Scenario::kRestore: return board_.boot().ok();
      case Scenario::kConfirm: return board_.control().confirm() == Status::kOk;
    }
    return false;
  }

  bool app_holds(const std::vector<std::uint8_t>& image) {
    return board_.app_digest(static_cast<std::uint32_t>(image.size())) == testing::sha256(image);
  }

  std::string check(Scenario s, const BootStatus& status) {
    const bool backup = case_.mode != Mode::kNoBackup;
    const bool on_new = status.running == kNew && app_holds(new_);
    const bool on_old = status.running == kOld && app_holds(old_);
    if (!on_new && !on_old) return "app holds neither image completely, or not the one the state names";
    // BootControl must read the same state as the bootloader returned.
    auto seen = board_.control().status();
    if (!seen.ok() || seen->state != status.state || seen->running != status.running) {
      return "BootControl disagrees with the bootloader";
    }
    switch (status.state) {
      case State::kTrial:
        // A cut can only delay the install, not change its outcome...
        if (!on_new || s == Scenario::kRestore) return "unexpected trial";
        return "";
      case State::kIdle:
        if (s != Scenario::kConfirm || !on_new) return "unexpected idle";
        return "";
      case State::kRolledBack:
        // ...except that a cut during the trial boot counts as a boot that
        // never confirmed (the device cannot tell a power cut from a crash).
        if (!backup || !on_old || status.last_error != kReasonNotConfirmed) return "unexpected rollback";
        return "";
      case State::kTrialFailed:
        if (backup || !on_new || status.last_error != kReasonNotConfirmed) return "unexpected trial failure";
        return "";
      case State::kInstallRequested:
      case State::kInstallFailed: return "install lost or refused after a power cut";
    }
    return "unknown state";
  }

  static void expect_ok(const Result<BootStatus>& r, const char* what) {
    EXPECT_TRUE(r.ok()) << what << ": " << to_string(r.status());
  }

  Case case_;
  TestBoard board_;
  std::vector<std::uint8_t> old_, new_;
  sim::BoardFlash::Snapshot start_[3];
  std::uint64_t operations_[3] = {};
};

std::uint64_t double_cut_count() {
  const char* env = std::getenv("OTTER_REPLAY_DOUBLE_CUTS");
  return env != nullptr ? std::strtoull(env, nullptr, 10) : 10000;
}

TEST(PowerCutReplay, EveryCutAtEveryOperationEndsOnACompleteVerifiedImage) {
  std::uint64_t total = 0;
  for (const Case& c : kCases) {
    Replay replay(c);
    for (Scenario s : {Scenario::kInstall, Scenario::kConfirm, Scenario::kRestore}) {
      const std::uint64_t n = replay.operations(s);
      for (std::uint64_t cut = 0; cut < n; ++cut) {
        const std::string problem = replay.run(s, cut, std::nullopt, cut);
        ASSERT_EQ(problem, "") << c.label << " " << kScenarioNames[static_cast<int>(s)] << " cut at " << cut;
      }
      std::printf("replay %-28s %-15s %5llu operations, %5llu single cuts: all recovered\n", c.label,
                  kScenarioNames[static_cast<int>(s)], static_cast<unsigned long long>(n),
                  static_cast<unsigned long long>(n));
      total += n;
    }
  }
  std::printf("replay: %llu single-cut scenarios passed\n", static_cast<unsigned long long>(total));
  EXPECT_GT(total, 1000u);
}

TEST(PowerCutReplay, RandomDoubleCutsDuringRecoveryStillEndOnACompleteVerifiedImage) {
  const std::uint64_t scenarios = double_cut_count();
  std::vector<std::unique_ptr<Replay>> replays;
  for (const Case& c : kCases) replays.push_back(std::make_unique<Replay>(c));
  std::mt19937_64 random(2026);
  std::uint64_t per_case[std::size(kCases)] = {};
  for (std::uint64_t i = 0; i < scenarios; ++i) {
    const std::size_t k = i % std::size(kCases);
    const auto s = static_cast<Scenario>(random() % 3);
    const std::uint64_t n = replays[k]->operations(s);
    const std::uint64_t first = random() % n;
    // The recovery does at most about as much as the step itself, plus the
    // bootloader's scan: a second cut anywhere in it (or, rarely, after it).
    const std::uint64_t second = random() % (n + 64);
    const std::string problem = replays[k]->run(s, first, second, i);
    ASSERT_EQ(problem, "") << kCases[k].label << " " << kScenarioNames[static_cast<int>(s)] << " cuts at " << first
                           << " then " << second;
    ++per_case[k];
  }
  for (std::size_t k = 0; k < std::size(kCases); ++k) {
    std::printf("replay %-28s %6llu double cuts: all recovered\n", kCases[k].label,
                static_cast<unsigned long long>(per_case[k]));
  }
  std::printf("replay: %llu double-cut scenarios passed\n", static_cast<unsigned long long>(scenarios));
}

}  // namespace
}  // namespace otter::boot
