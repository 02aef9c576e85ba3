#include "otter/simboard/firmware.h"

#include <algorithm>
#include <array>
#include <random>
#include <stdexcept>

namespace otter::simboard {

namespace {
constexpr std::array<std::uint8_t, 4> kBuildIdMarker{'S', 'I', 'M', 'B'};
}

std::array<std::uint8_t, 20> behaviour_build_id(Behaviour behaviour) {
  std::array<std::uint8_t, 20> id{};
  std::copy(kBuildIdMarker.begin(), kBuildIdMarker.end(), id.begin());
  id[4] = static_cast<std::uint8_t>(behaviour);
  return id;
}

Behaviour behaviour_of(const image::Descriptor& descriptor) {
  auto code = (descriptor.flags & kBehaviourMask) >> kBehaviourShift;
  if (code == 0 && std::equal(kBuildIdMarker.begin(), kBuildIdMarker.end(), descriptor.build_id.begin())) {
    code = descriptor.build_id[4];
  }
  if (code > static_cast<std::uint32_t>(Behaviour::kCrashesAtBoot)) return Behaviour::kBootsFine;
  return static_cast<Behaviour>(code);
}

std::uint32_t flags_with(std::uint32_t flags, Behaviour behaviour) {
  return (flags & ~kBehaviourMask) | (static_cast<std::uint32_t>(behaviour) << kBehaviourShift);
}

std::string_view to_string(Behaviour behaviour) {
  switch (behaviour) {
    case Behaviour::kBootsFine: return "ok";
    case Behaviour::kFailsSelfTest: return "fail-self-test";
    case Behaviour::kNeverConfirms: return "hang";
    case Behaviour::kCrashesAtBoot: return "crash";
  }
  return "?";
}

std::optional<Behaviour> parse_behaviour(std::string_view text) {
  for (auto b : {Behaviour::kBootsFine, Behaviour::kFailsSelfTest, Behaviour::kNeverConfirms, Behaviour::kCrashesAtBoot}) {
    if (text == to_string(b)) return b;
  }
  if (text == "fails-self-test" || text == "selftest-fail") return Behaviour::kFailsSelfTest;
  if (text == "never-confirms") return Behaviour::kNeverConfirms;
  if (text == "crash-at-boot" || text == "crashes-at-boot") return Behaviour::kCrashesAtBoot;
  return std::nullopt;
}

std::vector<std::uint8_t> build_firmware(const FirmwareSpec& spec) {
  if (spec.size < image::kMinImageSize) throw std::invalid_argument("firmware size too small for a descriptor");
  std::vector<std::uint8_t> out(spec.size);
  std::mt19937 gen(spec.version.encoded() ^ spec.hardware_id ^ (static_cast<std::uint32_t>(spec.behaviour) << 8));
  for (auto& b : out) b = static_cast<std::uint8_t>(gen());
  auto put32 = [&](std::size_t at, std::uint32_t v) {
    for (int i = 0; i < 4; ++i) out[at + static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(v >> (8 * i));
  };
  put32(0, 0x20028000);  // initial stack pointer: top of the M487's 160 KiB SRAM
  put32(4, 0x00000401);  // reset handler (Thumb) just after the descriptor
  if (!spec.stamped) {
    std::fill(out.begin() + image::kDescriptorOffset, out.begin() + image::kDescriptorOffset + image::kDescriptorSize, 0xFF);
    return out;
  }
  image::Descriptor d;
  d.version = spec.version;
  d.hardware_id = spec.hardware_id;
  d.image_size = spec.size;
  d.min_version = spec.min_version;
  d.flags = flags_with(0, spec.behaviour);
  if (spec.behaviour != Behaviour::kBootsFine) d.build_id = behaviour_build_id(spec.behaviour);
  std::array<std::uint8_t, image::kDescriptorSize> bytes{};
  image::serialize_descriptor(d, bytes);
  std::copy(bytes.begin(), bytes.end(), out.begin() + image::kDescriptorOffset);
  return out;
}

}  // namespace otter::simboard
