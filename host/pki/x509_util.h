// Small OpenSSL helpers shared by the CA and certificate inspection (private
// to host/pki).
#pragma once

#include <openssl/asn1.h>
#include <openssl/bn.h>
#include <openssl/x509.h>

#include <chrono>
#include <memory>
#include <string>
#include <string_view>

#include "otter/crypto/openssl.h"

namespace otter::pki::detail {

using Asn1IntegerPtr = std::unique_ptr<ASN1_INTEGER, crypto::OpenSslDeleter<ASN1_INTEGER_free>>;
using Asn1TimePtr = std::unique_ptr<ASN1_TIME, crypto::OpenSslDeleter<ASN1_TIME_free>>;
using BignumPtr = std::unique_ptr<BIGNUM, crypto::OpenSslDeleter<BN_free>>;

// Throws CaError("<what>: <openssl errors>").
[[noreturn]] void throw_ca(const std::string& what);

crypto::X509Ptr parse_certificate(std::string_view pem);
std::string certificate_to_pem(X509* cert);
std::string private_key_to_pem(EVP_PKEY* key);
crypto::PKey parse_private_key(std::string_view pem);

// 128 random bits, never zero.
Asn1IntegerPtr random_serial();
std::string serial_to_hex(const ASN1_INTEGER* serial);
// Accepts 1..40 hex digits (20 octets, RFC 5280's limit); throws CaError.
Asn1IntegerPtr serial_from_hex(std::string_view hex);
// Canonical spelling: lower case, no leading zeros.
std::string normalise_serial_hex(std::string_view hex);

std::string sha256_fingerprint(X509* cert);
std::string common_name(const X509_NAME* name);
std::chrono::system_clock::time_point to_time_point(const ASN1_TIME* time);
Asn1TimePtr to_asn1_time(std::chrono::system_clock::time_point time);

}  // namespace otter::pki::detail
