// A NOR flash kept in a file, so a device process can be killed and started
// again with its flash intact (the simulator's NorFlash models timing and
// power cuts; this one only persists). Erase sets units to the erased value,
// program only over erased bytes (else kNotErased); every operation is
// written through to the file before it returns.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "otter/flash/flash_device.h"

namespace otter::ports::posix {

class FileFlash final : public flash::FlashDevice {
 public:
  // Opens `path`, creating it erased if missing. nullptr with `error` set
  // when the file cannot be used (wrong size for the geometry, no access).
  static std::unique_ptr<FileFlash> open(const std::filesystem::path& path, const flash::Geometry& geometry,
                                         std::string& error);
  ~FileFlash() override;
  FileFlash(const FileFlash&) = delete;
  FileFlash& operator=(const FileFlash&) = delete;

  flash::Geometry geometry() const override { return geometry_; }
  Status read(std::uint32_t address, std::span<std::uint8_t> out) override;
  Status program(std::uint32_t address, std::span<const std::uint8_t> data) override;
  Status erase(std::uint32_t address, std::uint32_t length) override;

  // Factory programming (no NOR rules): what a programming tool writes.
  Status poke(std::uint32_t address, std::span<const std::uint8_t> data);

 private:
  FileFlash(int fd, const flash::Geometry& geometry, std::vector<std::uint8_t> bytes)
      : fd_(fd), geometry_(geometry), bytes_(std::move(bytes)) {}
  bool inside(std::uint32_t address, std::size_t length) const;
  Status write_through(std::uint32_t address, std::size_t length);

  int fd_ = -1;
  flash::Geometry geometry_;
  std::vector<std::uint8_t> bytes_;
};

}  // namespace otter::ports::posix
