// The memories of one simulated board: its power supply (cuts hit both
// memories, numbered together) and its internal and external flash, built
// from a board profile.
#pragma once

#include <memory>

#include "otter/boards/board_profile.h"
#include "otter/sim/parts.h"

namespace otter::sim {

class BoardFlash {
 public:
  explicit BoardFlash(const boards::BoardProfile& profile, std::uint64_t seed = 1)
      : profile_(profile),
        power_(seed),
        internal_(make_memory(profile.internal, power_)),
        external_(make_memory(profile.external, power_)) {}

  const boards::BoardProfile& profile() const { return profile_; }
  PowerSupply& power() { return power_; }
  SimulatedMemory& internal() { return *internal_; }
  SimulatedMemory& external() { return *external_; }

  boot::Layout layout(boot::Mode mode) { return boards::make_layout(profile_, *internal_, *external_, mode); }
  boot::Layout layout() { return layout(profile_.default_mode); }
  flash::Partition area(const boards::Area& a, const char* name = "") {
    return boards::partition(a, *internal_, *external_, name);
  }

  FlashCounters counters() const {
    FlashCounters total = internal_->counters();
    total += external_->counters();
    return total;
  }
  void reset_counters() {
    internal_->reset_counters();
    external_->reset_counters();
  }

  struct Snapshot {
    SimulatedMemory::Contents internal, external;
  };
  Snapshot save() const { return {internal_->save(), external_->save()}; }
  void load(const Snapshot& s) {
    internal_->load(s.internal);
    external_->load(s.external);
  }

 private:
  const boards::BoardProfile& profile_;
  PowerSupply power_;
  std::unique_ptr<SimulatedMemory> internal_;
  std::unique_ptr<SimulatedMemory> external_;
};

}  // namespace otter::sim
