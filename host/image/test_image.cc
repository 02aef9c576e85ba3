#include "otter/image/test_image.h"

#include <stdexcept>

#include "otter/crypto/certificate.h"
#include "otter/crypto/keys.h"
#include "otter/crypto/signature.h"
#include "otter/image/stamp.h"

namespace otter::image {
namespace {

void put32(std::vector<std::uint8_t>& b, std::size_t at, std::uint32_t v) {
  for (std::size_t i = 0; i < 4; ++i) b[at + i] = static_cast<std::uint8_t>(v >> (8 * i));
}

}  // namespace

std::vector<std::uint8_t> make_test_image(const TestImageSpec& spec) {
  if (spec.size < kMinImageSize) {
    throw std::invalid_argument("test image must be at least " + std::to_string(kMinImageSize) + " bytes");
  }
  std::vector<std::uint8_t> image(spec.size);
  // xorshift32: cheap, deterministic, and every seed gives a different body.
  std::uint32_t state = spec.seed * 2654435761u + 0x9E3779B9u;
  if (state == 0) state = 1;
  for (auto& byte : image) {
    state ^= state << 13;
    state ^= state >> 17;
    state ^= state << 5;
    byte = static_cast<std::uint8_t>(state);
  }
  // Vector table: initial stack pointer at the top of the M487's 160 KiB SRAM,
  // Thumb reset handler just past the descriptor.
  put32(image, 0, 0x20028000);
  put32(image, 4, (kMinImageSize + 1) | 1u);
  StampOptions options;
  options.version = spec.version;
  options.hardware_id = spec.hardware_id;
  options.min_version = spec.min_version;
  options.force = true;  // the random body fills the slot
  return stamp_image(image, options);
}

TestSigner::TestSigner()
    : key_(crypto::generate_p256_key()), cert_(crypto::make_code_signing_certificate(key_, "Otter test signer", 30)) {}

std::vector<std::uint8_t> TestSigner::sign(std::span<const std::uint8_t> image) const {
  return crypto::sign_sha256(key_, image);
}

std::string TestSigner::sign_base64(std::span<const std::uint8_t> image) const {
  return crypto::encode_base64(sign(image));
}

PublicKey TestSigner::device_key() const {
  const auto der = crypto::public_key_der(key_);
  auto key = parse_public_key(der);
  if (!key.ok()) throw std::logic_error("device code rejected an OpenSSL P-256 key");
  return *key;
}

std::string TestSigner::certificate_pem() const { return crypto::certificate_pem(cert_.get()); }

std::string TestSigner::private_key_pem() const { return crypto::private_key_pem(key_); }

}  // namespace otter::image
