// ECDSA P-256 over SHA-256 of a whole image, DER-encoded: the signature the
// job document carries as "sig-sha256-ecdsa" and the device verifies with the
// certificate provisioned as its code-verify key.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace otter::firmware {

// Empty when `der_signature` is a valid signature of `image` by the P-256 key
// of `certificate_pem`; otherwise a sentence saying what is wrong (unreadable
// certificate, not a P-256 key, malformed DER, signature does not verify).
std::string signature_problem(std::span<const std::uint8_t> image, std::span<const std::uint8_t> der_signature,
                              const std::string& certificate_pem);

// Common name of the certificate's subject ("" when absent or unreadable).
std::string certificate_subject_cn(const std::string& certificate_pem);

}  // namespace otter::firmware
