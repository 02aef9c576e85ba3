#include "otter/firmware/code_signing.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "otter/firmware/signing_profiles.h"
#include "test_images.h"

namespace otter::firmware {
namespace {

using testing::TempDir;

std::string read_text(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}
std::vector<std::uint8_t> read_bytes(const std::filesystem::path& p) {
  const std::string t = read_text(p);
  return {t.begin(), t.end()};
}
void write_bytes(const std::filesystem::path& p, std::span<const std::uint8_t> b) {
  std::ofstream out(p, std::ios::binary);
  out.write(reinterpret_cast<const char*>(b.data()), static_cast<std::streamsize>(b.size()));
}
int run(const std::string& cmd) { return std::system((cmd + " >/dev/null 2>&1").c_str()); }

// A key, certificate and signature made by the openssl command-line tool, an
// implementation independent of ours.
struct OpensslSigned {
  std::string cert_pem;
  std::vector<std::uint8_t> image;
  std::vector<std::uint8_t> signature;
};

OpensslSigned sign_with_openssl_cli(const TempDir& dir, const std::string& curve) {
  const auto d = dir.path().string();
  OpensslSigned out;
  out.image = {1, 2, 3, 4, 5, 6, 7, 8, 9};
  write_bytes(dir.path() / "image.bin", out.image);
  EXPECT_EQ(run("openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:" + curve + " -nodes -keyout " + d +
                "/key.pem -out " + d + "/cert.pem -days 1 -subj /CN=cli-signer"),
            0);
  EXPECT_EQ(run("openssl dgst -sha256 -sign " + d + "/key.pem -out " + d + "/image.sig " + d + "/image.bin"), 0);
  out.cert_pem = read_text(dir.path() / "cert.pem");
  out.signature = read_bytes(dir.path() / "image.sig");
  return out;
}

TEST(SignatureProblem, AcceptsASignatureMadeByTheOpensslTool) {
  TempDir dir;
  const auto s = sign_with_openssl_cli(dir, "P-256");
  EXPECT_EQ(signature_problem(s.image, s.signature, s.cert_pem), "");
}

TEST(SignatureProblem, RefusesTheSignatureOfOtherBytes) {
  TempDir dir;
  auto s = sign_with_openssl_cli(dir, "P-256");
  s.image[0] ^= 1;
  EXPECT_NE(signature_problem(s.image, s.signature, s.cert_pem).find("does not verify"), std::string::npos);
}

TEST(SignatureProblem, RefusesAKeyOtherThanP256) {
  TempDir dir;
  const auto s = sign_with_openssl_cli(dir, "P-384");
  EXPECT_NE(signature_problem(s.image, s.signature, s.cert_pem).find("P-256"), std::string::npos);
}

TEST(SignatureProblem, SaysWhenTheSignatureIsNotDer) {
  TempDir dir;
  const auto s = sign_with_openssl_cli(dir, "P-256");
  const std::vector<std::uint8_t> garbage{0x30, 0x02, 0x01};
  EXPECT_NE(signature_problem(s.image, garbage, s.cert_pem).find("DER"), std::string::npos);
}

TEST(SignatureProblem, SaysWhenTheCertificateIsUnreadable) {
  const std::vector<std::uint8_t> image{1}, sig{0x30, 0x00};
  EXPECT_NE(signature_problem(image, sig, "not a certificate").find("certificate"), std::string::npos);
}

TEST(SigningProfileSignature, VerifiesWithTheOpensslTool) {
  TempDir dir;
  SigningProfiles profiles(dir.path() / "signing");
  const auto profile = profiles.create("release", "Otter Release Signer");
  const std::vector<std::uint8_t> image{9, 8, 7, 6, 5};
  write_bytes(dir.path() / "image.bin", image);
  write_bytes(dir.path() / "image.sig", profiles.sign("release", image));
  std::ofstream(dir.path() / "cert.pem") << profile.certificate_pem;
  const auto d = dir.path().string();
  ASSERT_EQ(run("openssl x509 -in " + d + "/cert.pem -pubkey -noout -out " + d + "/pub.pem"), 0);
  EXPECT_EQ(run("openssl dgst -sha256 -verify " + d + "/pub.pem -signature " + d + "/image.sig " + d + "/image.bin"),
            0);
}

}  // namespace
}  // namespace otter::firmware
