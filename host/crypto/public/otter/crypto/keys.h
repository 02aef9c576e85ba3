// P-256 keys for code signing: generation, PEM/DER in and out, fingerprints.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "otter/crypto/openssl.h"

namespace otter::crypto {

// A fresh EC key on prime256v1.
PKey generate_p256_key();

// PKCS#8 PEM ("-----BEGIN PRIVATE KEY-----"), unencrypted.
std::string private_key_pem(const PKey& key);
// A private key in PEM (PKCS#8 or SEC1 "EC PRIVATE KEY") or DER. Throws
// CryptoError when the text is not a private key or not on P-256.
PKey read_private_key(std::span<const std::uint8_t> pem_or_der);

// SubjectPublicKeyInfo of `key`, DER and PEM.
std::vector<std::uint8_t> public_key_der(const PKey& key);
std::string public_key_pem(const PKey& key);
// The public key of a PEM/DER certificate, SubjectPublicKeyInfo, or private
// key (whichever the bytes hold). Throws CryptoError if none parses, or the
// key is not EC P-256.
PKey read_public_key(std::span<const std::uint8_t> pem_or_der);

// SHA-256 of the DER SubjectPublicKeyInfo, the usual key fingerprint.
std::array<std::uint8_t, 32> key_fingerprint(const PKey& key);

// Throws CryptoError unless `key` is an EC key on prime256v1.
void require_p256(const PKey& key, const std::string& what);

}  // namespace otter::crypto
