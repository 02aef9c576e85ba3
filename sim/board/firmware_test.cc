#include "otter/simboard/firmware.h"

#include <gtest/gtest.h>

#include "otter/image/board.h"

namespace otter::simboard {
namespace {

FirmwareSpec spec(Behaviour b, std::uint16_t build = 1) {
  FirmwareSpec s;
  s.hardware_id = image::kHardwareNumakerIotM487;
  s.version = Version{1, 0, build};
  s.behaviour = b;
  s.size = 8 * 1024;
  return s;
}

TEST(Firmware, BuildCarriesAParsableDescriptorWithItsBehaviour) {
  for (auto b : {Behaviour::kBootsFine, Behaviour::kFailsSelfTest, Behaviour::kNeverConfirms, Behaviour::kCrashesAtBoot}) {
    const auto bytes = build_firmware(spec(b));
    ASSERT_EQ(bytes.size(), 8u * 1024);
    auto d = image::parse_descriptor(std::span(bytes).subspan(image::kDescriptorOffset));
    ASSERT_TRUE(d.ok()) << to_string(d.status());
    EXPECT_EQ(d->version, (Version{1, 0, 1}));
    EXPECT_EQ(d->hardware_id, image::kHardwareNumakerIotM487);
    EXPECT_EQ(d->image_size, 8u * 1024);
    EXPECT_EQ(behaviour_of(*d), b);
  }
}

TEST(Firmware, DifferentVersionsGiveDifferentBytes) {
  EXPECT_NE(build_firmware(spec(Behaviour::kBootsFine, 1)), build_firmware(spec(Behaviour::kBootsFine, 2)));
  EXPECT_EQ(build_firmware(spec(Behaviour::kBootsFine, 1)), build_firmware(spec(Behaviour::kBootsFine, 1)));
}

TEST(Firmware, RealImagesWithZeroFlagsBootFine) {
  image::Descriptor d;
  EXPECT_EQ(behaviour_of(d), Behaviour::kBootsFine);
  d.flags = 0x00FFFFFF;  // other flag bits do not select a behaviour
  EXPECT_EQ(behaviour_of(d), Behaviour::kBootsFine);
}

TEST(Firmware, BuildIdMarkerSelectsTheBehaviourWhenFlagsAreClear) {
  image::Descriptor d;
  d.build_id = behaviour_build_id(Behaviour::kFailsSelfTest);
  EXPECT_EQ(behaviour_of(d), Behaviour::kFailsSelfTest);
  d.flags = flags_with(0, Behaviour::kCrashesAtBoot);  // flags win
  EXPECT_EQ(behaviour_of(d), Behaviour::kCrashesAtBoot);
  d = image::Descriptor{};
  d.build_id[0] = 'S';  // a real build id that merely starts like the marker
  d.build_id[4] = 1;
  EXPECT_EQ(behaviour_of(d), Behaviour::kBootsFine);
}

TEST(Firmware, UnstampedBuildLeavesTheDescriptorSlotBlank) {
  auto s = spec(Behaviour::kBootsFine);
  s.stamped = false;
  const auto bytes = build_firmware(s);
  EXPECT_EQ(image::parse_descriptor(std::span(bytes).subspan(image::kDescriptorOffset)).status(), Status::kNotFound);
}

TEST(Firmware, BehaviourNamesRoundTrip) {
  for (auto b : {Behaviour::kBootsFine, Behaviour::kFailsSelfTest, Behaviour::kNeverConfirms, Behaviour::kCrashesAtBoot}) {
    EXPECT_EQ(parse_behaviour(to_string(b)), b);
  }
  EXPECT_FALSE(parse_behaviour("explode").has_value());
}

TEST(Firmware, RefusesASizeThatCannotHoldTheDescriptor) {
  auto s = spec(Behaviour::kBootsFine);
  s.size = 0x100;
  EXPECT_THROW(build_firmware(s), std::invalid_argument);
}

}  // namespace
}  // namespace otter::simboard
