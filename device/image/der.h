// A small bounded DER walker: just enough ASN.1 to read ECDSA signatures,
// SubjectPublicKeyInfo and the path through an X.509 certificate to its key.
// mbedTLS's X.509 stack would do the same at several KiB of flash.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

#include "otter/core/result.h"
#include "otter/image/image.h"

namespace otter::image::der {

inline constexpr std::uint8_t kInteger = 0x02;
inline constexpr std::uint8_t kBitString = 0x03;
inline constexpr std::uint8_t kOid = 0x06;
inline constexpr std::uint8_t kSequence = 0x30;
inline constexpr std::uint8_t kContext0 = 0xA0;  // [0] EXPLICIT (certificate version)

// Reads consecutive TLVs from a byte range. Every length is checked against
// the remaining input; lengths must be minimally encoded (DER), at most two
// length bytes (64 KiB), never indefinite.
class Reader {
 public:
  explicit Reader(std::span<const std::uint8_t> data) : data_(data) {}

  bool at_end() const { return pos_ == data_.size(); }
  // Tag of the next element, or 0 at the end.
  std::uint8_t peek_tag() const { return at_end() ? 0 : data_[pos_]; }
  // Contents of the next element, which must have tag `tag`.
  Result<std::span<const std::uint8_t>> read(std::uint8_t tag);
  // Skips the next element, whatever its tag.
  Status skip();

 private:
  Result<std::span<const std::uint8_t>> next(std::uint8_t* tag);

  std::span<const std::uint8_t> data_;
  std::size_t pos_ = 0;
};

// r and s of an ECDSA P-256 signature, big-endian, left-padded to 32 bytes.
struct SignatureScalars {
  std::array<std::uint8_t, 32> r{};
  std::array<std::uint8_t, 32> s{};
};

// Ecdsa-Sig-Value ::= SEQUENCE { r INTEGER, s INTEGER } in strict DER: no
// trailing bytes, no negative or non-minimal integers, each at most 32 bytes
// of magnitude. kMalformed otherwise.
Result<SignatureScalars> decode_signature(std::span<const std::uint8_t> der);

// The uncompressed P-256 point of a DER SubjectPublicKeyInfo or X.509
// certificate: kMalformed for broken DER, kUnsupported for a key that is not
// EC P-256 (other algorithm, other curve, compressed point).
Result<PublicKey> extract_public_key(std::span<const std::uint8_t> der);

}  // namespace otter::image::der
