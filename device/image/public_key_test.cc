#include <gtest/gtest.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>

#include <string>
#include <vector>

#include "otter/crypto/certificate.h"
#include "otter/crypto/keys.h"
#include "otter/image/image.h"

namespace otter::image {
namespace {

std::span<const std::uint8_t> as_bytes(const std::string& s) {
  return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

// The point OpenSSL holds for `key`, as the device should extract it.
std::vector<std::uint8_t> point_of(const crypto::PKey& key) {
  const auto spki = crypto::public_key_der(key);
  return {spki.end() - 65, spki.end()};
}

class PublicKeyTest : public ::testing::Test {
 protected:
  crypto::PKey key = crypto::generate_p256_key();
  crypto::X509Ptr cert = crypto::make_code_signing_certificate(key, "Code_Verify_Key", 365);

  void expect_key(Result<PublicKey> parsed) {
    ASSERT_TRUE(parsed.ok()) << to_string(parsed.status());
    const auto expected = point_of(key);
    EXPECT_TRUE(std::equal(expected.begin(), expected.end(), parsed->point.begin()));
  }
};

TEST_F(PublicKeyTest, AcceptsDerSubjectPublicKeyInfo) { expect_key(parse_public_key(crypto::public_key_der(key))); }

TEST_F(PublicKeyTest, AcceptsPemSubjectPublicKeyInfo) {
  expect_key(parse_public_key(as_bytes(crypto::public_key_pem(key))));
}

TEST_F(PublicKeyTest, AcceptsDerCertificate) { expect_key(parse_public_key(crypto::certificate_der(cert.get()))); }

TEST_F(PublicKeyTest, AcceptsPemCertificate) {
  expect_key(parse_public_key(as_bytes(crypto::certificate_pem(cert.get()))));
}

TEST_F(PublicKeyTest, AcceptsPemAsNulTerminatedCString) {
  // otter_credentials.c holds the certificate as a C string; sizeof includes the NUL.
  std::string pem = crypto::certificate_pem(cert.get());
  pem.push_back('\0');
  expect_key(parse_public_key(as_bytes(pem)));
}

TEST_F(PublicKeyTest, AcceptsPemWithCrLfLineEnds) {
  std::string pem;
  for (const char c : crypto::certificate_pem(cert.get())) {
    if (c == '\n') pem += '\r';
    pem += c;
  }
  expect_key(parse_public_key(as_bytes(pem)));
}

// The base64 body of a PEM with its line breaks moved: every 10th character.
std::string rewrapped(const std::string& pem, std::size_t width) {
  const std::size_t begin = pem.find('\n') + 1;
  const std::size_t end = pem.find("-----END");
  std::string body;
  for (std::size_t i = begin; i < end; ++i)
    if (pem[i] != '\n') body += pem[i];
  std::string out = pem.substr(0, begin);
  for (std::size_t i = 0; i < body.size(); i += width) out += body.substr(i, width) + "\n";
  return out + pem.substr(end);
}

TEST_F(PublicKeyTest, AcceptsPemWithLinesBrokenInsideAQuad) {
  expect_key(parse_public_key(as_bytes(rewrapped(crypto::public_key_pem(key), 10))));
}

TEST_F(PublicKeyTest, RejectsPemBodyWithDataAfterThePadding) {
  std::string pem = crypto::public_key_pem(key);  // 91 DER bytes: the body ends in "="
  ASSERT_NE(pem.find("=\n-----END"), std::string::npos);
  pem.insert(pem.find("-----END"), "QUFB\n");
  EXPECT_EQ(parse_public_key(as_bytes(pem)).status(), Status::kMalformed);
}

TEST_F(PublicKeyTest, RejectsPemBodyWithoutItsPadding) {
  std::string pem = crypto::public_key_pem(key);
  pem.erase(pem.find("=\n-----END"), 1);
  EXPECT_EQ(parse_public_key(as_bytes(pem)).status(), Status::kMalformed);
}

TEST_F(PublicKeyTest, RejectsPrivateKeyPem) {
  EXPECT_EQ(parse_public_key(as_bytes(crypto::private_key_pem(key))).status(), Status::kUnsupported);
}

TEST_F(PublicKeyTest, RejectsOtherCurve) {
  crypto::PKey p384(EVP_EC_gen("P-384"));
  ASSERT_TRUE(p384);
  EXPECT_EQ(parse_public_key(crypto::public_key_der(p384)).status(), Status::kUnsupported);
}

TEST_F(PublicKeyTest, RejectsRsaKey) {
  crypto::PKey rsa(EVP_RSA_gen(1024));
  ASSERT_TRUE(rsa);
  EXPECT_EQ(parse_public_key(crypto::public_key_der(rsa)).status(), Status::kUnsupported);
}

TEST_F(PublicKeyTest, RejectsCompressedPoint) {
  // SPKI: 30 59 | 30 13 <algorithm> | 03 42 00 | 04 X Y. Rebuild it with the
  // compressed form 02/03 X: 30 39 ... 03 22 00 | 02 X.
  const auto der = crypto::public_key_der(key);
  ASSERT_EQ(der.size(), 91u);
  std::vector<std::uint8_t> compressed(der.begin(), der.begin() + 26);
  compressed[1] = 0x39;
  compressed[24] = 0x22;
  compressed.push_back(static_cast<std::uint8_t>(0x02 | (der.back() & 1)));
  compressed.insert(compressed.end(), der.begin() + 27, der.begin() + 59);
  EXPECT_EQ(parse_public_key(compressed).status(), Status::kUnsupported);
}

TEST_F(PublicKeyTest, RejectsPointNotOnCurve) {
  auto der = crypto::public_key_der(key);
  der.back() ^= 0x01;
  EXPECT_EQ(parse_public_key(der).status(), Status::kBadKey);
}

TEST_F(PublicKeyTest, RejectsEveryTruncationOfDer) {
  const auto der = crypto::certificate_der(cert.get());
  for (std::size_t n = 0; n < der.size(); ++n) {
    EXPECT_FALSE(parse_public_key(std::span<const std::uint8_t>(der).first(n)).ok()) << n;
  }
}

TEST_F(PublicKeyTest, RejectsTrailingGarbageAfterDer) {
  auto der = crypto::public_key_der(key);
  der.push_back(0);
  EXPECT_EQ(parse_public_key(der).status(), Status::kMalformed);
}

TEST_F(PublicKeyTest, RejectsCorruptPemBody) {
  std::string pem = crypto::public_key_pem(key);
  pem[40] = '*';
  EXPECT_EQ(parse_public_key(as_bytes(pem)).status(), Status::kMalformed);
}

TEST_F(PublicKeyTest, RejectsPemWithoutEndLine) {
  std::string pem = crypto::public_key_pem(key);
  pem.resize(pem.find("-----END"));
  EXPECT_EQ(parse_public_key(as_bytes(pem)).status(), Status::kMalformed);
}

TEST_F(PublicKeyTest, RejectsEmptyInput) {
  EXPECT_EQ(parse_public_key({}).status(), Status::kMalformed);
  EXPECT_EQ(parse_public_key(as_bytes(" \n")).status(), Status::kMalformed);
}

}  // namespace
}  // namespace otter::image
