// Fuzz target: the image descriptor parser (untrusted bytes from a downloaded image).
#include <cstddef>
#include <cstdint>

#include "otter/image/image.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto parsed = otter::image::parse_descriptor({data, size});
  if (parsed.ok()) {
    // Whatever parses must serialize back to the same bytes.
    std::uint8_t out[otter::image::kDescriptorSize];
    otter::image::serialize_descriptor(*parsed, out);
    for (std::size_t i = 0; i < sizeof(out); ++i) {
      if (out[i] != data[i]) __builtin_trap();
    }
  }
  return 0;
}
