// The simulated application firmware. A real image's code cannot run on the
// host, so what the "firmware" does after the bootloader starts it is read
// from its descriptor: bits 24-31 of `flags` hold a behaviour code, or, when
// those are 0, a build id starting with "SIMB" carries it in its fifth byte
// (so `otter stamp --build-id 53494d4201` marks a build). Any real image has
// neither and boots fine. See docs/simulator.md.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "otter/core/version.h"
#include "otter/image/image.h"

namespace otter::simboard {

enum class Behaviour : std::uint8_t {
  kBootsFine = 0,       // runs the agent; its self-test passes and confirms the image
  kFailsSelfTest = 1,   // runs the agent; its self-test reports failure
  kNeverConfirms = 2,   // hangs in its self-test: never answers, the watchdog resets it
  kCrashesAtBoot = 3,   // faults before the agent starts: reset loop
};

inline constexpr std::uint32_t kBehaviourShift = 24;
inline constexpr std::uint32_t kBehaviourMask = 0xFFu << kBehaviourShift;

Behaviour behaviour_of(const image::Descriptor& descriptor);
std::uint32_t flags_with(std::uint32_t flags, Behaviour behaviour);
// The build id that marks a build with `behaviour` ("SIMB", code, zeros).
std::array<std::uint8_t, 20> behaviour_build_id(Behaviour behaviour);
std::string_view to_string(Behaviour behaviour);
// "ok", "fail-self-test", "hang", "crash" (and the to_string names).
std::optional<Behaviour> parse_behaviour(std::string_view text);

struct FirmwareSpec {
  std::uint32_t hardware_id = 0;
  Version version;
  Behaviour behaviour = Behaviour::kBootsFine;
  std::uint32_t size = 64 * 1024;  // bytes of the whole image
  std::uint32_t min_version = 0;
  bool stamped = true;  // false: leave the descriptor slot blank for `otter stamp`
};

// A firmware "build output": a Cortex-M vector table (initial SP, reset
// vector), the stamped descriptor at 0x200, then deterministic code bytes
// derived from the version, so two builds differ and a digest identifies one.
std::vector<std::uint8_t> build_firmware(const FirmwareSpec& spec);

}  // namespace otter::simboard
