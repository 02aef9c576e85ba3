// What otterd knows about one stored firmware image: its content digest (also
// its id), the fields of the Otter descriptor at 0x200, and its code signature.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace otter::firmware {

struct ImageDescriptor {
  std::string version;           // "1.0.1"
  std::uint32_t version_encoded = 0;  // AWS encoding major<<24 | minor<<16 | build
  std::uint32_t hardware_id = 0;
  std::string board;              // board name for hardware_id ("" when unknown)
  std::uint32_t image_size = 0;
  std::uint32_t min_version = 0;  // encoded anti-rollback floor
  std::uint32_t flags = 0;
  std::string build_id;           // hex
};

struct FirmwareImage {
  std::string id;      // = sha256 (content address)
  std::string name;    // operator's label, e.g. "fw_v1.0.1.bin"
  std::uint64_t size = 0;
  std::string sha256;  // lowercase hex
  std::optional<ImageDescriptor> descriptor;  // absent for raw (non-Otter) files
  std::vector<std::uint8_t> signature;        // DER ECDSA P-256/SHA-256; empty = unsigned
  std::string signer_certificate_pem;         // certificate the signature verifies with
  std::string signer;                         // its subject CN
  std::string signing_profile;                // server profile that signed it, if any
  std::int64_t created_at = 0;                // unix seconds

  bool is_signed() const { return !signature.empty(); }
};

// Parses the Otter descriptor of `image` (device/image's parse_descriptor, the
// same code the bootloader runs). Throws std::invalid_argument naming the
// problem when there is none or it is inconsistent with the file (declared
// size differs from the file's size).
ImageDescriptor read_image_descriptor(std::span<const std::uint8_t> image);

}  // namespace otter::firmware
