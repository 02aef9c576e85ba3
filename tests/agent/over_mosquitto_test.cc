// The posix port against a real Mosquitto broker on 127.0.0.1: mutual TLS with
// certificates made by the openssl CLI, the full download through the broker
// to the in-process service, and a broker restart in the middle of it.
#include "otter/ports/posix/mosquitto_transport.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <mosquitto.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include "device_fixture.h"
#include "otter/ports/posix/steady_clock.h"

namespace otter::agent_test {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

int free_port() {
  const int s = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(s, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
  socklen_t len = sizeof(addr);
  ::getsockname(s, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(s);
  return ntohs(addr.sin_port);
}

bool port_open(int port) {
  const int s = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<std::uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  const bool ok = ::connect(s, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
  ::close(s);
  return ok;
}

void run(const std::string& command) { ASSERT_EQ(std::system(command.c_str()), 0) << command; }

// A broker with a mutual-TLS listener for devices and a plain listener for the
// service, both on 127.0.0.1.
class Broker {
 public:
  explicit Broker(const fs::path& dir) : dir_(dir), tls_port_(free_port()), plain_port_(free_port()) {
    std::ofstream conf(dir_ / "mosquitto.conf");
    conf << "per_listener_settings true\n"
         << "persistence false\n"
         << "listener " << tls_port_ << " 127.0.0.1\n"
         << "cafile " << (dir_ / "ca.pem").string() << "\n"
         << "certfile " << (dir_ / "server.pem").string() << "\n"
         << "keyfile " << (dir_ / "server.key").string() << "\n"
         << "require_certificate true\n"
         << "use_identity_as_username true\n"
         << "allow_anonymous false\n"
         << "listener " << plain_port_ << " 127.0.0.1\n"
         << "allow_anonymous true\n";
  }
  ~Broker() { stop(); }
  void start() {
    pid_ = ::fork();
    if (pid_ == 0) {
      // Debian installs the broker in /usr/sbin, which a CI PATH may lack.
      const char* broker = ::access("/usr/sbin/mosquitto", X_OK) == 0 ? "/usr/sbin/mosquitto" : "mosquitto";
      ::execlp(broker, "mosquitto", "-c", (dir_ / "mosquitto.conf").c_str(), static_cast<char*>(nullptr));
      ::_exit(127);
    }
    for (int i = 0; i < 200 && !(port_open(tls_port_) && port_open(plain_port_)); ++i) std::this_thread::sleep_for(25ms);
  }
  void stop() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGTERM);
    ::waitpid(pid_, nullptr, 0);
    pid_ = -1;
  }
  int tls_port() const { return tls_port_; }
  int plain_port() const { return plain_port_; }

 private:
  fs::path dir_;
  int tls_port_;
  int plain_port_;
  pid_t pid_ = -1;
};

// Connects the in-process service to the broker: what the device publishes
// reaches FakeOtaService::publish, what the service queues goes out.
class ServiceBridge {
 public:
  ServiceBridge(FakeOtaService& service, int port) : service_(service), port_(port) {
    mosquitto_lib_init();
    mosq_ = mosquitto_new("otter-test-service", true, this);
    mosquitto_message_callback_set(mosq_, [](mosquitto*, void* self, const mosquitto_message* m) {
      auto* b = static_cast<ServiceBridge*>(self);
      (void)b->service_.publish(m->topic, {static_cast<const std::uint8_t*>(m->payload), static_cast<std::size_t>(m->payloadlen)}, 1);
    });
    mosquitto_connect_callback_set(mosq_, [](mosquitto* m, void*, int rc) {
      if (rc != 0) return;
      const std::string base = std::string("$aws/things/") + kThing + "/";
      for (const std::string t : {"jobs/$next/get", "jobs/+/update", "streams/+/get/cbor"})
        mosquitto_subscribe(m, nullptr, (base + t).c_str(), 1);
    });
  }
  ~ServiceBridge() { mosquitto_destroy(mosq_); }
  void loop() {
    if (!connected_) connected_ = mosquitto_connect(mosq_, "127.0.0.1", port_, 30) == MOSQ_ERR_SUCCESS;
    if (!connected_) return;
    if (mosquitto_loop(mosq_, 5, 1) != MOSQ_ERR_SUCCESS) {
      connected_ = false;
      service_.inbox.clear();
      return;
    }
    // The service's own publishes: the fake service believes it talks to the
    // device directly, so the bridge forwards regardless of subscriptions.
    service_.subscriptions.insert("#");
    while (!service_.inbox.empty()) {
      Message m = std::move(service_.inbox.front());
      service_.inbox.pop_front();
      mosquitto_publish(mosq_, nullptr, m.topic.c_str(), static_cast<int>(m.payload.size()), m.payload.data(), 1, false);
    }
  }

 private:
  FakeOtaService& service_;
  int port_;
  mosquitto* mosq_ = nullptr;
  bool connected_ = false;
};

class OverMosquittoTest : public DeviceTest {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("otter-agent-mqtt-" + std::to_string(::getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
    const std::string d = dir_.string();
    const std::string q = " >/dev/null 2>&1";
    run("openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj /CN=otter-test-ca -keyout " +
        d + "/ca.key -out " + d + "/ca.pem" + q);
    for (const std::string name : {"server", "device"}) {
      const std::string cn = name == "server" ? "127.0.0.1" : kThing;
      run("openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj /CN=" + cn + " -keyout " + d + "/" +
          name + ".key -out " + d + "/" + name + ".csr" + q);
      std::ofstream(dir_ / (name + ".ext")) << "subjectAltName=IP:127.0.0.1\n";
      run("openssl x509 -req -in " + d + "/" + name + ".csr -CA " + d + "/ca.pem -CAkey " + d +
          "/ca.key -CAcreateserial -days 2 -extfile " + d + "/" + name + ".ext -out " + d + "/" + name + ".pem" + q);
    }
    // Mosquitto started as root drops to its own user: it must be able to read these.
    run("chmod 0755 " + d + " && chmod 0644 " + d + "/*");
    broker_ = std::make_unique<Broker>(dir_);
    broker_->start();
    ASSERT_TRUE(port_open(broker_->tls_port()) && port_open(broker_->plain_port())) << "mosquitto did not start";
  }
  void TearDown() override {
    broker_.reset();
    fs::remove_all(dir_);
    DeviceTest::TearDown();
  }

  ports::posix::MqttOptions device_options() const {
    ports::posix::MqttOptions o;
    o.port = broker_->tls_port();
    o.client_id = kThing;
    o.ca_file = (dir_ / "ca.pem").string();
    o.cert_file = (dir_ / "device.pem").string();
    o.key_file = (dir_ / "device.key").string();
    o.reconnect_min = 100ms;
    o.reconnect_max = 400ms;
    return o;
  }

  // Runs device, bridge and agent until `done` or 30 s of wall time.
  bool pump(ports::posix::MosquittoTransport& transport, agent::Agent& agent, ServiceBridge& bridge,
            const std::function<bool()>& done) {
    const auto deadline = std::chrono::steady_clock::now() + 30s;
    while (std::chrono::steady_clock::now() < deadline) {
      if (done()) return true;
      transport.loop(5);
      bridge.loop();
      agent.poll();
    }
    return done();
  }

  fs::path dir_;
  std::unique_ptr<Broker> broker_;
  ports::posix::SteadyClock wall_clock_;
};

TEST_F(OverMosquittoTest, DownloadsThroughTheBrokerWithTlsClientCertificates) {
  const JobSpec j = job(60 * 1024 + 9);
  service_.add_job(j);
  ports::posix::MosquittoTransport transport(device_options());
  agent::Agent agent(config_, transport, wall_clock_, bootloader_, layout_, app_);
  transport.attach(&agent);
  ServiceBridge bridge(service_, broker_->plain_port());
  ASSERT_EQ(transport.start(), Status::kOk) << transport.last_error();
  ASSERT_EQ(agent.start(), Status::kOk);
  ASSERT_TRUE(pump(transport, agent, bridge, [&] { return agent.state() == agent::AgentState::kReadyToReset; }))
      << agent::to_string(agent.state()) << " " << transport.last_error();
  EXPECT_TRUE(staged_equals(j.image));
  EXPECT_TRUE(service_.protocol_errors.empty()) << service_.protocol_errors.front();
}

TEST_F(OverMosquittoTest, ResumesAfterTheBrokerRestarts) {
  const JobSpec j = job(120 * 1024);
  service_.add_job(j);
  ports::posix::MosquittoTransport transport(device_options());
  agent::Agent agent(config_, transport, wall_clock_, bootloader_, layout_, app_);
  transport.attach(&agent);
  ServiceBridge bridge(service_, broker_->plain_port());
  ASSERT_EQ(transport.start(), Status::kOk);
  ASSERT_EQ(agent.start(), Status::kOk);
  ASSERT_TRUE(pump(transport, agent, bridge, [&] { return agent.blocks_received() >= 10; }));
  broker_->stop();
  ASSERT_TRUE(pump(transport, agent, bridge, [&] { return !transport.connected(); }));
  broker_->start();
  ASSERT_TRUE(pump(transport, agent, bridge, [&] { return agent.state() == agent::AgentState::kReadyToReset; }))
      << agent::to_string(agent.state()) << " " << transport.last_error();
  EXPECT_TRUE(staged_equals(j.image));
  EXPECT_GE(transport.reconnects(), 2u);
}

TEST_F(OverMosquittoTest, AnUnreadableKeyFileIsReportedWithWhatToCheck) {
  auto options = device_options();
  options.key_file = (dir_ / "missing.key").string();
  ports::posix::MosquittoTransport transport(options);
  EXPECT_EQ(transport.start(), Status::kBadKey);
  EXPECT_NE(transport.last_error().find("missing.key"), std::string::npos);
}

TEST(MosquittoTransportOptions, TlsNeedsAllThreeFiles) {
  ports::posix::MqttOptions o;
  o.client_id = "dev";
  o.ca_file = "/nonexistent/ca.pem";
  ports::posix::MosquittoTransport t(o);
  EXPECT_EQ(t.start(), Status::kInvalidArgument);
  EXPECT_NE(t.last_error().find("--ca, --cert and --key"), std::string::npos);
}

}  // namespace
}  // namespace otter::agent_test
