// Self-signed code-signing certificates: what the device is provisioned with
// to verify firmware (AWS's "Code_Verify_Key").
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "otter/crypto/openssl.h"

namespace otter::crypto {

// Self-signed X.509 v3 certificate for `key`: CN=`common_name`, valid from now
// for `days`, basicConstraints CA:FALSE, keyUsage digitalSignature (critical),
// extendedKeyUsage codeSigning, subject key identifier. Signed ECDSA-SHA256.
X509Ptr make_code_signing_certificate(const PKey& key, const std::string& common_name, int days);

std::string certificate_pem(X509* cert);
std::vector<std::uint8_t> certificate_der(X509* cert);
// PEM or DER certificate; throws CryptoError otherwise.
X509Ptr read_certificate(std::span<const std::uint8_t> pem_or_der);

}  // namespace otter::crypto
