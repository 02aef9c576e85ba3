// The update-state log: an append-only sequence of CRC-protected records in
// fixed 1 KiB slots over two or more erase units of internal flash. The newest
// valid record (highest sequence) is the state. Appending never erases the
// unit holding the newest record, so there is always one intact copy of the
// state, whatever instant power fails.
//
// Each slot holds one record header followed by progress marks: program-size
// units that are programmed (never erased) one by one as a copy step finishes
// a unit of work, or as a trial image boots. A mark is programmed only after
// its work is complete, so a torn mark (any bit cleared) still means "done".
#pragma once

#include <cstdint>

#include "otter/boot/state_record.h"
#include "otter/core/result.h"
#include "otter/flash/partition.h"

namespace otter::boot {

inline constexpr std::uint32_t kSlotSize = 1024;

class StateLog {
 public:
  explicit StateLog(const flash::Partition& area) : area_(area) {}

  // Scans every slot. kOk with empty() true on a fresh log; kUnsupported when
  // the area cannot hold a log (needs erase units of >= 1 KiB, >= 2 of them).
  Status open();
  bool empty() const { return !has_latest_; }
  // Precondition: !empty().
  const StateRecord& latest() const { return latest_; }

  // Writes `record` with the next sequence number into the next erased slot.
  Status append(StateRecord record);

  std::uint32_t mark_capacity() const;
  // Progress marks of the newest record.
  Result<bool> is_marked(std::uint32_t index) const;
  Status mark(std::uint32_t index);
  // Number of marks set before the first unset one.
  Result<std::uint32_t> count_marks() const;

 private:
  std::uint32_t slots_per_unit() const;
  std::uint32_t slot_count() const;
  std::uint32_t slot_offset(std::uint32_t slot) const { return slot * kSlotSize; }
  std::uint32_t mark_offset(std::uint32_t index) const;
  Result<bool> slot_erased(std::uint32_t slot) const;

  flash::Partition area_;
  StateRecord latest_{};
  std::uint32_t latest_slot_ = 0;
  bool has_latest_ = false;
  bool opened_ = false;
};

}  // namespace otter::boot
