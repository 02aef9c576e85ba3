// The exhaustive power-cut replay (the MCUboot simulator's idea): for every
// board and mode, and every flash operation of an install (with its backup),
// a confirm and a restore, cut power at that operation (the operation tears,
// leaving unpredictable contents), reboot, and run to completion. The device
// must always end up booting a complete, verified image, the old one or the
// new one, never a mix, with a state that says which. Then random double cuts:
// a second cut during the recovery from the first.
//
// A cut during a read leaves the flash exactly as the operation before it
// did, so every read of a run of consecutive reads leads to the same
// recovery; by default the replay cuts every write and erase and the first
// read of each run, and counts the other reads as covered.
// OTTER_REPLAY_EVERY_READ=1 cuts at every single read too (the plain host
// build's ctest sets it; the sanitizer build relies on the equivalence).
// OTTER_REPLAY_DOUBLE_CUTS overrides the number of double cuts (default 10,000).
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <iterator>
#include <optional>
#include <random>
#include <string>
#include <vector>

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

// The steps cut into, in order: the bootloader's check of the staged image
// (up to its first write), the backup and install, the application's
// confirm(), and the reset without confirm that restores the backup.
enum class Scenario { kVerify, kInstall, kConfirm, kRestore };
constexpr Scenario kScenarios[] = {Scenario::kVerify, Scenario::kInstall, Scenario::kConfirm, Scenario::kRestore};
constexpr const char* kScenarioNames[] = {"verify staged", "backup+install", "confirm", "restore"};

using Operation = sim::PowerSupply::Operation;

