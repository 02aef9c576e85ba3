// The bootloader's behaviour on every board and mode, on simulated flash:
// install, trial, confirm, rollback, and the checks that refuse an image.
#include <gtest/gtest.h>

#include <string>

#include "boot_testing.h"
#include "otter/boot/boot_control.h"
#include "otter/image/board.h"

namespace otter::boot {
namespace {

using testing::ImageSpec;
using testing::make_image;
using testing::TestBoard;

struct Case {
  const char* board;
  Mode mode;
};

std::string case_name(const ::testing::TestParamInfo<Case>& info) {
  std::string name = info.param.board;
  for (char& c : name) {
    if (c == '-') c = '_';
  }
  switch (info.param.mode) {
    case Mode::kBackup: return name + "_backup";
    case Mode::kNoBackup: return name + "_no_backup";
    case Mode::kSdStaging: return name + "_sd_staging";
  }
  return name;
}

constexpr Version kV1{1, 0, 0};
constexpr Version kV2{1, 0, 1};
constexpr Version kV3{1, 1, 0};

class BootloaderTest : public ::testing::TestWithParam<Case> {
 protected:
  BootloaderTest() : board_(*boards::find_board(GetParam().board), GetParam().mode) {
    old_ = image(kV1, 0, 20 * 1024 + 100, 1);
    new_ = image(kV2, 0, 24 * 1024 + 36, 2);
    board_.factory_install(old_);
  }

  void TearDown() override {
    // The bootloader never programs over non-erased flash, on any path.
    EXPECT_EQ(board_.flash().counters().not_erased, 0u);
    EXPECT_EQ(board_.flash().counters().misaligned, 0u);
  }

  std::vector<std::uint8_t> image(Version v, std::uint32_t min_version, std::uint32_t size, std::uint64_t seed) {
    return make_image(ImageSpec{board_.layout().hardware_id, v, min_version, size, seed});
  }

  bool has_backup() const { return GetParam().mode != Mode::kNoBackup; }

  // Factory boot, then stage `update` and hand it over.
  void stage(const std::vector<std::uint8_t>& update) {
    ASSERT_TRUE(board_.boot().ok());
    board_.stage(update);
    ASSERT_EQ(board_.control().request_install(board_.request_for(update)), Status::kOk);
  }

  bool app_holds(const std::vector<std::uint8_t>& img) {
    return board_.app_digest(static_cast<std::uint32_t>(img.size())) == testing::sha256(img);
  }

