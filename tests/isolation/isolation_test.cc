// Isolation between things on the real broker: Mosquitto 2.0 with the
// configuration server/broker generates and certificates from the Otter CA.
// Negative checks ("never arrives") are made deterministic with a marker:
// the same publisher sends the forbidden-to-see message first and a marker
// the observer may see second; the broker delivers one publisher's messages
// in order, so once the marker is in, the forbidden one would have been too.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <memory>

#include <openssl/pem.h>

#include "mqtt_test_client.h"
#include "otter/crypto/openssl.h"
#include "otter/broker/broker_setup.h"
#include "otter/broker/mosquitto_process.h"
#include "otter/pki/certificate_authority.h"
#include "otter/pki/files.h"

namespace otter::testing {
namespace {

namespace fs = std::filesystem;

class IsolationTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    std::string pattern = (fs::temp_directory_path() / "otter-isolation-XXXXXX").string();
    dir_ = new fs::path(::mkdtemp(pattern.data()));
    // A port picked free may be taken before the broker binds it: retry.
    for (int attempt = 0; attempt < 5 && broker_ == nullptr; ++attempt) {
      const auto setup = broker::prepare_broker(*dir_, {.tls_port = broker::pick_free_loopback_port()});
      try {
        broker_ = new broker::MosquittoProcess(broker::options_for(setup.config));
        setup_ = new broker::BrokerSetup(setup);
      } catch (const broker::BrokerProcessError& e) {
        if (attempt == 4) throw;
      }
    }
    ca_ = new pki::CertificateAuthority(pki::CertificateAuthority::open(setup_->pki.dir));
    for (const char* name : {"thing-a", "thing-b"}) issue(name);
  }

  static void TearDownTestSuite() {
    delete broker_;
    delete ca_;
    delete setup_;
    fs::remove_all(*dir_);
    delete dir_;
  }

  // Writes <name>.crt/.key for a thing and returns its serial.
  static std::string issue(const std::string& name) {
    const auto issued = ca_->issue_thing_certificate(name);
    pki::write_public_file(*dir_ / "things" / (name + ".crt"), issued.certificate_pem);
    pki::write_private_file(*dir_ / "things" / (name + ".key"), issued.private_key_pem);
    return issued.serial_hex;
  }

  static TlsIdentity thing(const std::string& name) {
    return {setup_->pki.ca_certificate(), *dir_ / "things" / (name + ".crt"), *dir_ / "things" / (name + ".key")};
  }
  static TlsIdentity otterd() {
    return {setup_->pki.ca_certificate(), setup_->pki.service_certificate(), setup_->pki.service_private_key()};
  }
  static std::uint16_t port() { return setup_->config.tls_port; }

  // A connected client or a failed test.
  static std::unique_ptr<MqttTestClient> connected(const std::string& client_id, const TlsIdentity& identity) {
    auto client = std::make_unique<MqttTestClient>(client_id, port(), identity);
    EXPECT_TRUE(client->connect()) << client_id << " could not connect";
    return client;
  }

  static fs::path* dir_;
  static broker::BrokerSetup* setup_;
  static broker::MosquittoProcess* broker_;
  static pki::CertificateAuthority* ca_;
};

fs::path* IsolationTest::dir_ = nullptr;
broker::BrokerSetup* IsolationTest::setup_ = nullptr;
broker::MosquittoProcess* IsolationTest::broker_ = nullptr;
pki::CertificateAuthority* IsolationTest::ca_ = nullptr;

const std::string kANotify = "$aws/things/thing-a/jobs/notify-next";
const std::string kBNotify = "$aws/things/thing-b/jobs/notify-next";

TEST_F(IsolationTest, ThingUsesItsOwnTopics) {
  auto a = connected("thing-a", thing("thing-a"));
  EXPECT_EQ(a->subscribe("$aws/things/thing-a/#"), 1);
  ASSERT_TRUE(a->publish("$aws/things/thing-a/jobs/$next/get", R"({"clientToken":":thing-a"})"));
  ASSERT_TRUE(a->wait_for("$aws/things/thing-a/jobs/$next/get"));
}

