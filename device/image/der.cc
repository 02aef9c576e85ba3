#include "der.h"

#include <algorithm>

namespace otter::image::der {
namespace {

// 1.2.840.10045.2.1 (id-ecPublicKey) and 1.2.840.10045.3.1.7 (prime256v1).
constexpr std::uint8_t kOidEcPublicKey[] = {0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x02, 0x01};
constexpr std::uint8_t kOidPrime256v1[] = {0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x03, 0x01, 0x07};

bool equal(std::span<const std::uint8_t> a, std::span<const std::uint8_t> b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin());
}

// A positive DER INTEGER of at most 32 bytes of magnitude at der[*pos],
// left-padded into `out`. A signature is at most 72 bytes, so every DER
// length in it is in short form (below 0x80).
Status read_scalar(std::span<const std::uint8_t> der, std::size_t* pos, std::array<std::uint8_t, 32>& out) {
  std::size_t at = *pos;
  if (der.size() - at < 2 || der[at] != kInteger) return Status::kMalformed;
  std::size_t length = der[at + 1];
  at += 2;
  if (length == 0 || length > der.size() - at) return Status::kMalformed;  // also rejects long form
  if ((der[at] & 0x80) != 0) return Status::kMalformed;                     // negative
  *pos = at + length;
  if (der[at] == 0 && length > 1) {
    if ((der[at + 1] & 0x80) == 0) return Status::kMalformed;  // leading zero not needed: not minimal
    ++at;
    --length;
  }
  if (length > out.size()) return Status::kMalformed;
  out.fill(0);
  std::copy_n(der.begin() + static_cast<std::ptrdiff_t>(at), length, out.end() - static_cast<std::ptrdiff_t>(length));
  return Status::kOk;
}

Result<PublicKey> read_subject_public_key_info(std::span<const std::uint8_t> spki) {
  Reader fields(spki);
  OTTER_ASSIGN_OR_RETURN(auto algorithm, fields.read(kSequence));
  OTTER_ASSIGN_OR_RETURN(auto key_bits, fields.read(kBitString));
  if (!fields.at_end()) return Status::kMalformed;

  Reader alg(algorithm);
  OTTER_ASSIGN_OR_RETURN(auto key_type, alg.read(kOid));
  if (!equal(key_type, kOidEcPublicKey)) return Status::kUnsupported;
  // namedCurve is required for EC keys in certificates (RFC 5480); explicit
  // curve parameters are not supported.
  if (alg.peek_tag() != kOid) return Status::kUnsupported;
  OTTER_ASSIGN_OR_RETURN(auto curve, alg.read(kOid));
  if (!equal(curve, kOidPrime256v1)) return Status::kUnsupported;
  if (!alg.at_end()) return Status::kMalformed;

  PublicKey key;
  if (key_bits.empty() || key_bits[0] != 0) return Status::kMalformed;  // unused-bits count
  key_bits = key_bits.subspan(1);
  if (!key_bits.empty() && key_bits[0] != 0x04) return Status::kUnsupported;  // compressed point
  if (key_bits.size() != key.point.size()) return Status::kMalformed;
  std::copy(key_bits.begin(), key_bits.end(), key.point.begin());
  return key;
}

// TBSCertificate: [0] version OPTIONAL, serial, signature algorithm, issuer,
// validity, subject, subjectPublicKeyInfo, ... (the rest is not needed).
Result<PublicKey> read_certificate_key(std::span<const std::uint8_t> tbs) {
  Reader fields(tbs);
  if (fields.peek_tag() == kContext0) OTTER_TRY(fields.skip());
  OTTER_TRY(fields.read(kInteger).status());
  for (int i = 0; i < 4; ++i) OTTER_TRY(fields.read(kSequence).status());
  OTTER_ASSIGN_OR_RETURN(auto spki, fields.read(kSequence));
  return read_subject_public_key_info(spki);
}

}  // namespace

Result<std::span<const std::uint8_t>> Reader::next(std::uint8_t* tag) {
  const std::size_t left = data_.size() - pos_;
  if (left < 2) return Status::kMalformed;
  const std::uint8_t* p = data_.data() + pos_;
  *tag = p[0];
  if ((p[0] & 0x1F) == 0x1F) return Status::kMalformed;  // multi-byte tags never occur here
  std::size_t length = p[1];
  std::size_t header = 2;
  if (length == 0x81) {
    if (left < 3 || p[2] < 0x80) return Status::kMalformed;
    length = p[2];
    header = 3;
  } else if (length == 0x82) {
    if (left < 4 || p[2] == 0) return Status::kMalformed;
    length = static_cast<std::size_t>(p[2]) << 8 | p[3];
    header = 4;
  } else if (length >= 0x80) {
    return Status::kMalformed;  // indefinite or more than 64 KiB
  }
  if (length > left - header) return Status::kMalformed;
  pos_ += header + length;
  return data_.subspan(pos_ - length, length);
}

Result<std::span<const std::uint8_t>> Reader::read(std::uint8_t tag) {
  std::uint8_t actual = 0;
  const std::size_t start = pos_;
  auto contents = next(&actual);
  if (!contents.ok()) return contents.status();
  if (actual != tag) {
    pos_ = start;
    return Status::kMalformed;
  }
  return contents;
}

Status Reader::skip() {
  std::uint8_t tag = 0;
  return next(&tag).status();
}

Result<SignatureScalars> decode_signature(std::span<const std::uint8_t> der) {
  if (der.size() < 2 || der[0] != kSequence || der[1] >= 0x80 || der[1] != der.size() - 2) return Status::kMalformed;
  SignatureScalars sig;
  std::size_t pos = 2;
  OTTER_TRY(read_scalar(der, &pos, sig.r));
  OTTER_TRY(read_scalar(der, &pos, sig.s));
  if (pos != der.size()) return Status::kMalformed;
  return sig;
}

Result<PublicKey> extract_public_key(std::span<const std::uint8_t> der) {
  Reader outer(der);
  OTTER_ASSIGN_OR_RETURN(auto body, outer.read(kSequence));
  if (!outer.at_end()) return Status::kMalformed;
  // SubjectPublicKeyInfo starts with the AlgorithmIdentifier SEQUENCE, whose
  // first element is an OID. A Certificate starts with the TBSCertificate
  // SEQUENCE, whose first element is [0] version or the serial INTEGER.
  Reader fields(body);
  OTTER_ASSIGN_OR_RETURN(auto first, fields.read(kSequence));
  if (!first.empty() && first[0] == kOid) return read_subject_public_key_info(body);
  return read_certificate_key(first);
}

}  // namespace otter::image::der
