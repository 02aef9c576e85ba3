// Fuzz target: the update-state log read from arbitrary flash contents (a
// board whose flash was corrupted, or torn in ways the simulator does not
// produce). Opening must never crash or read outside the area, and after a
// successful append the new record must be the state.
#include <array>
#include <cstdint>
#include <cstring>

#include "otter/boot/state_log.h"

namespace {

// Two 4 KiB erase units of NOR flash in RAM.
class RamNor : public otter::flash::FlashDevice {
 public:
  static constexpr std::uint32_t kSize = 8192;
  otter::flash::Geometry geometry() const override { return {kSize, 4096, 4, 4096, 0xFF, true}; }
  otter::Status read(std::uint32_t address, std::span<std::uint8_t> out) override {
    if (address > kSize || out.size() > kSize - address) __builtin_trap();
    std::memcpy(out.data(), bytes.data() + address, out.size());
    return otter::Status::kOk;
  }
  otter::Status program(std::uint32_t address, std::span<const std::uint8_t> data) override {
    if (address > kSize || data.size() > kSize - address || address % 4 != 0 || data.size() % 4 != 0) __builtin_trap();
    for (std::size_t i = 0; i < data.size(); ++i) {
      if (bytes[address + i] != 0xFF) __builtin_trap();  // the log never programs over non-erased flash
      bytes[address + i] = data[i];
    }
    return otter::Status::kOk;
  }
  otter::Status erase(std::uint32_t address, std::uint32_t length) override {
    if (address % 4096 != 0 || length % 4096 != 0 || address > kSize || length > kSize - address) __builtin_trap();
    std::memset(bytes.data() + address, 0xFF, length);
    return otter::Status::kOk;
  }
  std::array<std::uint8_t, kSize> bytes{};
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static RamNor flash;
  flash.bytes.fill(0xFF);
  std::memcpy(flash.bytes.data(), data, size < RamNor::kSize ? size : RamNor::kSize);
  const otter::flash::Partition area(flash, 0, RamNor::kSize, "boot_state");

  otter::boot::StateLog log(area);
  if (log.open() != otter::Status::kOk) __builtin_trap();
  std::uint32_t before = 0;
  if (!log.empty()) {
    before = log.latest().sequence;
    (void)log.count_marks();
    (void)log.mark(0);
  }
  otter::boot::StateRecord record;
  record.phase = otter::boot::Phase::kTrial;
  record.min_version = 0x01020003;
  if (log.append(record) != otter::Status::kOk) __builtin_trap();

  otter::boot::StateLog reopened(area);
  if (reopened.open() != otter::Status::kOk || reopened.empty()) __builtin_trap();
  if (reopened.latest().sequence != before + 1 || reopened.latest().phase != otter::boot::Phase::kTrial ||
      reopened.latest().min_version != 0x01020003) {
    __builtin_trap();
  }
  return 0;
}