TEST_F(IsolationTest, OtterdReachesEveryThingsTopics) {
  auto service = connected("otterd", otterd());
  auto b = connected("thing-b", thing("thing-b"));
  ASSERT_EQ(service->subscribe("$aws/things/+/jobs/+/update"), 1);
  ASSERT_EQ(b->subscribe(kBNotify), 1);
  ASSERT_TRUE(b->publish("$aws/things/thing-b/jobs/job-1/update", R"({"status":"IN_PROGRESS"})"));
  EXPECT_TRUE(service->wait_for("$aws/things/thing-b/jobs/job-1/update"));
  ASSERT_TRUE(service->publish(kBNotify, R"({"execution":{}})"));
  EXPECT_TRUE(b->wait_for(kBNotify));
}

// Mosquitto 2.0 answers a v3.1.1 SUBSCRIBE it will never serve with a
// granted QoS and enforces the ACL at delivery: what matters (and is
// checked) is that nothing of B's arrives, whatever filter A uses.
TEST_F(IsolationTest, WildcardSubscriptionsDeliverNothingOfOtherThings) {
  auto a = connected("thing-a", thing("thing-a"));
  auto service = connected("otterd", otterd());
  for (const std::string& filter : {std::string("$aws/things/thing-b/#"), std::string("$aws/things/+/jobs/notify-next"),
                                    std::string("$aws/things/#"), std::string("#"), std::string("$aws/#")}) {
    a->subscribe(filter);
  }
  ASSERT_EQ(a->subscribe(kANotify), 1);
  ASSERT_TRUE(service->publish(kBNotify, R"({"execution":{"jobId":"secret-of-b"}})"));
  ASSERT_TRUE(service->publish("$aws/things/thing-b/streams/s/data/cbor", "block of b"));
  ASSERT_TRUE(service->publish(kANotify, "marker"));
  ASSERT_TRUE(a->wait_for(kANotify));
  EXPECT_TRUE(a->received(kBNotify).empty());
  EXPECT_TRUE(a->received("$aws/things/thing-b/streams/s/data/cbor").empty());
}

TEST_F(IsolationTest, ThingNeverReceivesAnotherThingsJobNotification) {
  auto a = connected("thing-a", thing("thing-a"));
  auto service = connected("otterd", otterd());
  a->subscribe(kBNotify);
  ASSERT_EQ(a->subscribe(kANotify), 1);
  ASSERT_TRUE(service->publish(kBNotify, R"({"execution":{"jobId":"secret-of-b"}})"));
  ASSERT_TRUE(service->publish(kANotify, "marker"));
  ASSERT_TRUE(a->wait_for(kANotify));
  EXPECT_TRUE(a->received(kBNotify).empty());
}

TEST_F(IsolationTest, ThingCannotReadAnotherThingsStream) {
  const std::string b_data = "$aws/things/thing-b/streams/stream-1/data/cbor";
  const std::string a_data = "$aws/things/thing-a/streams/stream-1/data/cbor";
  auto a = connected("thing-a", thing("thing-a"));
  auto b = connected("thing-b", thing("thing-b"));
  auto service = connected("otterd", otterd());
  a->subscribe(b_data);
  ASSERT_EQ(a->subscribe(a_data), 1);
  ASSERT_EQ(b->subscribe(b_data), 1);
  ASSERT_TRUE(service->publish(b_data, "block of b"));
  ASSERT_TRUE(service->publish(a_data, "marker"));
  ASSERT_TRUE(a->wait_for(a_data));
  EXPECT_TRUE(a->received(b_data).empty());
  EXPECT_TRUE(b->wait_for(b_data));
}

TEST_F(IsolationTest, ThingCannotPublishAsAnotherThing) {
  // A forges B's status update; otterd must not see it.
  auto a = connected("thing-a", thing("thing-a"));
  auto service = connected("otterd", otterd());
  ASSERT_EQ(service->subscribe("$aws/things/+/jobs/+/update"), 1);
  const std::string forged = "$aws/things/thing-b/jobs/job-1/update";
  const std::string own = "$aws/things/thing-a/jobs/job-1/update";
  ASSERT_TRUE(a->publish(forged, R"({"status":"SUCCEEDED"})"));
  ASSERT_TRUE(a->publish(own, "marker"));
  ASSERT_TRUE(service->wait_for(own));
  EXPECT_TRUE(service->received(forged).empty());
}

