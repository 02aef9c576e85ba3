// Cortex-M4 footprint of device/core: uses every public function once.
#include "otter/core/bitmap.h"
#include "otter/core/crc32.h"
#include "otter/core/version.h"

int main() {
  static otter::Bitmap<256> bitmap;
  bitmap->set(3);
  char text[16];
  const auto v = otter::parse_version({"1.0.1", 5});
  const auto n = otter::format_version(v.value_or(otter::Version{}), text);
  const std::uint8_t data[4] = {1, 2, 3, 4};
  return static_cast<int>(otter::crc32(data) + bitmap->find_first(false) + n.value_or(0) +
                          static_cast<std::size_t>(*otter::to_string(v.status())));
}
