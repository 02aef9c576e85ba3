// Host-side verification of a signed image with the device's own code
// (descriptor parser, DER/PEM key parser, SHA-256 over a flash area, ECDSA
// P-256), turning each way it can fail into one verdict and a message that
// says what happened and what to do. Used by `otter verify` and `otter inspect`.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>

#include "otter/image/image.h"

namespace otter::image {

enum class Verdict {
  kValid,
  kKeyUnusable,         // the certificate/key does not parse or is not P-256
  kSignatureMalformed,  // the signature is not a DER ECDSA signature
  kNoDescriptor,
  kDescriptorCorrupt,
  kTruncated,           // file shorter than the descriptor records
  kExtended,            // file longer than the descriptor records
  kWrongBoard,
  kWrongKey,            // signed by another key (known from bundle metadata)
  kOtherFile,           // the signature is for different content (known from bundle metadata)
  kBadSignature,        // does not verify; cause not determinable from a bare signature
};

// What the signer recorded (from a bundle); lets a failure be attributed.
struct SigningRecord {
  std::string image_sha256;     // hex
  std::uint64_t image_size = 0;
  std::string key_fingerprint;  // hex
};

struct VerifyRequest {
  std::span<const std::uint8_t> image;
  std::span<const std::uint8_t> signature_der;
  std::span<const std::uint8_t> key_pem_or_der;
  std::optional<std::uint32_t> expected_hardware_id;
  std::optional<SigningRecord> record;
  bool require_descriptor = true;  // false: a raw (e.g. AWS-only) image
};

struct Verification {
  Verdict verdict = Verdict::kBadSignature;
  std::string message;  // one line, for people
  std::optional<Descriptor> descriptor;
  Status descriptor_status = Status::kNotFound;
  Digest digest{};
  std::string key_fingerprint;  // hex SHA-256 of the key's SubjectPublicKeyInfo ("" if unusable)

  bool ok() const { return verdict == Verdict::kValid; }
  // Inputs that could not be parsed at all, as opposed to an image that is
  // not acceptable.
  bool input_error() const { return verdict == Verdict::kKeyUnusable || verdict == Verdict::kSignatureMalformed; }
};

Verification verify_signed_image(const VerifyRequest& request);

// Stable identifier for --json output ("valid", "wrong_key", ...).
const char* verdict_name(Verdict verdict);

// Hex SHA-256 of the DER SubjectPublicKeyInfo of a P-256 point (the same
// value as crypto::key_fingerprint for the OpenSSL key).
std::string fingerprint_of(const PublicKey& key);

}  // namespace otter::image
