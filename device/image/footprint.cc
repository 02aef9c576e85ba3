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
  // noipa: link-time optimization must not see the constant answers below.
  [[gnu::noipa]] otter::flash::Geometry geometry() const override { return {0x80000, 4096, 4, 0, 0xFF, true}; }
  otter::Status read(std::uint32_t address, std::span<std::uint8_t> out) override {
    std::memcpy(out.data(), reinterpret_cast<const void*>(static_cast<std::uintptr_t>(address)), out.size());
    return otter::Status::kOk;
  }
  [[gnu::noipa]] otter::Status program(std::uint32_t, std::span<const std::uint8_t>) override { return otter::Status::kUnsupported; }
  [[gnu::noipa]] otter::Status erase(std::uint32_t, std::uint32_t) override { return otter::Status::kUnsupported; }
  // Never heap-allocated; defining this keeps the deleting destructor that a
  // virtual destructor implies from referencing the global operator delete.
  static void operator delete(void*, std::size_t) {}
};

}  // namespace

// Stand for the key, certificate and signature a device receives at run time
// (external linkage, so the compiler cannot fold them).
otter::image::PublicKey g_key;
std::uint8_t g_signature[otter::image::kMaxSignatureSize];
std::uint8_t g_certificate[600];

int main() {
  // Whatever the linker can prove about these (never written: all zero), the
  // optimizer must not use: they stand for run-time data.
  MappedFlash flash;  // not static: a static with a destructor would pull in atexit()
  const otter::flash::Partition staging(flash, 0x40000, 0x38000, "staging");
#ifdef OTTER_FOOTPRINT_FULL
  asm volatile("" : : "r"(g_signature), "r"(g_certificate) : "memory");
  const auto key = otter::image::parse_public_key(g_certificate);
  const auto descriptor = otter::image::read_descriptor(staging);
  if (!key.ok() || !descriptor.ok()) return 1;
  return static_cast<int>(otter::image::verify_image(staging, descriptor->image_size, g_signature, *key));
#else
  asm volatile("" : : "r"(&g_key), "r"(g_signature) : "memory");
  return static_cast<int>(otter::image::verify_image(staging, 0x38000, g_signature, g_key));
#endif
}
