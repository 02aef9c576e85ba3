#include "otter/crypto/keys.h"

#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/pem.h>

namespace otter::crypto {
namespace {

BioPtr memory_bio(std::span<const std::uint8_t> bytes) {
  BioPtr bio(BIO_new_mem_buf(bytes.data(), static_cast<int>(bytes.size())));
  if (!bio) throw_openssl("cannot create memory BIO");
  return bio;
}

std::string bio_text(BIO* bio) {
  char* data = nullptr;
  const long n = BIO_get_mem_data(bio, &data);
  return std::string(data, static_cast<std::size_t>(n));
}

}  // namespace

PKey generate_p256_key() {
  PKey key(EVP_EC_gen("P-256"));
  if (!key) throw_openssl("cannot generate a P-256 key");
  return key;
}

std::string private_key_pem(const PKey& key) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_PrivateKey(bio.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr) != 1) {
    throw_openssl("cannot write the private key as PEM");
  }
  return bio_text(bio.get());
}

PKey read_private_key(std::span<const std::uint8_t> pem_or_der) {
  PKey key(PEM_read_bio_PrivateKey(memory_bio(pem_or_der).get(), nullptr, nullptr, nullptr));
  if (!key) {
    ERR_clear_error();
    const unsigned char* p = pem_or_der.data();
    key.reset(d2i_AutoPrivateKey(nullptr, &p, static_cast<long>(pem_or_der.size())));
  }
  if (!key) {
    ERR_clear_error();
    throw CryptoError("not a private key (expected PEM \"PRIVATE KEY\"/\"EC PRIVATE KEY\" or DER)");
  }
  require_p256(key, "private key");
  return key;
}

std::vector<std::uint8_t> public_key_der(const PKey& key) {
  const int n = i2d_PUBKEY(key.get(), nullptr);
  if (n <= 0) throw_openssl("cannot encode the public key");
  std::vector<std::uint8_t> der(static_cast<std::size_t>(n));
  unsigned char* p = der.data();
  if (i2d_PUBKEY(key.get(), &p) != n) throw_openssl("cannot encode the public key");
  return der;
}

std::string public_key_pem(const PKey& key) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_PUBKEY(bio.get(), key.get()) != 1) throw_openssl("cannot write the public key as PEM");
  return bio_text(bio.get());
}

PKey read_public_key(std::span<const std::uint8_t> pem_or_der) {
  PKey key;
  if (X509Ptr cert{PEM_read_bio_X509(memory_bio(pem_or_der).get(), nullptr, nullptr, nullptr)}) {
    key.reset(X509_get_pubkey(cert.get()));
  }
  if (!key) key.reset(PEM_read_bio_PUBKEY(memory_bio(pem_or_der).get(), nullptr, nullptr, nullptr));
  if (!key) key.reset(PEM_read_bio_PrivateKey(memory_bio(pem_or_der).get(), nullptr, nullptr, nullptr));
  if (!key) {
    const unsigned char* p = pem_or_der.data();
    if (X509Ptr cert{d2i_X509(nullptr, &p, static_cast<long>(pem_or_der.size()))}) key.reset(X509_get_pubkey(cert.get()));
  }
  if (!key) {
    const unsigned char* p = pem_or_der.data();
    key.reset(d2i_PUBKEY(nullptr, &p, static_cast<long>(pem_or_der.size())));
  }
  ERR_clear_error();
  if (!key) throw CryptoError("not a certificate or public key (expected PEM or DER X.509 certificate or SubjectPublicKeyInfo)");
  require_p256(key, "key");
  return key;
}

std::array<std::uint8_t, 32> key_fingerprint(const PKey& key) {
  const std::vector<std::uint8_t> der = public_key_der(key);
  std::array<std::uint8_t, 32> digest{};
  unsigned int n = 0;
  if (EVP_Digest(der.data(), der.size(), digest.data(), &n, EVP_sha256(), nullptr) != 1) {
    throw_openssl("cannot hash the public key");
  }
  return digest;
}

void require_p256(const PKey& key, const std::string& what) {
  if (EVP_PKEY_is_a(key.get(), "EC") != 1) {
    throw CryptoError(what + " is a " + EVP_PKEY_get0_type_name(key.get()) + " key; Otter signs with ECDSA P-256");
  }
  char group[64] = {};
  std::size_t n = 0;
  if (EVP_PKEY_get_utf8_string_param(key.get(), OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof(group), &n) != 1) {
    throw_openssl(what + ": cannot read the EC curve");
  }
  if (std::string(group) != "prime256v1") {
    throw CryptoError(what + " is on curve " + group + "; Otter signs with ECDSA P-256 (prime256v1)");
  }
}

}  // namespace otter::crypto
