#include "test_images.h"

#include <stdlib.h>

#include <random>
#include <stdexcept>

#include "otter/image/image.h"

namespace otter::firmware::testing {

std::vector<std::uint8_t> make_image(std::uint32_t size, std::uint8_t major, std::uint8_t minor,
                                     std::uint16_t build, std::uint32_t hardware_id, std::uint32_t seed) {
  std::vector<std::uint8_t> bytes(size);
  std::mt19937 rng(seed);
  for (auto& b : bytes) b = static_cast<std::uint8_t>(rng());
  image::Descriptor d;
  d.version = Version{major, minor, build};
  d.hardware_id = hardware_id;
  d.image_size = size;
  std::span<std::uint8_t, image::kDescriptorSize> out(bytes.data() + image::kDescriptorOffset,
                                                       image::kDescriptorSize);
  image::serialize_descriptor(d, out);
  return bytes;
}

TempDir::TempDir() {
  std::string pattern = (std::filesystem::temp_directory_path() / "otter-test-XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  path_ = pattern;
}

TempDir::~TempDir() {
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

}  // namespace otter::firmware::testing
