// Cortex-M4 footprint of device/image. OTTER_FOOTPRINT_FULL adds what a device
// uses besides verification: descriptor parsing and the PEM/DER key and
// certificate parser. Without it: SHA-256 over a flash area + ECDSA P-256
// verification only (the 14 KiB goal).
#include <cstring>

#include "otter/image/image.h"

namespace {

// Internal flash is memory-mapped on the M487: reading is a copy.
class MappedFlash : public otter::flash::FlashDevice {
 public:
  otter::flash::Geometry geometry() const override { return {0x80000, 4096, 4, 0, 0xFF, true}; }
  otter::Status read(std::uint32_t address, std::span<std::uint8_t> out) override {
    std::memcpy(out.data(), reinterpret_cast<const void*>(static_cast<std::uintptr_t>(address)), out.size());
    return otter::Status::kOk;
  }
  otter::Status program(std::uint32_t, std::span<const std::uint8_t>) override { return otter::Status::kUnsupported; }
  otter::Status erase(std::uint32_t, std::uint32_t) override { return otter::Status::kUnsupported; }
};

volatile std::uint8_t g_input[128];  // stands for the key and signature received at run time

}  // namespace

int main() {
  static MappedFlash flash;
  const otter::flash::Partition staging(flash, 0x40000, 0x38000, "staging");
  std::uint8_t signature[otter::image::kMaxSignatureSize];
  for (std::size_t i = 0; i < sizeof(signature); ++i) signature[i] = g_input[i];
#ifdef OTTER_FOOTPRINT_FULL
  std::uint8_t pem[128];
  for (std::size_t i = 0; i < sizeof(pem); ++i) pem[i] = g_input[i];
  const auto key = otter::image::parse_public_key(pem);
  const auto descriptor = otter::image::read_descriptor(staging);
  if (!key.ok() || !descriptor.ok()) return 1;
  return static_cast<int>(
      otter::image::verify_image(staging, descriptor->image_size, signature, *key));
#else
  otter::image::PublicKey key;
  for (std::size_t i = 0; i < key.point.size(); ++i) key.point[i] = g_input[i];
  return static_cast<int>(otter::image::verify_image(staging, 0x38000, signature, key));
#endif
}
