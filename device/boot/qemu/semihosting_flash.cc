#include "semihosting_flash.h"

#include <algorithm>
#include <array>

#include "otter/ports/semihosting.h"

namespace otter::boot::qemu {

namespace sh = otter::semihosting;

Status SemihostingFlash::open() {
  handle_ = sh::open(path_, sh::OpenMode::kReadWriteBinary);
  if (handle_ < 0) return Status::kNotFound;
  if (sh::file_length(handle_) != static_cast<long>(geometry_.size)) return Status::kInvalidArgument;
  return Status::kOk;
}

Status SemihostingFlash::read(std::uint32_t address, std::span<std::uint8_t> out) {
  if (!in_range(address, out.size())) return Status::kOutOfRange;
  if (out.empty()) return Status::kOk;
  if (!sh::seek(handle_, address) || sh::read(handle_, out.data(), out.size()) != 0) return Status::kIoError;
  return Status::kOk;
}

Status SemihostingFlash::program(std::uint32_t address, std::span<const std::uint8_t> data) {
  if (!in_range(address, data.size())) return Status::kOutOfRange;
  if (data.empty()) return Status::kOk;
  const std::uint32_t size = static_cast<std::uint32_t>(data.size());
  const std::uint32_t page = geometry_.program_page;
  if (address % geometry_.program_size != 0 || size % geometry_.program_size != 0 ||
      (page != 0 && address / page != (address + size - 1) / page)) {
    return Status::kMisaligned;
  }
  if (geometry_.needs_erase) {
    std::array<std::uint8_t, 64> current{};
    for (std::uint32_t done = 0; done < size;) {
      const std::uint32_t n = std::min<std::uint32_t>(size - done, current.size());
      OTTER_TRY(read(address + done, std::span<std::uint8_t>(current.data(), n)));
      for (std::uint32_t i = 0; i < n; ++i) {
        if (current[i] != geometry_.erased_value) return Status::kNotErased;
      }
      done += n;
    }
  }
  if (!sh::seek(handle_, address) || sh::write(handle_, data.data(), data.size()) != 0) return Status::kIoError;
  return Status::kOk;
}

Status SemihostingFlash::erase(std::uint32_t address, std::uint32_t length) {
  if (!in_range(address, length)) return Status::kOutOfRange;
  if (!geometry_.needs_erase || length == 0) return Status::kOk;
  if (address % geometry_.erase_size != 0 || length % geometry_.erase_size != 0) return Status::kMisaligned;
  std::array<std::uint8_t, 256> erased{};
  erased.fill(geometry_.erased_value);
  for (std::uint32_t done = 0; done < length; done += erased.size()) {
    if (!sh::seek(handle_, address + done) || sh::write(handle_, erased.data(), erased.size()) != 0) {
      return Status::kIoError;
    }
  }
  return Status::kOk;
}

}  // namespace otter::boot::qemu
