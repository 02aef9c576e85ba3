#include "otter/image/verification.h"

#include <array>
#include <vector>

#include "otter/crypto/signature.h"
#include "otter/image/memory_flash.h"
#include "otter/image/stamp.h"

namespace otter::image {
namespace {

// DER SubjectPublicKeyInfo prefix for an uncompressed P-256 point
// (SEQUENCE, id-ecPublicKey, prime256v1, BIT STRING of 66 bytes).
constexpr std::array<std::uint8_t, 26> kSpkiPrefix = {
    0x30, 0x59, 0x30, 0x13, 0x06, 0x07, 0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x02, 0x01,
    0x06, 0x08, 0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x03, 0x01, 0x07, 0x03, 0x42, 0x00};

std::string key_problem(Status status) {
  switch (status) {
    case Status::kUnsupported:
      return "is not an EC P-256 (prime256v1) certificate or public key";
    case Status::kBadKey:
      return "holds a point that is not on the P-256 curve";
    case Status::kBufferTooSmall:
      return "is larger than a device accepts (DER over 1.5 KiB)";
    default:
      return "is not a PEM/DER certificate or public key";
  }
}

Verification fail(Verification v, Verdict verdict, std::string message) {
  v.verdict = verdict;
  v.message = std::move(message);
  return v;
}

}  // namespace

std::string fingerprint_of(const PublicKey& key) {
  std::vector<std::uint8_t> spki(kSpkiPrefix.begin(), kSpkiPrefix.end());
  spki.insert(spki.end(), key.point.begin(), key.point.end());
  return crypto::to_hex(crypto::sha256(spki));
}

Verification verify_signed_image(const VerifyRequest& request) {
  Verification v;
  const auto key = parse_public_key(request.key_pem_or_der);
  if (!key.ok()) return fail(v, Verdict::kKeyUnusable, "the certificate/key " + key_problem(key.status()));
  v.key_fingerprint = fingerprint_of(*key);

  const auto descriptor = descriptor_of(request.image);
  v.descriptor_status = descriptor.status();
  if (descriptor.ok()) v.descriptor = *descriptor;
  const auto size = request.image.size();
  if (request.require_descriptor || descriptor.status() != Status::kNotFound) {
    if (descriptor.status() == Status::kNotFound) return fail(v, Verdict::kNoDescriptor, explain_descriptor_error(descriptor.status()));
    if (!descriptor.ok()) return fail(v, Verdict::kDescriptorCorrupt, explain_descriptor_error(descriptor.status()));
    if (size < descriptor->image_size) {
      return fail(v, Verdict::kTruncated,
                  "image is truncated: its descriptor records " + std::to_string(descriptor->image_size) +
                      " bytes, the file has " + std::to_string(size));
    }
    if (size > descriptor->image_size) {
      return fail(v, Verdict::kExtended,
                  "image is extended: its descriptor records " + std::to_string(descriptor->image_size) +
                      " bytes, the file has " + std::to_string(size) + " (data appended after stamping)");
    }
    if (request.expected_hardware_id && descriptor->hardware_id != *request.expected_hardware_id) {
      return fail(v, Verdict::kWrongBoard,
                  "board mismatch: the image is built for " + board_label(descriptor->hardware_id) + ", expected " +
                      board_label(*request.expected_hardware_id));
    }
  } else if (request.expected_hardware_id) {
    return fail(v, Verdict::kNoDescriptor, "cannot check the board: " + explain_descriptor_error(Status::kNotFound));
  }

  if (size > UINT32_MAX) return fail(v, Verdict::kExtended, "image larger than 4 GiB");
  MemoryFlash flash(std::vector<std::uint8_t>(request.image.begin(), request.image.end()));
  const Status status =
      verify_image(flash.whole(), static_cast<std::uint32_t>(size), request.signature_der, *key, &v.digest);
  if (status == Status::kOk) {
    v.verdict = Verdict::kValid;
    v.message = "signature valid (ECDSA P-256, SHA-256 " + crypto::to_hex(v.digest) + ")";
    return v;
  }
  if (status == Status::kMalformed) {
    return fail(v, Verdict::kSignatureMalformed, "the signature is not a DER ECDSA signature (SEQUENCE of two INTEGERs)");
  }
  if (status != Status::kBadSignature) {
    return fail(v, Verdict::kBadSignature, std::string("verification failed: ") + to_string(status));
  }
  if (request.record) {
    const SigningRecord& record = *request.record;
    if (record.key_fingerprint != v.key_fingerprint) {
      return fail(v, Verdict::kWrongKey,
                  "wrong key: the image was signed by key " + record.key_fingerprint.substr(0, 16) +
                      "..., the certificate given holds key " + v.key_fingerprint.substr(0, 16) + "...");
    }
    if (record.image_sha256 != crypto::to_hex(v.digest)) {
      std::string what = "the signature belongs to another file: it was made for " + std::to_string(record.image_size) +
                         " bytes with SHA-256 " + record.image_sha256.substr(0, 16) + "..., this file is " +
                         std::to_string(size) + " bytes with SHA-256 " + crypto::to_hex(v.digest).substr(0, 16) + "...";
      return fail(v, Verdict::kOtherFile, what);
    }
  }
  return fail(v, Verdict::kBadSignature,
              "signature does not verify: either this is not the file that was signed, or it was signed by another "
              "key than the one given (key " + v.key_fingerprint.substr(0, 16) +
                  "...); a bundle (otter sign --bundle) records which");
}

const char* verdict_name(Verdict verdict) {
  switch (verdict) {
    case Verdict::kValid: return "valid";
    case Verdict::kKeyUnusable: return "key_unusable";
    case Verdict::kSignatureMalformed: return "signature_malformed";
    case Verdict::kNoDescriptor: return "no_descriptor";
    case Verdict::kDescriptorCorrupt: return "descriptor_corrupt";
    case Verdict::kTruncated: return "truncated";
    case Verdict::kExtended: return "extended";
    case Verdict::kWrongBoard: return "wrong_board";
    case Verdict::kWrongKey: return "wrong_key";
    case Verdict::kOtherFile: return "other_file";
    case Verdict::kBadSignature: return "bad_signature";
  }
  return "unknown";
}

}  // namespace otter::image
