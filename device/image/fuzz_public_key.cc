// Fuzz target: the provisioned key/certificate parser (PEM/DER, SPKI/X.509).
#include <cstddef>
#include <cstdint>

#include "otter/image/image.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto key = otter::image::parse_public_key({data, size});
  if (key.ok() && key->point[0] != 0x04) __builtin_trap();
  return 0;
}
