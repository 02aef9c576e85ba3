// ECDSA P-256 over SHA-256, the scheme of AWS's `sig-sha256-ecdsa`: the DER
// Ecdsa-Sig-Value over the SHA-256 of the whole file, sent base64-encoded.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "otter/crypto/openssl.h"

namespace otter::crypto {

std::array<std::uint8_t, 32> sha256(std::span<const std::uint8_t> data);

// DER signature of SHA-256(`data`) with a P-256 private key.
std::vector<std::uint8_t> sign_sha256(const PKey& key, std::span<const std::uint8_t> data);

// True when `der_signature` is a valid signature of `data` by `key`; false for
// a signature that does not verify or does not parse.
bool verify_sha256(const PKey& key, std::span<const std::uint8_t> data, std::span<const std::uint8_t> der_signature);

// Standard base64 with padding, no line breaks.
std::string encode_base64(std::span<const std::uint8_t> data);
// Accepts standard base64 with padding, ignoring whitespace (line breaks,
// a trailing newline). Throws CryptoError naming the first bad character.
std::vector<std::uint8_t> decode_base64(std::string_view text);

std::string to_hex(std::span<const std::uint8_t> data);

}  // namespace otter::crypto
