#include "otter/firmware/code_signing.h"

#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/objects.h>
#include <openssl/x509.h>

#include "otter/crypto/certificate.h"
#include "otter/crypto/keys.h"
#include "otter/crypto/signature.h"

namespace otter::firmware {
namespace {

std::span<const std::uint8_t> bytes_of(const std::string& text) {
  return {reinterpret_cast<const std::uint8_t*>(text.data()), text.size()};
}

bool is_der_ecdsa_signature(std::span<const std::uint8_t> der) {
  const unsigned char* p = der.data();
  ECDSA_SIG* parsed = d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(der.size()));
  const bool well_formed = parsed != nullptr && p == der.data() + der.size();
  ECDSA_SIG_free(parsed);
  ERR_clear_error();
  return well_formed;
}

}  // namespace

std::string signature_problem(std::span<const std::uint8_t> image, std::span<const std::uint8_t> der_signature,
                              const std::string& certificate_pem) {
  crypto::PKey key;
  try {
    crypto::read_certificate(bytes_of(certificate_pem));
  } catch (const crypto::CryptoError&) {
    return "the signer certificate is not a readable X.509 certificate";
  }
  try {
    key = crypto::read_public_key(bytes_of(certificate_pem));
  } catch (const crypto::CryptoError&) {
    return "the signer certificate does not hold an ECDSA P-256 key";
  }
  if (der_signature.empty()) return "the signature is empty";
  if (!is_der_ecdsa_signature(der_signature)) return "the signature is not a DER-encoded ECDSA signature";
  if (!crypto::verify_sha256(key, image, der_signature)) {
    return "the signature does not verify against the image with the signer certificate's key";
  }
  return {};
}

std::string certificate_subject_cn(const std::string& certificate_pem) {
  try {
    const auto cert = crypto::read_certificate(bytes_of(certificate_pem));
    char cn[256] = {};
    const int n = X509_NAME_get_text_by_NID(X509_get_subject_name(cert.get()), NID_commonName, cn, sizeof(cn));
    return n > 0 ? std::string(cn, static_cast<std::size_t>(n)) : std::string();
  } catch (const crypto::CryptoError&) {
    return {};
  }
}

}  // namespace otter::firmware
