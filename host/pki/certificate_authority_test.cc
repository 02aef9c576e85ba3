#include "otter/pki/certificate_authority.h"

#include <gtest/gtest.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <thread>

#include "otter/pki/certificate_info.h"
#include "otter/pki/files.h"

namespace otter::pki {
namespace {

namespace fs = std::filesystem;

class TempDir {
 public:
  TempDir() {
    std::string pattern = (fs::temp_directory_path() / "otter-pki-XXXXXX").string();
    path_ = ::mkdtemp(pattern.data());
  }
  ~TempDir() { fs::remove_all(path_); }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

crypto::X509Ptr parse(const std::string& pem) {
  crypto::BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  return crypto::X509Ptr(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
}

// Verifies `cert` against the CA on disk with CRL checking, as the broker does.
int verify_with_crl(const CertificateAuthority& ca, const std::string& cert_pem) {
  crypto::X509StorePtr store(X509_STORE_new());
  auto ca_cert = parse(ca.certificate_pem());
  X509_STORE_add_cert(store.get(), ca_cert.get());
  const std::string crl_pem = read_file(ca.paths().crl());
  crypto::BioPtr bio(BIO_new_mem_buf(crl_pem.data(), static_cast<int>(crl_pem.size())));
  crypto::X509CrlPtr crl(PEM_read_bio_X509_CRL(bio.get(), nullptr, nullptr, nullptr));
  X509_STORE_add_crl(store.get(), crl.get());
  X509_STORE_set_flags(store.get(), X509_V_FLAG_CRL_CHECK);
  auto cert = parse(cert_pem);
  crypto::X509StoreCtxPtr ctx(X509_STORE_CTX_new());
  X509_STORE_CTX_init(ctx.get(), store.get(), cert.get(), nullptr);
  X509_STORE_CTX_set_purpose(ctx.get(), X509_PURPOSE_SSL_CLIENT);
  X509_verify_cert(ctx.get());
  return X509_STORE_CTX_get_error(ctx.get());
}

std::string make_csr(EVP_PKEY* key, const char* cn, bool ask_for_ca) {
  crypto::X509ReqPtr req(X509_REQ_new());
  X509_NAME* name = X509_REQ_get_subject_name(req.get());
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>(cn), -1, -1, 0);
  X509_REQ_set_pubkey(req.get(), key);
  if (ask_for_ca) {
    STACK_OF(X509_EXTENSION)* exts = sk_X509_EXTENSION_new_null();
    sk_X509_EXTENSION_push(exts, X509V3_EXT_conf_nid(nullptr, nullptr, NID_basic_constraints, "critical,CA:TRUE"));
    X509_REQ_add_extensions(req.get(), exts);
    sk_X509_EXTENSION_pop_free(exts, X509_EXTENSION_free);
  }
  X509_REQ_sign(req.get(), key, EVP_sha256());
  crypto::BioPtr out(BIO_new(BIO_s_mem()));
  PEM_write_bio_X509_REQ(out.get(), req.get());
  char* data = nullptr;
  const long size = BIO_get_mem_data(out.get(), &data);
  return std::string(data, static_cast<size_t>(size));
}

class CertificateAuthorityTest : public ::testing::Test {
 protected:
  TempDir dir_;
  fs::path ca_dir() const { return dir_.path() / "pki"; }
};

TEST_F(CertificateAuthorityTest, CreatesCaKeyReadableOnlyByOwner) {
  auto ca = CertificateAuthority::create(ca_dir());
  struct stat st{};
  ASSERT_EQ(::stat(ca.paths().ca_private_key().c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  ASSERT_EQ(::stat(ca_dir().c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0077, 0u);
}

TEST_F(CertificateAuthorityTest, CaCertificateMaySignCertificatesAndCrlsOnly) {
  auto ca = CertificateAuthority::create(ca_dir());
  auto cert = parse(ca.certificate_pem());
  EXPECT_EQ(X509_check_ca(cert.get()), 1);
  EXPECT_EQ(X509_get_key_usage(cert.get()), static_cast<uint32_t>(KU_KEY_CERT_SIGN | KU_CRL_SIGN));
  EXPECT_EQ(EVP_PKEY_get_bits(X509_get0_pubkey(cert.get())), 256);
  EXPECT_EQ(inspect_certificate(ca.certificate_pem()).common_name, "Otter CA");
}

TEST_F(CertificateAuthorityTest, RefusesToOverwriteAnExistingCa) {
  auto ca = CertificateAuthority::create(ca_dir());
  const std::string before = read_file(ca.paths().ca_private_key());
  EXPECT_THROW(CertificateAuthority::create(ca_dir()), CaError);
  EXPECT_EQ(read_file(ca.paths().ca_private_key()), before);
}

TEST_F(CertificateAuthorityTest, OpensTheSameCaAgain) {
  const std::string fingerprint = CertificateAuthority::create(ca_dir()).fingerprint_sha256();
  EXPECT_EQ(CertificateAuthority::open(ca_dir()).fingerprint_sha256(), fingerprint);
  EXPECT_EQ(CertificateAuthority::open_or_create(ca_dir()).fingerprint_sha256(), fingerprint);
}

TEST_F(CertificateAuthorityTest, RefusesToOpenACaWhoseKeyOthersCanRead) {
  const auto paths = CertificateAuthority::create(ca_dir()).paths();
  fs::permissions(paths.ca_private_key(), fs::perms::owner_read | fs::perms::owner_write | fs::perms::others_read);
  EXPECT_THROW(CertificateAuthority::open(ca_dir()), CaError);
  fs::permissions(paths.ca_private_key(), fs::perms::owner_read | fs::perms::owner_write);
  EXPECT_NO_THROW(CertificateAuthority::open(ca_dir()));
}

TEST_F(CertificateAuthorityTest, OpenNamesTheMissingFile) {
  try {
    CertificateAuthority::open(ca_dir());
    FAIL() << "opened a CA that does not exist";
  } catch (const CaError& e) {
    EXPECT_NE(std::string(e.what()).find("ca.crt"), std::string::npos) << e.what();
  }
}

TEST_F(CertificateAuthorityTest, ThingCertificateNamesTheThingForClientAuthOnly) {
  auto ca = CertificateAuthority::create(ca_dir());
  const auto issued = ca.issue_thing_certificate("MY-IOT-OTA-Device");
  auto cert = parse(issued.certificate_pem);
  EXPECT_EQ(issued.common_name, "MY-IOT-OTA-Device");
  EXPECT_EQ(inspect_certificate(issued.certificate_pem).common_name, "MY-IOT-OTA-Device");
  EXPECT_EQ(X509_get_extended_key_usage(cert.get()), static_cast<uint32_t>(XKU_SSL_CLIENT));
  EXPECT_EQ(X509_check_ca(cert.get()), 0);
  EXPECT_TRUE(is_issued_by(issued.certificate_pem, ca.certificate_pem()));
  EXPECT_EQ(verify_with_crl(ca, issued.certificate_pem), X509_V_OK);
}

TEST_F(CertificateAuthorityTest, ThingKeyIsP256AndMatchesItsCertificate) {
  auto ca = CertificateAuthority::create(ca_dir());
  const auto issued = ca.issue_thing_certificate("thing-1");
  crypto::BioPtr bio(BIO_new_mem_buf(issued.private_key_pem.data(), static_cast<int>(issued.private_key_pem.size())));
  crypto::PKey key(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
  ASSERT_TRUE(key);
  EXPECT_EQ(EVP_PKEY_get_base_id(key.get()), EVP_PKEY_EC);
  EXPECT_EQ(EVP_PKEY_get_bits(key.get()), 256);
  EXPECT_EQ(X509_check_private_key(parse(issued.certificate_pem).get(), key.get()), 1);
}

TEST_F(CertificateAuthorityTest, SerialNumbersAreRandom128BitValues) {
  auto ca = CertificateAuthority::create(ca_dir());
  std::set<std::string> serials;
  size_t long_serials = 0;
  for (int i = 0; i < 16; ++i) {
    const auto serial = ca.issue_thing_certificate("thing-" + std::to_string(i)).serial_hex;
    EXPECT_LE(serial.size(), 32u);
    if (serial.size() >= 30) ++long_serials;
    serials.insert(serial);
  }
  EXPECT_EQ(serials.size(), 16u);
  // Leading zero nibbles shorten a few; sequential serials would all be short.
  EXPECT_GE(long_serials, 12u);
}

TEST_F(CertificateAuthorityTest, FingerprintIsSha256OfTheDerCertificate) {
  auto ca = CertificateAuthority::create(ca_dir());
  const auto issued = ca.issue_thing_certificate("thing-1");
  auto cert = parse(issued.certificate_pem);
  unsigned char* der = nullptr;
  const int size = i2d_X509(cert.get(), &der);
  unsigned char md[32];
  unsigned int md_size = 0;
  EVP_Digest(der, static_cast<size_t>(size), md, &md_size, EVP_sha256(), nullptr);
  OPENSSL_free(der);
  char hex[65];
  for (unsigned i = 0; i < 32; ++i) std::snprintf(hex + 2 * i, 3, "%02x", md[i]);
  EXPECT_EQ(issued.fingerprint_sha256, std::string(hex, 64));
}

TEST_F(CertificateAuthorityTest, RefusesThingNamesThatCouldEscapeTheirTopicTree) {
  auto ca = CertificateAuthority::create(ca_dir());
  for (const std::string& name : std::vector<std::string>{"", "a/b", "+", "#", "a b", "thing#", std::string(129, 'x'), "otterd"}) {
    EXPECT_THROW(ca.issue_thing_certificate(name), CaError) << "'" << name << "'";
    EXPECT_FALSE(is_valid_thing_name(name)) << "'" << name << "'";
  }
  EXPECT_TRUE(is_valid_thing_name(std::string(128, 'x')));
  EXPECT_TRUE(is_valid_thing_name("MY-IOT-OTA-Device:2_b"));
}

TEST_F(CertificateAuthorityTest, SignsADeviceCsrWithTheCaChosenNameAndRights) {
  auto ca = CertificateAuthority::create(ca_dir());
  crypto::PKey device_key(EVP_EC_gen("P-256"));
  const auto issued = ca.sign_thing_csr("thing-7", make_csr(device_key.get(), "someone-else", true));
  auto cert = parse(issued.certificate_pem);
  EXPECT_TRUE(issued.private_key_pem.empty());
  EXPECT_EQ(issued.common_name, "thing-7");
  EXPECT_EQ(X509_check_ca(cert.get()), 0);
  EXPECT_EQ(X509_check_private_key(cert.get(), device_key.get()), 1);
  EXPECT_EQ(verify_with_crl(ca, issued.certificate_pem), X509_V_OK);
}

TEST_F(CertificateAuthorityTest, RefusesACsrWhoseSignatureDoesNotVerify) {
  auto ca = CertificateAuthority::create(ca_dir());
  crypto::PKey device_key(EVP_EC_gen("P-256"));
  crypto::PKey other_key(EVP_EC_gen("P-256"));
  // Signed with one key but carrying another: proof of possession fails.
  crypto::X509ReqPtr req(X509_REQ_new());
  X509_REQ_set_pubkey(req.get(), device_key.get());
  X509_REQ_sign(req.get(), other_key.get(), EVP_sha256());
  crypto::BioPtr out(BIO_new(BIO_s_mem()));
  PEM_write_bio_X509_REQ(out.get(), req.get());
  char* data = nullptr;
  const long size = BIO_get_mem_data(out.get(), &data);
  EXPECT_THROW(ca.sign_thing_csr("thing-7", std::string(data, static_cast<size_t>(size))), CaError);
}

TEST_F(CertificateAuthorityTest, RefusesACsrWithAWeakKey) {
  auto ca = CertificateAuthority::create(ca_dir());
  crypto::PKey weak(EVP_RSA_gen(1024));
  EXPECT_THROW(ca.sign_thing_csr("thing-7", make_csr(weak.get(), "thing-7", false)), CaError);
}

TEST_F(CertificateAuthorityTest, RefusesTextThatIsNotACsr) {
  auto ca = CertificateAuthority::create(ca_dir());
  EXPECT_THROW(ca.sign_thing_csr("thing-7", "-----BEGIN CERTIFICATE REQUEST-----\nnope\n"), CaError);
}

TEST_F(CertificateAuthorityTest, BrokerCertificateServesLoopbackNames) {
  auto ca = CertificateAuthority::create(ca_dir());
  const auto issued = ca.issue_broker_certificate();
  auto cert = parse(issued.certificate_pem);
  EXPECT_EQ(X509_get_extended_key_usage(cert.get()), static_cast<uint32_t>(XKU_SSL_SERVER));
  EXPECT_EQ(X509_check_host(cert.get(), "localhost", 0, 0, nullptr), 1);
  EXPECT_EQ(X509_check_ip_asc(cert.get(), "127.0.0.1", 0), 1);
  EXPECT_EQ(X509_check_ip_asc(cert.get(), "10.0.0.1", 0), 0);
}

TEST_F(CertificateAuthorityTest, ServiceCertificateCarriesThePrivilegedIdentity) {
  auto ca = CertificateAuthority::create(ca_dir());
  const auto issued = ca.issue_service_certificate();
  EXPECT_EQ(issued.common_name, kServiceIdentity);
  EXPECT_EQ(verify_with_crl(ca, issued.certificate_pem), X509_V_OK);
}

TEST_F(CertificateAuthorityTest, RevokedCertificateFailsCrlCheckOthersPass) {
  auto ca = CertificateAuthority::create(ca_dir());
  const auto a = ca.issue_thing_certificate("thing-a");
  const auto b = ca.issue_thing_certificate("thing-b");
  ca.revoke(a.serial_hex);
  EXPECT_EQ(verify_with_crl(ca, a.certificate_pem), X509_V_ERR_CERT_REVOKED);
  EXPECT_EQ(verify_with_crl(ca, b.certificate_pem), X509_V_OK);
  EXPECT_TRUE(ca.is_revoked(a.serial_hex));
  EXPECT_FALSE(ca.is_revoked(b.serial_hex));
}

TEST_F(CertificateAuthorityTest, RevocationSurvivesReopeningAndIsIdempotent) {
  std::string serial;
  {
    auto ca = CertificateAuthority::create(ca_dir());
    serial = ca.issue_thing_certificate("thing-a").serial_hex;
    ca.revoke(serial);
    ca.revoke("00" + serial);  // same serial, other spelling
  }
  auto ca = CertificateAuthority::open(ca_dir());
  ASSERT_EQ(ca.revoked().size(), 1u);
  EXPECT_EQ(ca.revoked().front().serial_hex, serial);
}

TEST_F(CertificateAuthorityTest, ConcurrentRevocationsFromTwoProcessesAreAllKept) {
  std::vector<std::string> serials;
  {
    auto ca = CertificateAuthority::create(ca_dir());
    for (int i = 0; i < 16; ++i) serials.push_back(ca.issue_thing_certificate("thing-" + std::to_string(i)).serial_hex);
  }
  // Two independent CA objects stand for otterd and `otter-broker revoke`.
  auto first = CertificateAuthority::open(ca_dir());
  auto second = CertificateAuthority::open(ca_dir());
  std::thread a([&] { for (size_t i = 0; i < serials.size(); i += 2) first.revoke(serials[i]); });
  std::thread b([&] { for (size_t i = 1; i < serials.size(); i += 2) second.revoke(serials[i]); });
  a.join();
  b.join();
  EXPECT_EQ(CertificateAuthority::open(ca_dir()).revoked().size(), serials.size());
}

TEST_F(CertificateAuthorityTest, EveryCrlCarriesAHigherNumber) {
  auto ca = CertificateAuthority::create(ca_dir());
  auto crl_number = [&] {
    const std::string pem = read_file(ca.paths().crl());
    crypto::BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
    crypto::X509CrlPtr crl(PEM_read_bio_X509_CRL(bio.get(), nullptr, nullptr, nullptr));
    auto* n = static_cast<ASN1_INTEGER*>(X509_CRL_get_ext_d2i(crl.get(), NID_crl_number, nullptr, nullptr));
    const long value = ASN1_INTEGER_get(n);
    ASN1_INTEGER_free(n);
    return value;
  };
  const long first = crl_number();
  ca.revoke(ca.issue_thing_certificate("thing-a").serial_hex);
  EXPECT_GT(crl_number(), first);
  EXPECT_FALSE(ca.crl_needs_refresh());
}

TEST_F(CertificateAuthorityTest, RefusesATamperedCrl) {
  { CertificateAuthority::create(ca_dir()); }
  // A CRL signed by some other CA, dropped in place of ours.
  TempDir other;
  auto impostor = CertificateAuthority::create(other.path() / "pki");
  fs::copy_file(impostor.paths().crl(), PkiPaths{ca_dir()}.crl(), fs::copy_options::overwrite_existing);
  EXPECT_THROW(CertificateAuthority::open(ca_dir()), CaError);
}

TEST_F(CertificateAuthorityTest, RefusesMalformedSerials) {
  auto ca = CertificateAuthority::create(ca_dir());
  EXPECT_THROW(ca.revoke("xyz"), CaError);
  EXPECT_THROW(ca.revoke(""), CaError);
  EXPECT_THROW(ca.revoke(std::string(41, 'a')), CaError);
  EXPECT_TRUE(ca.revoked().empty());
}

TEST_F(CertificateAuthorityTest, CertificateFromAnotherCaIsNotIssuedByThisOne) {
  auto ca = CertificateAuthority::create(ca_dir());
  TempDir other;
  auto stranger = CertificateAuthority::create(other.path() / "pki");
  EXPECT_FALSE(is_issued_by(stranger.issue_thing_certificate("thing-a").certificate_pem, ca.certificate_pem()));
}

}  // namespace
}  // namespace otter::pki
