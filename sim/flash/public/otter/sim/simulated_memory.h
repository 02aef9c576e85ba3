// The common part of Otter's simulated memories: sparse storage (erase units
// allocated only once written, so thousands of boards fit in one process),
// operation counters with modelled time, and power-cut handling. NorFlash and
// SdCard add their write semantics.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "otter/flash/flash_device.h"
#include "otter/sim/power_supply.h"
#include "otter/sim/time_model.h"

namespace otter::sim {

class SimulatedMemory : public flash::FlashDevice {
 public:
  // The stored bytes, for saving and restoring a whole board between scenarios.
  using Contents = std::unordered_map<std::uint32_t, std::shared_ptr<const std::vector<std::uint8_t>>>;

  SimulatedMemory(std::string name, flash::Geometry geometry, TimeModel time, PowerSupply& power);

  flash::Geometry geometry() const override { return geometry_; }
  const std::string& name() const { return name_; }
  const TimeModel& time_model() const { return time_; }
  const FlashCounters& counters() const { return counters_; }
  void reset_counters() { counters_ = FlashCounters{}; }
  PowerSupply& power() { return power_; }
  // Address of the last refused program over non-erased bits.
  std::uint32_t last_not_erased_address() const { return last_not_erased_address_; }

  // Direct access that is not a flash operation (no counters, no power):
  // factory programming and inspection by tests.
  void peek(std::uint32_t address, std::span<std::uint8_t> out) const;
  void poke(std::uint32_t address, std::span<const std::uint8_t> data);
  // Everything erased (as shipped).
  void wipe() { chunks_.clear(); }
  // Chunks are shared copy-on-write, so a saved board costs only what later changes.
  Contents save() const { return chunks_; }
  void load(const Contents& contents) { chunks_ = contents; }
  // Bytes of storage actually allocated.
  std::size_t allocated_bytes() const { return chunks_.size() * chunk_size_; }

 protected:
  bool in_range(std::uint32_t address, std::size_t length) const {
    return address <= geometry_.size && length <= geometry_.size - address;
  }
  std::uint8_t get(std::uint32_t address) const;
  // True when every byte of the range reads as erased.
  bool erased(std::uint32_t address, std::size_t length) const;
  void set(std::uint32_t address, std::uint8_t value);
  // Drops the chunks of [address, address + length) (chunk-aligned): they read erased.
  void drop(std::uint32_t address, std::uint32_t length);
  std::uint8_t random_byte() { return static_cast<std::uint8_t>(power_.random()()); }
  std::uint64_t random_below(std::uint64_t n) { return n == 0 ? 0 : power_.random()() % n; }

  // Checks power at the start of an operation; kOk to proceed, kIoError when
  // off. `torn` tells the caller to leave its range half done.
  Status begin(PowerSupply::Operation operation, bool& torn);
  Status read_impl(std::uint32_t address, std::span<std::uint8_t> out);

  flash::Geometry geometry_;
  TimeModel time_;
  FlashCounters counters_;
  PowerSupply& power_;
  std::uint32_t last_not_erased_address_ = 0;

 private:
  std::vector<std::uint8_t>& writable_chunk(std::uint32_t index);
  template <typename F>
  void for_each_segment(std::uint32_t address, std::size_t length, F&& f) const;

  std::string name_;
  std::uint32_t chunk_size_;
  std::vector<std::uint8_t> erased_chunk_;  // reference for erased()
  Contents chunks_;
};

}  // namespace otter::sim