  TestBoard board_;
  std::vector<std::uint8_t> old_;
  std::vector<std::uint8_t> new_;
};

TEST_P(BootloaderTest, FirstBootAdoptsTheFactoryImage) {
  auto status = board_.boot();
  ASSERT_TRUE(status.ok()) << to_string(status.status());
  EXPECT_EQ(status->state, State::kIdle);
  EXPECT_EQ(status->running, kV1);
  EXPECT_TRUE(app_holds(old_));
}

TEST_P(BootloaderTest, InstallsAVerifiedUpdateAndBootsItAsTrial) {
  stage(new_);
  EXPECT_EQ(board_.control().status()->state, State::kInstallRequested);
  auto status = board_.boot();
  ASSERT_TRUE(status.ok()) << to_string(status.status());
  EXPECT_EQ(status->state, State::kTrial);
  EXPECT_EQ(status->running, kV2);
  EXPECT_EQ(status->boot_attempts, 1);
  EXPECT_TRUE(app_holds(new_));
  if (has_backup()) EXPECT_EQ(status->previous, kV1);
}

TEST_P(BootloaderTest, ConfirmedImageStaysAcrossResets) {
  stage(new_);
  ASSERT_TRUE(board_.boot().ok());
  ASSERT_EQ(board_.control().confirm(), Status::kOk);
  for (int reset = 0; reset < 3; ++reset) {
    auto status = board_.boot();
    ASSERT_TRUE(status.ok());
    EXPECT_EQ(status->state, State::kIdle);
    EXPECT_EQ(status->running, kV2);
    EXPECT_EQ(status->last_error, Status::kOk);
  }
  EXPECT_TRUE(app_holds(new_));
}

TEST_P(BootloaderTest, NeverConfirmedImageIsRolledBackWithTheReasonOrKeptWithoutBackup) {
  stage(new_);
  ASSERT_TRUE(board_.boot().ok());  // trial boot; the new image resets without confirming
  auto status = board_.boot();
  ASSERT_TRUE(status.ok()) << to_string(status.status());
  EXPECT_EQ(status->last_error, kReasonNotConfirmed);
  if (has_backup()) {
    EXPECT_EQ(status->state, State::kRolledBack);
    EXPECT_EQ(status->running, kV1);
    EXPECT_TRUE(app_holds(old_));
  } else {
    // No backup: stays on the new image, with the failure recorded.
    EXPECT_EQ(status->state, State::kTrialFailed);
    EXPECT_EQ(status->running, kV2);
    EXPECT_TRUE(app_holds(new_));
  }
  // And it stays that way.
  auto again = board_.boot();
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->state, status->state);
  EXPECT_EQ(board_.control().status()->last_error, kReasonNotConfirmed);
}

TEST_P(BootloaderTest, RejectedImageIsRolledBackWithTheApplicationsReason) {
  stage(new_);
  ASSERT_TRUE(board_.boot().ok());
  ASSERT_EQ(board_.control().reject(Status::kAborted), Status::kOk);
  auto status = board_.boot();
  ASSERT_TRUE(status.ok());
  EXPECT_EQ(status->last_error, Status::kAborted);
  EXPECT_TRUE(app_holds(has_backup() ? old_ : new_));
}

TEST_P(BootloaderTest, AllowsTheConfiguredNumberOfUnconfirmedBoots) {
  Layout layout = board_.layout();
  layout.max_boot_attempts = 3;
  ASSERT_TRUE(board_.boot().ok());
  board_.stage(new_);
  ASSERT_EQ(board_.control().request_install(board_.request_for(new_)), Status::kOk);
  for (int attempt = 1; attempt <= 3; ++attempt) {
    auto status = run_bootloader(layout, board_.signer().public_key());
    ASSERT_TRUE(status.ok());
    EXPECT_EQ(status->state, State::kTrial);
    EXPECT_EQ(status->boot_attempts, attempt);
  }
  auto status = run_bootloader(layout, board_.signer().public_key());
  ASSERT_TRUE(status.ok());
  EXPECT_NE(status->state, State::kTrial);
}

TEST_P(BootloaderTest, ZeroBootAttemptsStillGivesTheNewImageOneBoot) {
  Layout layout = board_.layout();
  layout.max_boot_attempts = 0;
  stage(new_);
  auto status = run_bootloader(layout, board_.signer().public_key());
  ASSERT_TRUE(status.ok());
  EXPECT_EQ(status->state, State::kTrial);
  EXPECT_EQ(status->running, kV2);
}

TEST_P(BootloaderTest, DowngradeBelowTheFloorIsRefused) {
  const auto v3 = image(kV3, kV3.encoded(), 16 * 1024, 3);
  stage(v3);
  ASSERT_TRUE(board_.boot().ok());
  ASSERT_EQ(board_.control().confirm(), Status::kOk);
  EXPECT_EQ(board_.control().status()->min_version, kV3.encoded());
  board_.stage(new_);
  EXPECT_EQ(board_.control().request_install(board_.request_for(new_)), Status::kDowngrade);
  auto status = board_.boot();
  ASSERT_TRUE(status.ok());
  EXPECT_EQ(status->running, kV3);
}

TEST_P(BootloaderTest, RequestThatMisdescribesTheStagedImageIsRefused) {
  ASSERT_TRUE(board_.boot().ok());
  board_.stage(old_);
  InstallRequest lying = board_.request_for(old_);
  lying.version = kV3;  // claims to be newer than it is
  ASSERT_EQ(board_.control().request_install(lying), Status::kOk);
  auto status = board_.boot();
  ASSERT_TRUE(status.ok());
  EXPECT_EQ(status->state, State::kInstallFailed);
  EXPECT_EQ(status->last_error, Status::kDigestMismatch);
}

TEST_P(BootloaderTest, BadSignatureIsRefusedAndTheOldImageKeepsRunning) {
  ASSERT_TRUE(board_.boot().ok());
  board_.stage(new_);
  testing::Signer stranger;
  ASSERT_EQ(board_.control().request_install(board_.request_for(new_, &stranger)), Status::kOk);
  auto status = board_.boot();
  ASSERT_TRUE(status.ok());
  EXPECT_EQ(status->state, State::kInstallFailed);
  EXPECT_EQ(status->last_error, Status::kBadSignature);
  EXPECT_EQ(status->running, kV1);
  EXPECT_TRUE(app_holds(old_));
}

TEST_P(BootloaderTest, ImageForAnotherBoardIsRefused) {
  ASSERT_TRUE(board_.boot().ok());
  const std::uint32_t other = board_.layout().hardware_id == image::kHardwareNumakerIotM487
                                  ? image::kHardwareNumakerPfmM487
                                  : image::kHardwareNumakerIotM487;
  const auto foreign = make_image(ImageSpec{other, kV2, 0, 16 * 1024, 4});
  board_.stage(foreign);
  ASSERT_EQ(board_.control().request_install(board_.request_for(foreign)), Status::kOk);
  auto status = board_.boot();
  ASSERT_TRUE(status.ok());
  EXPECT_EQ(status->state, State::kInstallFailed);
  EXPECT_EQ(status->last_error, Status::kWrongBoard);
  EXPECT_TRUE(app_holds(old_));
}

TEST_P(BootloaderTest, CorruptedStagingIsRefused) {
  ASSERT_TRUE(board_.boot().ok());
  auto damaged = new_;
  const auto request = board_.request_for(new_);
  damaged[damaged.size() - 1] ^= 0x01;
  board_.stage(damaged);
  ASSERT_EQ(board_.control().request_install(request), Status::kOk);
  auto status = board_.boot();
  ASSERT_TRUE(status.ok());
  EXPECT_EQ(status->state, State::kInstallFailed);
  EXPECT_NE(status->last_error, Status::kOk);
  EXPECT_TRUE(app_holds(old_));
}

TEST_P(BootloaderTest, NewInstallIsRefusedWhileATrialIsRunning) {
  stage(new_);
  ASSERT_TRUE(board_.boot().ok());
  EXPECT_EQ(board_.control().request_install(board_.request_for(new_)), Status::kBusy);
}

TEST_P(BootloaderTest, UpdatesAgainAfterARollback) {
  stage(new_);
  ASSERT_TRUE(board_.boot().ok());
  ASSERT_TRUE(board_.boot().ok());  // not confirmed
  const auto fixed = image(kV3, 0, 30 * 1024, 5);
  board_.stage(fixed);
  ASSERT_EQ(board_.control().request_install(board_.request_for(fixed)), Status::kOk);
  auto status = board_.boot();
  ASSERT_TRUE(status.ok());
  EXPECT_EQ(status->state, State::kTrial);
  EXPECT_EQ(status->running, kV3);
  ASSERT_EQ(board_.control().confirm(), Status::kOk);
  EXPECT_TRUE(app_holds(fixed));
}

INSTANTIATE_TEST_SUITE_P(Boards, BootloaderTest,
                         ::testing::Values(Case{"numaker-iot-m487", Mode::kBackup},
                                           Case{"numaker-iot-m487", Mode::kNoBackup},
                                           Case{"numaker-pfm-m487", Mode::kBackup},
                                           Case{"numaker-m2354", Mode::kSdStaging},
                                           Case{"numaker-m2354", Mode::kNoBackup}),
                         case_name);

// External flash that has failed: every read and write is an I/O error.
class DeadMemory : public flash::FlashDevice {
 public:
  explicit DeadMemory(flash::Geometry g) : geometry_(g) {}
  flash::Geometry geometry() const override { return geometry_; }
  Status read(std::uint32_t, std::span<std::uint8_t>) override { return Status::kIoError; }
  Status program(std::uint32_t, std::span<const std::uint8_t>) override { return Status::kIoError; }
  Status erase(std::uint32_t, std::uint32_t) override { return Status::kIoError; }

