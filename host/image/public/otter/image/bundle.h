// A signed bundle: one file holding the image, its signature and what is
// needed to tell failures apart (who signed it, what exactly was signed).
//
//   "OTTRBNDL" | u32 LE manifest length | manifest (JSON, UTF-8) | image bytes
//
// Manifest: {"format":1, "file", "size", "sha256" (hex), "sig-sha256-ecdsa"
// (base64 DER, the value a job document carries), "key_fingerprint" (hex
// SHA-256 of the signer's SubjectPublicKeyInfo), "certificate" (PEM, optional)}.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace otter::image {

struct Bundle {
  std::string file_name;                 // of the image when it was signed
  std::vector<std::uint8_t> image;
  std::vector<std::uint8_t> signature;   // DER
  std::string key_fingerprint;           // hex
  std::string certificate_pem;           // may be empty
  std::string image_sha256;              // hex, as recorded at signing
};

inline constexpr char kBundleMagic[] = "OTTRBNDL";

bool is_bundle(std::span<const std::uint8_t> bytes);
std::vector<std::uint8_t> encode_bundle(const Bundle& bundle);
// Throws ImageFileError naming what is wrong (truncated, bad manifest, size
// mismatch between manifest and payload).
Bundle decode_bundle(std::span<const std::uint8_t> bytes);

}  // namespace otter::image
