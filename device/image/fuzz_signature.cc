// Fuzz target: signature decoding, base64 (the job document's
// sig-sha256-ecdsa) and DER, then a verification against a fixed key.
#include <cstddef>
#include <cstdint>

#include "der.h"
#include "otter/codec/base64.h"
#include "otter/image/image.h"

namespace {

// A valid P-256 point (the generator G), so inputs reach ECDSA verification.
constexpr otter::image::PublicKey kKey{{0x04,
    0x6B, 0x17, 0xD1, 0xF2, 0xE1, 0x2C, 0x42, 0x47, 0xF8, 0xBC, 0xE6, 0xE5, 0x63, 0xA4, 0x40, 0xF2,
    0x77, 0x03, 0x7D, 0x81, 0x2D, 0xEB, 0x33, 0xA0, 0xF4, 0xA1, 0x39, 0x45, 0xD8, 0x98, 0xC2, 0x96,
    0x4F, 0xE3, 0x42, 0xE2, 0xFE, 0x1A, 0x7F, 0x9B, 0x8E, 0xE7, 0xEB, 0x4A, 0x7C, 0x0F, 0x9E, 0x16,
    0x2B, 0xCE, 0x33, 0x57, 0x6B, 0x31, 0x5E, 0xCE, 0xCB, 0xB6, 0x40, 0x68, 0x37, 0xBF, 0x51, 0xF5}};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  // First byte selects the path: raw DER or base64 text.
  if (size == 0) return 0;
  std::span<const std::uint8_t> input{data + 1, size - 1};
  std::uint8_t decoded[otter::image::kMaxSignatureSize];
  if (data[0] & 1) {
    const auto n = otter::codec::base64_decode(
        {reinterpret_cast<const char*>(input.data()), input.size()}, decoded);
    if (!n.ok()) return 0;
    input = {decoded, *n};
  }
  const auto sig = otter::image::der::decode_signature(input);
  if (!sig.ok()) return 0;
  const otter::image::Digest digest{};
  const auto status = otter::image::verify_digest(kKey, digest, input);
  if (status != otter::Status::kBadSignature && status != otter::Status::kOk) __builtin_trap();
  return 0;
}
