// Helpers for firmware tests: images with a real Otter descriptor, temp dirs.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace otter::firmware::testing {

// An image of `size` bytes with a v1 descriptor at 0x200 for `version`
// ("1.0.1") and `hardware_id`; other bytes pseudo-random from `seed`.
std::vector<std::uint8_t> make_image(std::uint32_t size, std::uint8_t major, std::uint8_t minor,
                                     std::uint16_t build, std::uint32_t hardware_id, std::uint32_t seed = 1);

// A fresh directory under the system temp dir, removed on destruction.
class TempDir {
 public:
  TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  ~TempDir();
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

}  // namespace otter::firmware::testing