TEST_F(IsolationTest, ThingCannotPublishToAnotherThingsNotifications) {
  // A pretends to be otterd towards B.
  auto a = connected("thing-a", thing("thing-a"));
  auto b = connected("thing-b", thing("thing-b"));
  auto service = connected("otterd", otterd());
  ASSERT_EQ(b->subscribe(kBNotify), 1);
  ASSERT_TRUE(a->publish(kBNotify, R"({"execution":{"jobId":"evil"}})"));
  // A's PUBACK means the broker handled the forgery before otterd's marker.
  ASSERT_TRUE(service->publish(kBNotify, "marker"));
  auto first = b->wait_for(kBNotify);
  ASSERT_TRUE(first);
  EXPECT_EQ(first->payload, "marker");
  EXPECT_EQ(b->received(kBNotify).size(), 1u);
}

TEST_F(IsolationTest, ThingCannotTakeAnotherThingsClientId) {
  auto b = connected("thing-b", thing("thing-b"));
  ASSERT_EQ(b->subscribe(kBNotify), 1);
  // A asks for B's client id; the broker replaces it with A's CN.
  auto a = connected("thing-b", thing("thing-a"));
  // Had A taken over the id, the broker would have closed B's connection
  // before answering A's CONNECT; B still completes a round trip.
  auto service = connected("otterd", otterd());
  ASSERT_TRUE(service->publish(kBNotify, "still here"));
  EXPECT_TRUE(b->wait_for(kBNotify));
  EXPECT_TRUE(b->connected());
}

TEST_F(IsolationTest, ClientIdIsTheCertificateNameWhateverTheClientAsks) {
  // Two connections of A under different requested ids are one session
  // "thing-a": the second takes over the first.
  auto first = connected("any-id", thing("thing-a"));
  auto second = connected("other-id", thing("thing-a"));
  EXPECT_TRUE(first->wait_for_disconnect());
  EXPECT_TRUE(second->connected());
}

TEST_F(IsolationTest, ConnectionWithoutCertificateIsRefused) {
  MqttTestClient client("thing-a", port(), TlsIdentity{setup_->pki.ca_certificate(), {}, {}});
  EXPECT_FALSE(client.connect());
}

TEST_F(IsolationTest, CertificateFromAnotherCaIsRefused) {
  auto stranger = pki::CertificateAuthority::create(*dir_ / "stranger");
  const auto issued = stranger.issue_thing_certificate("thing-a");
  pki::write_public_file(*dir_ / "stranger" / "thing-a.crt", issued.certificate_pem);
  pki::write_private_file(*dir_ / "stranger" / "thing-a.key", issued.private_key_pem);
  MqttTestClient client("thing-a", port(),
                        TlsIdentity{setup_->pki.ca_certificate(), *dir_ / "stranger" / "thing-a.crt",
                                    *dir_ / "stranger" / "thing-a.key"});
  EXPECT_FALSE(client.connect());
}

TEST_F(IsolationTest, PlainMqttOnTheTlsPortIsRefused) {
  MqttTestClient client("thing-a", port(), std::nullopt, "thing-a");
  EXPECT_FALSE(client.connect(3s));
}

TEST_F(IsolationTest, CertificateRevokedWhileRunningIsRefusedAfterReload) {
  const std::string serial = issue("thing-r");
  {
    MqttTestClient before("thing-r", port(), thing("thing-r"));
    ASSERT_TRUE(before.connect()) << "a fresh certificate must work before it is revoked";
  }
  ca_->revoke(serial);
  broker_->reload_and_wait();
  MqttTestClient after("thing-r", port(), thing("thing-r"));
  EXPECT_FALSE(after.connect());
  // The new CRL keeps everyone else in.
  auto a = connected("thing-a", thing("thing-a"));
  EXPECT_TRUE(a->connected());
}