bool every_read() {
  const char* env = std::getenv("OTTER_REPLAY_EVERY_READ");
  return env != nullptr && std::string(env) == "1";
}

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
    auto& flash = board_.flash();
    start_[0] = flash.save();
    // The whole install once, to find where the check of the staged image
    // ends: its first program (the record that starts the copy; the log may
    // erase its next unit just before).
    const auto whole = trace(Scenario::kVerify);
    std::size_t first_write = 0;
    while (first_write < whole.size() && whole[first_write] != Operation::kProgram) ++first_write;
    kinds_[0].assign(whole.begin(), whole.begin() + static_cast<std::ptrdiff_t>(first_write + 1));
    // Stop the bootloader right after that write (the next operation is a
    // read: cutting it changes nothing) to start the copy scenario from there.
    flash.load(start_[0]);
    flash.power().cut_at(first_write + 1);
    EXPECT_FALSE(board_.boot().ok());
    flash.power().restore();
    EXPECT_EQ(whole.at(first_write + 1), Operation::kRead);
    start_[1] = flash.save();
    kinds_[1] = trace(Scenario::kInstall);  // leaves the board in its first trial boot
    start_[2] = flash.save();
    kinds_[2] = trace(Scenario::kConfirm);
    flash.load(start_[2]);
    start_[3] = flash.save();  // the reset without confirm, from the same point
    kinds_[3] = trace(Scenario::kRestore);
  }

  std::uint64_t operations(Scenario s) const { return kinds_[static_cast<int>(s)].size(); }

  // The cut points that can lead to different outcomes (see the top).
  std::vector<std::uint64_t> cut_points(Scenario s, bool all_reads) const {
    const auto& kinds = kinds_[static_cast<int>(s)];
    std::vector<std::uint64_t> points;
    for (std::uint64_t i = 0; i < kinds.size(); ++i) {
      if (all_reads || kinds[i] != Operation::kRead || i == 0 || kinds[i - 1] != Operation::kRead) points.push_back(i);
    }
    return points;
  }

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
    // Whatever a cut left behind, nothing ever programs over non-erased flash.
    const sim::FlashCounters counters = board_.flash().counters();
    if (counters.not_erased != 0 || counters.misaligned != 0) return "programmed over non-erased or misaligned flash";
    return check(s, *status);
  }

 private:
  // The kinds of the flash operations of the scenario's step, run once without cuts.
  std::vector<Operation> trace(Scenario s) {
    std::vector<Operation> kinds;
    auto& power = board_.flash().power();
    power.set_trace([&kinds](std::uint64_t, Operation op) { kinds.push_back(op); });
    const bool ok = act(s);
    power.set_trace(nullptr);
    EXPECT_TRUE(ok) << case_.label << " " << kScenarioNames[static_cast<int>(s)];
    return kinds;
  }

  bool act(Scenario s) {
    switch (s) {
      case Scenario::kVerify:
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
        if (!on_new || s == Scenario::kRestore || s == Scenario::kConfirm) return "unexpected trial";
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
  sim::BoardFlash::Snapshot start_[4];
  std::vector<Operation> kinds_[4];
};

std::uint64_t double_cut_count() {
  const char* env = std::getenv("OTTER_REPLAY_DOUBLE_CUTS");
  return env != nullptr ? std::strtoull(env, nullptr, 10) : 10000;
}

TEST(PowerCutReplay, EveryCutAtEveryOperationEndsOnACompleteVerifiedImage) {
  const bool all_reads = every_read();
  std::uint64_t operations = 0, cut = 0;
  for (const Case& c : kCases) {
    Replay replay(c);
    for (Scenario s : kScenarios) {
      const auto points = replay.cut_points(s, all_reads);
      for (std::uint64_t point : points) {
        const std::string problem = replay.run(s, point, std::nullopt, point);
        ASSERT_EQ(problem, "") << c.label << " " << kScenarioNames[static_cast<int>(s)] << " cut at " << point;
      }
      const std::uint64_t n = replay.operations(s);
      std::printf("replay %-28s %-15s %5llu operations: %5llu cut, %5llu reads covered by an equal cut; all recovered\n",
                  c.label, kScenarioNames[static_cast<int>(s)], static_cast<unsigned long long>(n),
                  static_cast<unsigned long long>(points.size()),
                  static_cast<unsigned long long>(n - points.size()));
      operations += n;
      cut += points.size();
    }
  }
  std::printf("replay: %llu operations of install/backup/confirm/restore, %llu single-cut scenarios run, all recovered\n",
              static_cast<unsigned long long>(operations), static_cast<unsigned long long>(cut));
  EXPECT_GT(operations, 2000u);
}

TEST(PowerCutReplay, RandomDoubleCutsDuringRecoveryStillEndOnACompleteVerifiedImage) {
  const std::uint64_t scenarios = double_cut_count();
  struct Point {
    std::size_t replay;
    Scenario scenario;
    std::uint64_t cut;
  };
  std::vector<std::unique_ptr<Replay>> replays;
  std::vector<Point> points;
  for (const Case& c : kCases) {
    replays.push_back(std::make_unique<Replay>(c));
    for (Scenario s : kScenarios) {
      for (std::uint64_t p : replays.back()->cut_points(s, false)) points.push_back({replays.size() - 1, s, p});
    }
  }
  std::mt19937_64 random(2026);
  std::vector<std::uint64_t> per_case(std::size(kCases));
  for (std::uint64_t i = 0; i < scenarios; ++i) {
    const Point& p = points[random() % points.size()];
    // The recovery does at most about as much as the step itself, plus the
    // bootloader's scan: a second cut anywhere in it (or, rarely, after it).
    const std::uint64_t second = random() % (replays[p.replay]->operations(p.scenario) + 64);
    const std::string problem = replays[p.replay]->run(p.scenario, p.cut, second, i);
    ASSERT_EQ(problem, "") << kCases[p.replay].label << " " << kScenarioNames[static_cast<int>(p.scenario)]
                           << " cuts at " << p.cut << " then " << second;
    ++per_case[p.replay];
  }
  for (std::size_t k = 0; k < std::size(kCases); ++k) {
    std::printf("replay %-28s %6llu double cuts: all recovered\n", kCases[k].label,
                static_cast<unsigned long long>(per_case[k]));
  }
  std::printf("replay: %llu double-cut scenarios passed\n", static_cast<unsigned long long>(scenarios));
  EXPECT_GE(scenarios, 1u);
}

}  // namespace
}  // namespace otter::boot