 private:
  flash::Geometry geometry_;
};

TEST(Bootloader, FailedStagingMemoryRefusesTheUpdateAndKeepsBootingTheRunningImage) {
  const boards::BoardProfile& profile = *boards::find_board("numaker-iot-m487");
  TestBoard board(profile, Mode::kBackup);
  const auto old_image = make_image(ImageSpec{profile.hardware_id, kV1, 0, 16 * 1024, 1});
  const auto new_image = make_image(ImageSpec{profile.hardware_id, kV2, 0, 16 * 1024, 2});
  board.factory_install(old_image);
  ASSERT_TRUE(board.boot().ok());
  board.stage(new_image);
  ASSERT_EQ(board.control().request_install(board.request_for(new_image)), Status::kOk);
  DeadMemory dead(profile.external.geometry);
  Layout layout = board.layout();
  layout.staging = boards::partition(profile.staging, board.flash().internal(), dead);
  layout.backup = boards::partition(profile.backup, board.flash().internal(), dead);
  auto status = run_bootloader(layout, board.signer().public_key());
  ASSERT_TRUE(status.ok());
  EXPECT_EQ(status->state, State::kInstallFailed);
  EXPECT_EQ(status->last_error, Status::kIoError);
  EXPECT_EQ(status->running, kV1);
  EXPECT_EQ(board.app_digest(16 * 1024), testing::sha256(old_image));
}

TEST(BootControl, RequestInstallRefusesRequestsThatCanNeverWork) {
  const boards::BoardProfile& profile = *boards::find_board("numaker-iot-m487");
  TestBoard board(profile, Mode::kBackup);
  const auto image = make_image(ImageSpec{profile.hardware_id, kV1, 0, 16 * 1024, 1});
  board.factory_install(image);
  ASSERT_TRUE(board.boot().ok());
  const InstallRequest good = board.request_for(image);

  InstallRequest empty = good;
  empty.image_size = 0;
  EXPECT_EQ(board.control().request_install(empty), Status::kInvalidArgument);
  InstallRequest unsigned_request = good;
  unsigned_request.signature_size = 0;
  EXPECT_EQ(board.control().request_install(unsigned_request), Status::kInvalidArgument);
  InstallRequest oversized_signature = good;
  oversized_signature.signature_size = image::kMaxSignatureSize + 1;
  EXPECT_EQ(board.control().request_install(oversized_signature), Status::kInvalidArgument);
  InstallRequest huge = good;
  huge.image_size = profile.app.size + 1;
  EXPECT_EQ(board.control().request_install(huge), Status::kTooLarge);
  // Nothing was recorded: the bootloader still boots the running image, idle.
  auto status = board.boot();
  ASSERT_TRUE(status.ok());
  EXPECT_EQ(status->state, State::kIdle);
}

TEST(BootControl, ConfirmAndRejectOnlyApplyToATrial) {
  const boards::BoardProfile& profile = *boards::find_board("numaker-iot-m487");
  TestBoard board(profile, Mode::kBackup);
  board.factory_install(make_image(ImageSpec{profile.hardware_id, kV1, 0, 16 * 1024, 1}));
  ASSERT_TRUE(board.boot().ok());
  EXPECT_EQ(board.control().confirm(), Status::kOk);  // idle: already confirmed
  EXPECT_EQ(board.control().reject(Status::kAborted), Status::kInvalidArgument);
  EXPECT_EQ(board.control().status()->state, State::kIdle);
}

TEST(BootControl, ReportsNotFoundBeforeTheBootloaderEverRan) {
  TestBoard board(*boards::find_board("numaker-iot-m487"), Mode::kBackup);
  EXPECT_EQ(board.control().status().status(), Status::kNotFound);
}

TEST(Bootloader, RefusesToBootAnEmptyApp) {
  TestBoard board(*boards::find_board("numaker-iot-m487"), Mode::kBackup);
  EXPECT_FALSE(board.boot().ok());
}

}  // namespace
}  // namespace otter::boot
