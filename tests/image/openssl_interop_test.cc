// Interop with the real openssl binary, both ways: what `openssl dgst -sha256
// -sign` writes verifies with the device code and with `otter verify`; what
// `otter sign` writes verifies with `openssl dgst -sha256 -verify`.
#include <gtest/gtest.h>

#include "otter/crypto/signature.h"
#include "otter/image/memory_flash.h"
#include "otter/image/test_image.h"
#include "workdir.h"

namespace otter::image {
namespace {

using testing::WorkDir;

class OpensslInteropTest : public ::testing::Test {
 protected:
  void SetUp() override {
    write_file(dir / "fw.bin", make_test_image({.size = 96 * 1024, .version = {1, 0, 1}, .seed = 42}));
  }

  // A P-256 key and self-signed certificate made by the openssl CLI only.
  void make_openssl_key() {
    ASSERT_EQ(dir.run(openssl + " ecparam -name prime256v1 -genkey -noout -out key.pem").exit_code, 0);
    ASSERT_EQ(dir.run(openssl + " req -new -x509 -key key.pem -out cert.pem -days 30 -subj /CN=Code_Verify_Key")
                  .exit_code,
              0);
    ASSERT_EQ(dir.run(openssl + " ec -in key.pem -pubout -out pub.pem").exit_code, 0);
  }

  Status device_verify(const std::string& image_file, const std::string& der_file, const std::string& key_file) {
    const auto key = parse_public_key(read_file(dir / key_file));
    if (!key.ok()) return key.status();
    MemoryFlash flash(read_file(dir / image_file));
    const auto size = static_cast<std::uint32_t>(flash.bytes().size());
    return verify_image(flash.whole(), size, read_file(dir / der_file), *key);
  }

  WorkDir dir;
  const std::string otter = testing::otter_cli();
  const std::string openssl = testing::openssl_cli();
};

TEST_F(OpensslInteropTest, OpensslSignatureVerifiesWithDeviceCodeUsingCertificate) {
  make_openssl_key();
  ASSERT_EQ(dir.run(openssl + " dgst -sha256 -sign key.pem -out fw.sig.der fw.bin").exit_code, 0);
  EXPECT_EQ(device_verify("fw.bin", "fw.sig.der", "cert.pem"), Status::kOk);
}

TEST_F(OpensslInteropTest, OpensslSignatureVerifiesWithDeviceCodeUsingDerPublicKey) {
  make_openssl_key();
  ASSERT_EQ(dir.run(openssl + " dgst -sha256 -sign key.pem -out fw.sig.der fw.bin").exit_code, 0);
  ASSERT_EQ(dir.run(openssl + " pkey -pubin -in pub.pem -outform DER -out pub.der").exit_code, 0);
  EXPECT_EQ(device_verify("fw.bin", "fw.sig.der", "pub.der"), Status::kOk);
}

TEST_F(OpensslInteropTest, OpensslSignatureOfOtherFileFailsOnDevice) {
  make_openssl_key();
  write_file(dir / "other.bin", make_test_image({.size = 96 * 1024, .seed = 43}));
  ASSERT_EQ(dir.run(openssl + " dgst -sha256 -sign key.pem -out other.sig.der other.bin").exit_code, 0);
  EXPECT_EQ(device_verify("fw.bin", "other.sig.der", "cert.pem"), Status::kBadSignature);
}

TEST_F(OpensslInteropTest, OpensslRawDerSignatureVerifiesWithOtterVerify) {
  make_openssl_key();
  ASSERT_EQ(dir.run(openssl + " dgst -sha256 -sign key.pem -out fw.sig.der fw.bin").exit_code, 0);
  const auto r = dir.run(otter + " verify fw.bin --sig fw.sig.der --cert cert.pem");
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("signature valid"), std::string::npos) << r.output;
}

TEST_F(OpensslInteropTest, OpensslBase64SignatureVerifiesWithOtterVerify) {
  make_openssl_key();
  ASSERT_EQ(dir.run(openssl + " dgst -sha256 -sign key.pem fw.bin | " + openssl + " base64 -A > fw.sig").exit_code, 0);
  const auto r = dir.run(otter + " verify fw.bin --sig fw.sig --cert pub.pem --board numaker-iot-m487");
  EXPECT_EQ(r.exit_code, 0) << r.output;
}

TEST_F(OpensslInteropTest, OtterSignatureVerifiesWithOpenssl) {
  ASSERT_EQ(dir.run(otter + " keygen --out-key k.pem --out-cert c.pem").exit_code, 0);
  const auto sign = dir.run(otter + " sign fw.bin --key k.pem");
  ASSERT_EQ(sign.exit_code, 0) << sign.output;
  ASSERT_EQ(dir.run(openssl + " base64 -d -A -in fw.bin.sig -out fw.sig.der").exit_code, 0);
  ASSERT_EQ(dir.run(openssl + " x509 -in c.pem -pubkey -noout > pub.pem").exit_code, 0);
  const auto r = dir.run(openssl + " dgst -sha256 -verify pub.pem -signature fw.sig.der fw.bin");
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("Verified OK"), std::string::npos) << r.output;
}

TEST_F(OpensslInteropTest, OtterSignatureOfTamperedFileFailsWithOpenssl) {
  ASSERT_EQ(dir.run(otter + " keygen --out-key k.pem --out-cert c.pem").exit_code, 0);
  ASSERT_EQ(dir.run(otter + " sign fw.bin --key k.pem").exit_code, 0);
  ASSERT_EQ(dir.run(openssl + " base64 -d -A -in fw.bin.sig -out fw.sig.der").exit_code, 0);
  ASSERT_EQ(dir.run(openssl + " x509 -in c.pem -pubkey -noout > pub.pem").exit_code, 0);
  auto image = read_file(dir / "fw.bin");
  image[70000] ^= 0x10;
  write_file(dir / "fw.bin", image);
  const auto r = dir.run(openssl + " dgst -sha256 -verify pub.pem -signature fw.sig.der fw.bin");
  EXPECT_NE(r.exit_code, 0) << r.output;
}

TEST_F(OpensslInteropTest, OtterKeygenCertificateIsForCodeSigning) {
  ASSERT_EQ(dir.run(otter + " keygen --out-key k.pem --out-cert c.pem --cn Fleet --days 90").exit_code, 0);
  const auto text = dir.run(openssl + " x509 -in c.pem -noout -text");
  ASSERT_EQ(text.exit_code, 0) << text.output;
  EXPECT_NE(text.output.find("Code Signing"), std::string::npos) << text.output;
  EXPECT_NE(text.output.find("Digital Signature"), std::string::npos) << text.output;
  EXPECT_NE(text.output.find("prime256v1"), std::string::npos) << text.output;
  EXPECT_NE(text.output.find("CN = Fleet"), std::string::npos) << text.output;
  const auto check = dir.run(openssl + " pkey -in k.pem -check -noout");
  EXPECT_EQ(check.exit_code, 0) << check.output;
}

TEST_F(OpensslInteropTest, OtterKeygenKeySignsForOpensslToo) {
  // The key file is plain PKCS#8 PEM that openssl reads.
  ASSERT_EQ(dir.run(otter + " keygen --out-key k.pem --out-cert c.pem").exit_code, 0);
  ASSERT_EQ(dir.run(openssl + " dgst -sha256 -sign k.pem -out fw.sig.der fw.bin").exit_code, 0);
  const auto r = dir.run(otter + " verify fw.bin --sig fw.sig.der --cert c.pem");
  EXPECT_EQ(r.exit_code, 0) << r.output;
}

}  // namespace
}  // namespace otter::image
