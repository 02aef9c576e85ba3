#include "otter/sim/simulated_memory.h"

#include <algorithm>
#include <cstring>

namespace otter::sim {

namespace {
// Sparse storage granule: the erase unit, or 4 KiB for devices without one.
std::uint32_t chunk_size_for(const flash::Geometry& g) { return g.erase_size != 0 ? g.erase_size : 4096; }
}  // namespace

SimulatedMemory::SimulatedMemory(std::string name, flash::Geometry geometry, TimeModel time, PowerSupply& power)
    : geometry_(geometry),
      time_(time),
      power_(power),
      name_(std::move(name)),
      chunk_size_(chunk_size_for(geometry)),
      erased_chunk_(chunk_size_, geometry.erased_value) {}

std::uint8_t SimulatedMemory::get(std::uint32_t address) const {
  const auto it = chunks_.find(address / chunk_size_);
  if (it == chunks_.end()) return geometry_.erased_value;
  return (*it->second)[address % chunk_size_];
}

std::vector<std::uint8_t>& SimulatedMemory::writable_chunk(std::uint32_t index) {
  auto& slot = chunks_[index];
  if (!slot) {
    slot = std::make_shared<const std::vector<std::uint8_t>>(chunk_size_, geometry_.erased_value);
  } else if (slot.use_count() > 1) {
    slot = std::make_shared<const std::vector<std::uint8_t>>(*slot);  // copy on write
  }
  // The chunk is now owned by this memory alone.
  return const_cast<std::vector<std::uint8_t>&>(*slot);
}

void SimulatedMemory::set(std::uint32_t address, std::uint8_t value) {
  writable_chunk(address / chunk_size_)[address % chunk_size_] = value;
}

void SimulatedMemory::drop(std::uint32_t address, std::uint32_t length) {
  // Callers erase whole erase units, which are whole chunks.
  for (std::uint32_t index = address / chunk_size_; index < (address + length) / chunk_size_; ++index) {
    chunks_.erase(index);
  }
}

// Whole-chunk segments, so a 4 KiB access costs one lookup, not 4096.
template <typename F>
void SimulatedMemory::for_each_segment(std::uint32_t address, std::size_t length, F&& f) const {
  while (length > 0) {
    const std::uint32_t index = address / chunk_size_;
    const std::uint32_t offset = address % chunk_size_;
    const std::size_t n = std::min<std::size_t>(length, chunk_size_ - offset);
    f(index, offset, n);
    address += static_cast<std::uint32_t>(n);
    length -= n;
  }
}

void SimulatedMemory::peek(std::uint32_t address, std::span<std::uint8_t> out) const {
  if (!in_range(address, out.size())) return;
  std::size_t done = 0;
  for_each_segment(address, out.size(), [&](std::uint32_t index, std::uint32_t offset, std::size_t n) {
    const auto it = chunks_.find(index);
    if (it == chunks_.end()) {
      std::memset(out.data() + done, geometry_.erased_value, n);
    } else {
      std::memcpy(out.data() + done, it->second->data() + offset, n);
    }
    done += n;
  });
}

void SimulatedMemory::poke(std::uint32_t address, std::span<const std::uint8_t> data) {
  if (!in_range(address, data.size())) return;
  std::size_t done = 0;
  for_each_segment(address, data.size(), [&](std::uint32_t index, std::uint32_t offset, std::size_t n) {
    std::memcpy(writable_chunk(index).data() + offset, data.data() + done, n);
    done += n;
  });
}

bool SimulatedMemory::erased(std::uint32_t address, std::size_t length) const {
  bool all = true;
  for_each_segment(address, length, [&](std::uint32_t index, std::uint32_t offset, std::size_t n) {
    const auto it = chunks_.find(index);
    if (!all || it == chunks_.end()) return;
    // memcmp against an erased chunk: the per-byte loop dominated sanitizer runs.
    all = std::memcmp(it->second->data() + offset, erased_chunk_.data(), n) == 0;
  });
  return all;
}

Status SimulatedMemory::begin(PowerSupply::Operation operation, bool& torn) {
  torn = false;
  switch (power_.begin_operation(operation)) {
    case PowerSupply::Verdict::kOff: ++counters_.refused; return Status::kIoError;
    case PowerSupply::Verdict::kTear:
      ++counters_.torn;
      torn = true;
      return Status::kOk;
    case PowerSupply::Verdict::kRun: return Status::kOk;
  }
  return Status::kInternal;
}

Status SimulatedMemory::read_impl(std::uint32_t address, std::span<std::uint8_t> out) {
  if (!in_range(address, out.size())) return Status::kOutOfRange;
  bool torn = false;
  OTTER_TRY(begin(PowerSupply::Operation::kRead, torn));
  if (torn) return Status::kIoError;  // power went during the read: nothing changes
  ++counters_.reads;
  counters_.bytes_read += out.size();
  counters_.time_us += time_.read_us(static_cast<std::uint32_t>(out.size()));
  peek(address, out);
  return Status::kOk;
}

}  // namespace otter::sim
