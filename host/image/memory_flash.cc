#include "otter/image/memory_flash.h"

#include <algorithm>

namespace otter::image {

flash::Geometry MemoryFlash::geometry() const {
  flash::Geometry g;
  g.size = static_cast<std::uint32_t>(bytes_.size());
  g.erase_size = 0;
  g.program_size = 1;
  g.needs_erase = false;
  return g;
}

bool MemoryFlash::contains(std::uint32_t address, std::size_t length) const {
  return address <= bytes_.size() && length <= bytes_.size() - address;
}

Status MemoryFlash::read(std::uint32_t address, std::span<std::uint8_t> out) {
  if (!contains(address, out.size())) return Status::kOutOfRange;
  std::copy_n(bytes_.begin() + address, out.size(), out.begin());
  return Status::kOk;
}

Status MemoryFlash::program(std::uint32_t address, std::span<const std::uint8_t> data) {
  if (!contains(address, data.size())) return Status::kOutOfRange;
  std::copy(data.begin(), data.end(), bytes_.begin() + address);
  return Status::kOk;
}

Status MemoryFlash::erase(std::uint32_t address, std::uint32_t length) {
  if (!contains(address, length)) return Status::kOutOfRange;
  return Status::kOk;
}

}  // namespace otter::image
