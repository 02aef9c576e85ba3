// Test firmware for the bootloader, agent, simulator and server tests: a
// deterministic image with a plausible Cortex-M vector table and a stamped
// descriptor, and a signer holding a throw-away P-256 key and certificate.
//
//   otter::image::TestSigner signer;
//   auto image = otter::image::make_test_image({.size = 64 * 1024, .version = {1, 0, 1}});
//   auto sig = signer.sign(image);                 // DER, what verify_image takes
//   otter::image::PublicKey key = signer.device_key();
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "otter/crypto/openssl.h"
#include "otter/image/board.h"
#include "otter/image/image.h"

namespace otter::image {

struct TestImageSpec {
  std::uint32_t size = 64 * 1024;  // whole file, >= kMinImageSize
  Version version{1, 0, 0};
  std::uint32_t hardware_id = kHardwareNumakerIotM487;
  std::uint32_t min_version = 0;
  std::uint32_t seed = 1;          // different seeds give different bodies
};

// Deterministic for a given spec. Throws std::invalid_argument when size is
// below kMinImageSize.
std::vector<std::uint8_t> make_test_image(const TestImageSpec& spec);

class TestSigner {
 public:
  TestSigner();  // fresh P-256 key, self-signed code-signing certificate

  std::vector<std::uint8_t> sign(std::span<const std::uint8_t> image) const;  // DER
  std::string sign_base64(std::span<const std::uint8_t> image) const;         // sig-sha256-ecdsa
  PublicKey device_key() const;               // what a device is provisioned with
  std::string certificate_pem() const;        // the Code_Verify_Key certificate
  std::string private_key_pem() const;
  const crypto::PKey& key() const { return key_; }

 private:
  crypto::PKey key_;
  crypto::X509Ptr cert_;
};

}  // namespace otter::image