TEST_F(IsolationTest, CertificateSignedFromADeviceCsrConnectsAsThatThing) {
  // The device keeps its key: only the CSR travels.
  crypto::PKey device_key(EVP_EC_gen("P-256"));
  crypto::X509ReqPtr request(X509_REQ_new());
  X509_REQ_set_pubkey(request.get(), device_key.get());
  X509_REQ_sign(request.get(), device_key.get(), EVP_sha256());
  crypto::BioPtr csr(BIO_new(BIO_s_mem()));
  PEM_write_bio_X509_REQ(csr.get(), request.get());
  char* csr_text = nullptr;
  const long csr_size = BIO_get_mem_data(csr.get(), &csr_text);
  const auto issued = ca_->sign_thing_csr("thing-c", std::string(csr_text, static_cast<size_t>(csr_size)));
  crypto::BioPtr key_out(BIO_new(BIO_s_mem()));
  PEM_write_bio_PrivateKey(key_out.get(), device_key.get(), nullptr, nullptr, 0, nullptr, nullptr);
  char* key_text = nullptr;
  const long key_size = BIO_get_mem_data(key_out.get(), &key_text);
  pki::write_public_file(*dir_ / "things" / "thing-c.crt", issued.certificate_pem);
  pki::write_private_file(*dir_ / "things" / "thing-c.key", std::string(key_text, static_cast<size_t>(key_size)));

  auto c = connected("thing-c", thing("thing-c"));
  ASSERT_EQ(c->subscribe("$aws/things/thing-c/jobs/notify-next"), 1);
  ASSERT_TRUE(c->publish("$aws/things/thing-c/jobs/notify-next", "own"));
  EXPECT_TRUE(c->wait_for("$aws/things/thing-c/jobs/notify-next"));
}

TEST_F(IsolationTest, RevokedCertificateIsRefusedAfterRestart) {
  const std::string serial = issue("thing-s");
  ca_->revoke(serial);
  broker_->restart();
  MqttTestClient client("thing-s", port(), thing("thing-s"));
  EXPECT_FALSE(client.connect());
}

// The development listener: no certificate, the claimed username is the
// identity. It must still confine that identity, and admit nobody nameless.
class DevelopmentListenerTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    std::string pattern = (fs::temp_directory_path() / "otter-devlistener-XXXXXX").string();
    dir_ = new fs::path(::mkdtemp(pattern.data()));
    for (int attempt = 0; attempt < 5 && broker_ == nullptr; ++attempt) {
      plain_port_ = broker::pick_free_loopback_port();
      const auto setup = broker::prepare_broker(
          *dir_, {.tls_port = broker::pick_free_loopback_port(), .plain_port = plain_port_});
      try {
        broker_ = new broker::MosquittoProcess(broker::options_for(setup.config));
      } catch (const broker::BrokerProcessError&) {
        if (attempt == 4) throw;
      }
    }
  }
  static void TearDownTestSuite() {
    delete broker_;
    fs::remove_all(*dir_);
    delete dir_;
  }
  static std::unique_ptr<MqttTestClient> plain(const std::string& id, std::optional<std::string> username) {
    return std::make_unique<MqttTestClient>(id, plain_port_, std::nullopt, std::move(username));
  }

  static fs::path* dir_;
  static broker::MosquittoProcess* broker_;
  static std::uint16_t plain_port_;
};

fs::path* DevelopmentListenerTest::dir_ = nullptr;
broker::MosquittoProcess* DevelopmentListenerTest::broker_ = nullptr;
std::uint16_t DevelopmentListenerTest::plain_port_ = 0;

TEST_F(DevelopmentListenerTest, ClaimedIdentityIsStillConfinedToItsSubtree) {
  auto a = plain("thing-a", "thing-a");
  auto b = plain("thing-b", "thing-b");
  ASSERT_TRUE(a->connect());
  ASSERT_TRUE(b->connect());
  a->subscribe("$aws/things/thing-b/#");
  ASSERT_EQ(a->subscribe(kANotify), 1);
  ASSERT_TRUE(b->publish(kANotify, "forged by b"));
  ASSERT_TRUE(b->publish(kBNotify, "b's own"));
  ASSERT_TRUE(a->publish(kANotify, "marker"));
  auto first = a->wait_for(kANotify);
  ASSERT_TRUE(first);
  EXPECT_EQ(first->payload, "marker");
  EXPECT_EQ(a->received(kANotify).size(), 1u);
  EXPECT_TRUE(a->received(kBNotify).empty());
}

TEST_F(DevelopmentListenerTest, ClientWithoutUsernameIsRefused) {
  auto nameless = plain("thing-a", std::nullopt);
  EXPECT_FALSE(nameless->connect());
}

}  // namespace
}  // namespace otter::testing
