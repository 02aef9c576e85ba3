#include "otter/boot/state_log.h"

#include <array>

namespace otter::boot {

namespace {
constexpr std::uint32_t kMarksOffset = kRecordSize;  // marks follow the header in a slot
}

std::uint32_t StateLog::slots_per_unit() const { return area_.geometry().erase_size / kSlotSize; }
std::uint32_t StateLog::slot_count() const { return area_.size() / kSlotSize; }

std::uint32_t StateLog::mark_capacity() const {
  const std::uint32_t unit = area_.geometry().program_size;
  return unit == 0 ? 0 : (kSlotSize - kMarksOffset) / unit;
}

std::uint32_t StateLog::mark_offset(std::uint32_t index) const {
  return slot_offset(latest_slot_) + kMarksOffset + index * area_.geometry().program_size;
}

Status StateLog::open() {
  opened_ = false;
  has_latest_ = false;
  const flash::Geometry g = area_.geometry();
  if (!area_.valid() || !g.needs_erase || g.erase_size < kSlotSize || g.erase_size % kSlotSize != 0 ||
      area_.size() / g.erase_size < 2 || g.program_size == 0 || kRecordSize % g.program_size != 0 ||
      (g.program_page != 0 && g.program_page < kRecordSize)) {
    return Status::kUnsupported;
  }
  std::array<std::uint8_t, kRecordSize> bytes{};
  for (std::uint32_t slot = 0; slot < slot_count(); ++slot) {
    OTTER_TRY(area_.read(slot_offset(slot), bytes));
    auto record = decode_record(bytes);
    if (!record.ok()) continue;
    // Sequence numbers only grow; 2^32 appends exceed any flash endurance.
    if (!has_latest_ || record->sequence > latest_.sequence) {
      latest_ = *record;
      latest_slot_ = slot;
      has_latest_ = true;
    }
  }
  opened_ = true;
  return Status::kOk;
}

Result<bool> StateLog::slot_erased(std::uint32_t slot) const { return area_.is_erased(slot_offset(slot), kSlotSize); }

Status StateLog::append(StateRecord record) {
  if (!opened_) return Status::kInvalidArgument;
  const std::uint32_t per_unit = slots_per_unit();
  const std::uint32_t slots = slot_count();
  record.sequence = has_latest_ ? latest_.sequence + 1 : 1;

  // Candidate: the slots after the newest record in its erase unit (a torn
  // earlier append may have left one dirty: skip it), else the first slot of
  // the next unit, erased first. The newest record's unit is never erased.
  std::uint32_t target = slots;
  if (has_latest_) {
    const std::uint32_t unit_end = (latest_slot_ / per_unit + 1) * per_unit;
    for (std::uint32_t slot = latest_slot_ + 1; slot < unit_end; ++slot) {
      OTTER_ASSIGN_OR_RETURN(const bool erased, slot_erased(slot));
      if (erased) {
        target = slot;
        break;
      }
    }
    if (target == slots) {
      target = unit_end % slots;
      OTTER_TRY(area_.erase(slot_offset(target), per_unit * kSlotSize));
    }
  } else {
    OTTER_ASSIGN_OR_RETURN(const bool erased, slot_erased(0));
    target = 0;
    if (!erased) OTTER_TRY(area_.erase(0, per_unit * kSlotSize));
  }

  std::array<std::uint8_t, kRecordSize> bytes{};
  encode_record(record, bytes);
  OTTER_TRY(area_.program(slot_offset(target), bytes));
  latest_ = record;
  latest_slot_ = target;
  has_latest_ = true;
  return Status::kOk;
}

Result<bool> StateLog::is_marked(std::uint32_t index) const {
  if (!has_latest_ || index >= mark_capacity()) return Status::kOutOfRange;
  const std::uint32_t unit = area_.geometry().program_size;
  OTTER_ASSIGN_OR_RETURN(const bool erased, area_.is_erased(mark_offset(index), unit));
  return !erased;
}

Status StateLog::mark(std::uint32_t index) {
  if (!has_latest_ || index >= mark_capacity()) return Status::kOutOfRange;
  OTTER_ASSIGN_OR_RETURN(const bool already, is_marked(index));
  if (already) return Status::kOk;
  static constexpr std::array<std::uint8_t, 16> kZeros{};
  const std::uint32_t unit = area_.geometry().program_size;
  if (unit > kZeros.size()) return Status::kUnsupported;
  return area_.program(mark_offset(index), std::span<const std::uint8_t>(kZeros.data(), unit));
}

Result<std::uint32_t> StateLog::count_marks() const {
  std::uint32_t n = 0;
  while (n < mark_capacity()) {
    OTTER_ASSIGN_OR_RETURN(const bool marked, is_marked(n));
    if (!marked) break;
    ++n;
  }
  return n;
}

}  // namespace otter::boot
