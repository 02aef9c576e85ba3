// CONTRACT HEADER (written before the implementation; the image module's owner
// may extend it but must keep these names and meanings, other modules use them).
//
// Firmware image verification: descriptor, SHA-256 over a flash area read back
// in fixed-size chunks, ECDSA P-256 signature check with mbedTLS.
#pragma once

#include <array>
#include <cstdint>
#include <span>

#include "otter/core/result.h"
#include "otter/core/version.h"
#include "otter/flash/partition.h"

namespace otter::image {

// The descriptor sits at this offset of every image, right after the Cortex-M4
// vector table (M480: 16 system + up to 111 IRQ vectors = 0x1FC bytes).
inline constexpr std::uint32_t kDescriptorOffset = 0x200;

// Descriptor wire format v1 (little-endian, docs/image-format.md):
//   0 magic "OTTR"      4 format version (u16)   6 descriptor size (u16)
//   8 app version      12 hardware id           16 image size
//  20 min version      24 flags                 28 build id (20 bytes)
//  48 CRC-32 of bytes 0..47
inline constexpr std::uint32_t kDescriptorMagic = 0x5254544F;  // bytes 'O' 'T' 'T' 'R'
inline constexpr std::uint16_t kDescriptorFormatVersion = 1;
inline constexpr std::uint16_t kDescriptorSize = 52;
// The smallest image that can hold a descriptor.
inline constexpr std::uint32_t kMinImageSize = kDescriptorOffset + kDescriptorSize;

using Digest = std::array<std::uint8_t, 32>;
inline constexpr std::size_t kMaxSignatureSize = 72;  // DER ECDSA P-256

struct Descriptor {
  Version version;
  std::uint32_t hardware_id = 0;   // board id, see docs/image-format.md
  std::uint32_t image_size = 0;    // bytes of the whole image file
  std::uint32_t min_version = 0;   // anti-rollback floor this image sets (encoded Version)
  std::uint32_t flags = 0;
  std::array<std::uint8_t, 20> build_id{};
};

struct PublicKey {
  std::array<std::uint8_t, 65> point{};  // uncompressed SEC1 P-256 point (0x04 || X || Y)
};

// Parses a descriptor from the bytes at kDescriptorOffset of an image.
// Distinct errors: kNotFound (no magic: the image has no descriptor),
// kUnsupported (format version), kMalformed (descriptor size field, or an
// image size too small to hold the descriptor), kOutOfRange (`bytes` shorter
// than the descriptor), kCorrupt (CRC mismatch).
Result<Descriptor> parse_descriptor(std::span<const std::uint8_t> bytes);
// Writes the v1 wire form of `descriptor` (with its CRC) into `out`.
void serialize_descriptor(const Descriptor& descriptor, std::span<std::uint8_t, kDescriptorSize> out);
// Whether an image with this descriptor may be installed on `hardware_id`
// from a file of `file_size` bytes: kWrongBoard, or kCorrupt when the file is
// truncated/extended relative to the size the descriptor records.
Status check_descriptor(const Descriptor& descriptor, std::uint32_t hardware_id, std::uint32_t file_size);
// Reads and parses the descriptor of the image stored at the start of `area`.
Result<Descriptor> read_descriptor(const flash::Partition& area);

// SHA-256 of the first `size` bytes of `area`.
Result<Digest> sha256_of(const flash::Partition& area, std::uint32_t size);

// Accepts a PEM or DER SubjectPublicKeyInfo or X.509 certificate holding a
// P-256 key.
Result<PublicKey> parse_public_key(std::span<const std::uint8_t> pem_or_der);

// kOk, or kBadSignature / kMalformed (DER) / kBadKey. kInternal only if the
// crypto heap is too small (a configuration error, see crypto_heap.h).
Status verify_digest(const PublicKey& key, const Digest& digest, std::span<const std::uint8_t> der_signature);

// Digest of the first `size` bytes of `area`, then verify_digest. `digest_out`
// (optional) receives the digest.
Status verify_image(const flash::Partition& area, std::uint32_t size, std::span<const std::uint8_t> der_signature,
                    const PublicKey& key, Digest* digest_out = nullptr);

}  // namespace otter::image
