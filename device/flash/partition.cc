#include "otter/flash/partition.h"

namespace otter::flash {

Geometry Partition::geometry() const {
  if (device_ == nullptr) return Geometry{};
  Geometry g = device_->geometry();
  g.size = size_;
  return g;
}

bool Partition::valid() const {
  if (device_ == nullptr || size_ == 0) return false;
  const Geometry g = device_->geometry();
  if (size_ > g.size || offset_ > g.size - size_) return false;  // inside, without 64-bit sums
  return g.erase_size == 0 || (offset_ % g.erase_size | size_ % g.erase_size) == 0;
}

bool Partition::contains(std::uint32_t offset, std::size_t length) const {
  return device_ != nullptr && offset <= size_ && length <= size_ - offset;
}

Status Partition::read(std::uint32_t offset, std::uint8_t* out, std::size_t size) const {
  if (!contains(offset, size)) return Status::kOutOfRange;
  if (size == 0) return Status::kOk;
  return device_->read(offset_ + offset, std::span<std::uint8_t>(out, size));
}

Status Partition::program(std::uint32_t offset, const std::uint8_t* data, std::size_t size) const {
  if (!contains(offset, size)) return Status::kOutOfRange;
  if (size == 0) return Status::kOk;
  return device_->program(offset_ + offset, std::span<const std::uint8_t>(data, size));
}

Status Partition::erase(std::uint32_t offset, std::uint32_t length) const {
  if (!contains(offset, length)) return Status::kOutOfRange;
  if (length == 0) return Status::kOk;
  return device_->erase(offset_ + offset, length);
}

Status Partition::erase_covering(std::uint32_t offset, std::uint32_t length) const {
  if (!contains(offset, length)) return Status::kOutOfRange;
  if (length == 0) return Status::kOk;
  const std::uint32_t unit = geometry().erase_size;
  if (unit == 0) return Status::kOk;
  const std::uint32_t start = offset - offset % unit;
  std::uint64_t end = static_cast<std::uint64_t>(offset) + length;
  end = (end + unit - 1) / unit * unit;
  if (end > size_) end = size_;
  return device_->erase(offset_ + start, static_cast<std::uint32_t>(end - start));
}

Result<bool> Partition::is_erased(std::uint32_t offset, std::uint32_t length) const {
  if (!contains(offset, length)) return Status::kOutOfRange;
  const std::uint8_t erased = geometry().erased_value;
  std::uint8_t chunk[64];
  while (length > 0) {
    const std::uint32_t n = length < sizeof(chunk) ? length : static_cast<std::uint32_t>(sizeof(chunk));
    OTTER_TRY(device_->read(offset_ + offset, std::span<std::uint8_t>(chunk, n)));
    for (std::uint32_t i = 0; i < n; ++i) {
      if (chunk[i] != erased) return false;
    }
    offset += n;
    length -= n;
  }
  return true;
}

}  // namespace otter::flash
