#include "x509_util.h"

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>

#include <algorithm>
#include <cctype>
#include <ctime>

#include "otter/pki/certificate_authority.h"

namespace otter::pki::detail {
namespace {

crypto::BioPtr memory_bio(std::string_view text) {
  crypto::BioPtr bio(BIO_new_mem_buf(text.data(), static_cast<int>(text.size())));
  if (!bio) throw_ca("cannot allocate BIO");
  return bio;
}

std::string drain(BIO* bio) {
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio, &data);
  return std::string(data, static_cast<size_t>(size));
}

std::string to_lower_hex(const unsigned char* bytes, size_t size) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string hex;
  hex.reserve(size * 2);
  for (size_t i = 0; i < size; ++i) {
    hex += kDigits[bytes[i] >> 4];
    hex += kDigits[bytes[i] & 0x0f];
  }
  return hex;
}

}  // namespace

void throw_ca(const std::string& what) {
  const std::string errors = crypto::openssl_errors();
  throw CaError(errors.empty() ? what : what + ": " + errors);
}

crypto::X509Ptr parse_certificate(std::string_view pem) {
  auto bio = memory_bio(pem);
  crypto::X509Ptr cert(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
  if (!cert) throw_ca("not a PEM certificate");
  return cert;
}

std::string certificate_to_pem(X509* cert) {
  crypto::BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_X509(bio.get(), cert) != 1) throw_ca("cannot encode certificate");
  return drain(bio.get());
}

std::string private_key_to_pem(EVP_PKEY* key) {
  crypto::BioPtr bio(BIO_new(BIO_s_mem()));
  // The traditional (SEC1 "EC PRIVATE KEY") form: the one small TLS stacks
  // on devices parse without PKCS#8 support.
  if (!bio || PEM_write_bio_PrivateKey_traditional(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr) != 1) {
    throw_ca("cannot encode private key");
  }
  return drain(bio.get());
}

crypto::PKey parse_private_key(std::string_view pem) {
  auto bio = memory_bio(pem);
  crypto::PKey key(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
  if (!key) throw_ca("not a PEM private key");
  return key;
}

Asn1IntegerPtr random_serial() {
  unsigned char bytes[16];
  do {
    if (RAND_bytes(bytes, sizeof(bytes)) != 1) throw_ca("no randomness for a serial number");
  } while (std::all_of(std::begin(bytes), std::end(bytes), [](unsigned char b) { return b == 0; }));
  BignumPtr bn(BN_bin2bn(bytes, sizeof(bytes), nullptr));
  if (!bn) throw_ca("cannot make serial");
  Asn1IntegerPtr serial(BN_to_ASN1_INTEGER(bn.get(), nullptr));
  if (!serial) throw_ca("cannot make serial");
  return serial;
}

std::string serial_to_hex(const ASN1_INTEGER* serial) {
  BignumPtr bn(ASN1_INTEGER_to_BN(serial, nullptr));
  if (!bn) throw_ca("bad serial number");
  char* hex = BN_bn2hex(bn.get());
  if (hex == nullptr) throw_ca("bad serial number");
  std::string text(hex);
  OPENSSL_free(hex);
  return normalise_serial_hex(text);
}

std::string normalise_serial_hex(std::string_view hex) {
  if (hex.empty() || hex.size() > 40) throw CaError("serial number must be 1 to 40 hex digits: '" + std::string(hex) + "'");
  std::string text;
  for (char c : hex) {
    if (!std::isxdigit(static_cast<unsigned char>(c))) {
      throw CaError("serial number must be hex digits: '" + std::string(hex) + "'");
    }
    if (text.empty() && c == '0') continue;
    text += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return text.empty() ? "0" : text;
}

Asn1IntegerPtr serial_from_hex(std::string_view hex) {
  const std::string canonical = normalise_serial_hex(hex);
  BIGNUM* raw = nullptr;
  if (BN_hex2bn(&raw, canonical.c_str()) == 0) throw_ca("bad serial number " + canonical);
  BignumPtr bn(raw);
  Asn1IntegerPtr serial(BN_to_ASN1_INTEGER(bn.get(), nullptr));
  if (!serial) throw_ca("bad serial number " + canonical);
  return serial;
}

std::string sha256_fingerprint(X509* cert) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  if (X509_digest(cert, EVP_sha256(), md, &size) != 1) throw_ca("cannot digest certificate");
  return to_lower_hex(md, size);
}

std::string common_name(const X509_NAME* name) {
  const int index = X509_NAME_get_index_by_NID(name, NID_commonName, -1);
  if (index < 0) return {};
  const ASN1_STRING* data = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, index));
  unsigned char* utf8 = nullptr;
  const int size = ASN1_STRING_to_UTF8(&utf8, data);
  if (size < 0) throw_ca("bad common name");
  std::string text(reinterpret_cast<const char*>(utf8), static_cast<size_t>(size));
  OPENSSL_free(utf8);
  return text;
}

std::chrono::system_clock::time_point to_time_point(const ASN1_TIME* time) {
  std::tm tm{};
  if (ASN1_TIME_to_tm(time, &tm) != 1) throw_ca("bad time in certificate");
  return std::chrono::system_clock::from_time_t(timegm(&tm));
}

Asn1TimePtr to_asn1_time(std::chrono::system_clock::time_point time) {
  Asn1TimePtr asn1(ASN1_TIME_set(nullptr, std::chrono::system_clock::to_time_t(time)));
  if (!asn1) throw_ca("cannot encode time");
  return asn1;
}

}  // namespace otter::pki::detail
