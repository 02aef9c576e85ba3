#include "otter/broker/mosquitto_config.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>

#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "otter/broker/broker_setup.h"
#include "otter/crypto/openssl.h"
#include "otter/pki/files.h"

namespace otter::broker {
namespace {

namespace fs = std::filesystem;

class TempDir {
 public:
  TempDir() {
    std::string pattern = (fs::temp_directory_path() / "otter-broker-XXXXXX").string();
    path_ = ::mkdtemp(pattern.data());
  }
  ~TempDir() { fs::remove_all(path_); }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

bool has_line(const std::string& text, const std::string& line) {
  return ("\n" + text).find("\n" + line + "\n") != std::string::npos;
}

class MosquittoConfigTest : public ::testing::Test {
 protected:
  void SetUp() override { setup_ = prepare_broker(dir_.path(), {.tls_port = 18883}); }
  TempDir dir_;
  BrokerSetup setup_;
};

TEST_F(MosquittoConfigTest, TlsListenerRequiresACertificateWhoseCnIsUsernameAndClientId) {
  const std::string conf = render_mosquitto_conf(setup_.config);
  EXPECT_TRUE(has_line(conf, "listener 18883 127.0.0.1")) << conf;
  EXPECT_TRUE(has_line(conf, "require_certificate true"));
  EXPECT_TRUE(has_line(conf, "use_identity_as_username true"));
  EXPECT_TRUE(has_line(conf, "use_username_as_clientid true"));
  EXPECT_TRUE(has_line(conf, "cafile " + fs::absolute(setup_.pki.ca_certificate()).string()));
  EXPECT_TRUE(has_line(conf, "crlfile " + fs::absolute(setup_.pki.crl()).string()));
  EXPECT_TRUE(has_line(conf, "allow_anonymous false"));
}

TEST_F(MosquittoConfigTest, QueueLimitsAreRaisedAboveMosquittoDefaults) {
  const std::string conf = render_mosquitto_conf(setup_.config);
  EXPECT_TRUE(has_line(conf, "max_queued_messages 100000"));
  EXPECT_TRUE(has_line(conf, "max_queued_bytes 268435456"));
  EXPECT_TRUE(has_line(conf, "max_inflight_messages 100"));
  EXPECT_TRUE(has_line(conf, "persistence true"));
}

TEST_F(MosquittoConfigTest, PlainListenerOnlyWhenAskedAndOnlyOnLoopback) {
  EXPECT_EQ(render_mosquitto_conf(setup_.config).find("DEVELOPMENT"), std::string::npos);
  BrokerConfig config = setup_.config;
  config.bind_address = "0.0.0.0";
  config.plain_port = 11883;
  const std::string conf = render_mosquitto_conf(config);
  EXPECT_TRUE(has_line(conf, "listener 11883 127.0.0.1")) << conf;
  EXPECT_TRUE(has_line(conf, "listener 18883 0.0.0.0"));
}

TEST_F(MosquittoConfigTest, AclConfinesEachThingToItsSubtreeAndGrantsOtterdAllThings) {
  const std::string acl = render_acl(setup_.config);
  EXPECT_TRUE(has_line(acl, "pattern readwrite $aws/things/%u/#")) << acl;
  EXPECT_TRUE(has_line(acl, "user otterd"));
  EXPECT_TRUE(has_line(acl, "topic readwrite $aws/things/#"));
  // Nothing before the first "user" line may grant anonymous clients a topic.
  const std::string before_user = acl.substr(0, acl.find("\nuser "));
  EXPECT_EQ(before_user.find("\ntopic "), std::string::npos);
}

TEST_F(MosquittoConfigTest, RefusesPathsThatWouldBreakTheLineFormat) {
  BrokerConfig config = setup_.config;
  config.dir = dir_.path() / "bad\nlistener 1883";
  EXPECT_THROW(render_mosquitto_conf(config), BrokerConfigError);
}

TEST_F(MosquittoConfigTest, RefusesMissingTlsFilesNamingThem) {
  BrokerConfig config = setup_.config;
  config.crl_file = dir_.path() / "nope.pem";
  try {
    render_mosquitto_conf(config);
    FAIL() << "accepted a missing CRL";
  } catch (const BrokerConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("nope.pem"), std::string::npos) << e.what();
  }
}

TEST_F(MosquittoConfigTest, RefusesBadPortsAndIdentities) {
  BrokerConfig config = setup_.config;
  config.plain_port = config.tls_port;
  EXPECT_THROW(render_mosquitto_conf(config), BrokerConfigError);
  config = setup_.config;
  config.service_identity = "otterd\ntopic readwrite #";
  EXPECT_THROW(render_acl(config), BrokerConfigError);
  config = setup_.config;
  config.bind_address = "127.0.0.1 extra";
  EXPECT_THROW(render_mosquitto_conf(config), BrokerConfigError);
}

TEST_F(MosquittoConfigTest, TheConfigOfADataDirIsReadBackFromItsConf) {
  const auto config = config_of_data_dir(dir_.path());
  ASSERT_TRUE(config);
  EXPECT_EQ(config->tls_port, 18883);
  EXPECT_EQ(config->bind_address, "127.0.0.1");
  EXPECT_EQ(config->dir, setup_.broker.dir);
  TempDir empty;
  EXPECT_FALSE(config_of_data_dir(empty.path()));
}

TEST_F(MosquittoConfigTest, SetupKeepsExistingCertificatesAndKeys) {
  const std::string broker_key = pki::read_file(setup_.pki.broker_private_key());
  const std::string service_cert = pki::read_file(setup_.pki.service_certificate());
  const auto again = prepare_broker(dir_.path(), {.tls_port = 18884});
  EXPECT_EQ(pki::read_file(again.pki.broker_private_key()), broker_key);
  EXPECT_EQ(pki::read_file(again.pki.service_certificate()), service_cert);
  EXPECT_TRUE(has_line(pki::read_file(again.broker.config()), "listener 18884 127.0.0.1"));
}

TEST_F(MosquittoConfigTest, SetupReissuesTheBrokerCertificateForNewNamesKeepingLoopback) {
  const std::string before = pki::read_file(setup_.pki.broker_certificate());
  BrokerSetupOptions options;
  options.bind_address = "192.0.2.7";
  options.names.dns_names = {"otter.lan"};
  const auto again = prepare_broker(dir_.path(), options);
  const std::string pem = pki::read_file(again.pki.broker_certificate());
  EXPECT_NE(pem, before);
  crypto::BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  crypto::X509Ptr cert(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
  EXPECT_EQ(X509_check_host(cert.get(), "otter.lan", 0, 0, nullptr), 1);
  EXPECT_EQ(X509_check_host(cert.get(), "localhost", 0, 0, nullptr), 1);
  EXPECT_EQ(X509_check_ip_asc(cert.get(), "127.0.0.1", 0), 1);
  EXPECT_EQ(X509_check_ip_asc(cert.get(), "192.0.2.7", 0), 1);
}

}  // namespace
}  // namespace otter::broker
