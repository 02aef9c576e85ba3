// Facts about a PEM certificate that the registry records and checks:
// who it names, its serial, its SHA-256 fingerprint and validity.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

namespace otter::pki {

struct CertificateInfo {
  std::string common_name;
  std::string issuer_common_name;
  std::string serial_hex;          // lower-case hex, no leading zeros
  std::string fingerprint_sha256;  // lower-case hex over the DER encoding
  std::chrono::system_clock::time_point not_before;
  std::chrono::system_clock::time_point not_after;
  bool is_ca = false;
};

// Parses one PEM certificate; throws CaError (certificate_authority.h) when
// the text is not a certificate.
CertificateInfo inspect_certificate(std::string_view certificate_pem);

// True when `certificate_pem` was signed by the CA certificate `ca_pem` and is
// within its validity period (revocation is the broker's CRL's business).
bool is_issued_by(std::string_view certificate_pem, std::string_view ca_pem);

}  // namespace otter::pki
