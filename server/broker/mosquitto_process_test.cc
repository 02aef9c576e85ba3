#include "otter/broker/mosquitto_process.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>

#include "otter/broker/broker_setup.h"
#include "otter/pki/files.h"

namespace otter::broker {
namespace {

namespace fs = std::filesystem;

class TempDir {
 public:
  TempDir() {
    std::string pattern = (fs::temp_directory_path() / "otter-mosq-XXXXXX").string();
    path_ = ::mkdtemp(pattern.data());
  }
  ~TempDir() { fs::remove_all(path_); }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

class MosquittoProcessTest : public ::testing::Test {
 protected:
  MosquittoOptions prepare() {
    setup_ = prepare_broker(dir_.path(), {.tls_port = pick_free_loopback_port()});
    return options_for(setup_.config);
  }
  TempDir dir_;
  BrokerSetup setup_;
};

TEST_F(MosquittoProcessTest, StartsWithTheGeneratedConfigAndAcceptsConnections) {
  MosquittoProcess broker(prepare());
  EXPECT_TRUE(broker.running());
  EXPECT_GT(broker.pid(), 0);
  EXPECT_EQ(::kill(broker.pid(), 0), 0);
}

TEST_F(MosquittoProcessTest, StopEndsTheProcessAndStartBringsItBack) {
  MosquittoProcess broker(prepare());
  const pid_t first = broker.pid();
  broker.stop();
  EXPECT_FALSE(broker.running());
  EXPECT_NE(::kill(first, 0), 0);
  broker.start();
  EXPECT_TRUE(broker.running());
  EXPECT_NE(broker.pid(), first);
}

TEST_F(MosquittoProcessTest, RestartGivesANewProcess) {
  MosquittoProcess broker(prepare());
  const pid_t first = broker.pid();
  broker.restart();
  EXPECT_TRUE(broker.running());
  EXPECT_NE(broker.pid(), first);
}

TEST_F(MosquittoProcessTest, ReloadKeepsTheSameProcessRunning) {
  MosquittoProcess broker(prepare());
  const pid_t first = broker.pid();
  broker.reload_and_wait();
  broker.reload_and_wait();
  EXPECT_TRUE(broker.running());
  EXPECT_EQ(broker.pid(), first);
}

TEST_F(MosquittoProcessTest, ABrokerStartedElsewhereIsReloadedThroughItsPidFile) {
  MosquittoProcess broker(prepare());
  const auto reloads = [&] {
    const std::string log = pki::read_file(setup_.broker.log());
    size_t n = 0;
    for (size_t at = log.find("Reloading config."); at != std::string::npos; at = log.find("Reloading config.", at + 1)) ++n;
    return n;
  };
  EXPECT_EQ(reloads(), 0u);
  EXPECT_TRUE(reload_running_broker(setup_.config));
  EXPECT_EQ(reloads(), 1u);
  EXPECT_EQ(broker.pid(), std::stoi(pki::read_file(setup_.broker.pid_file())));
}

TEST_F(MosquittoProcessTest, ReloadingADataDirWithoutABrokerReportsIt) {
  prepare();
  EXPECT_FALSE(reload_running_broker(setup_.config));
  // A stale pid file naming some other process is not a broker either.
  pki::write_public_file(setup_.broker.pid_file(), std::to_string(::getpid()) + "\n");
  EXPECT_FALSE(reload_running_broker(setup_.config));
}

TEST_F(MosquittoProcessTest, SigtermWritesThePersistenceFile) {
  MosquittoProcess broker(prepare());
  broker.stop();
  EXPECT_TRUE(fs::exists(setup_.broker.persistence_dir() / "mosquitto.db"));
}

TEST_F(MosquittoProcessTest, AStartFailureQuotesTheBrokersOwnError) {
  auto options = prepare();
  std::ofstream(setup_.broker.config(), std::ios::app) << "no_such_option 1\n";
  try {
    MosquittoProcess broker(options);
    FAIL() << "a broker with a broken config started";
  } catch (const BrokerProcessError& e) {
    EXPECT_NE(std::string(e.what()).find("no_such_option"), std::string::npos) << e.what();
  }
}

TEST_F(MosquittoProcessTest, RefusesAPortAnotherBrokerAlreadyHolds) {
  auto options = prepare();
  MosquittoProcess first(options);
  try {
    MosquittoProcess second(options);
    FAIL() << "second broker started on a taken port";
  } catch (const BrokerProcessError& e) {
    EXPECT_NE(std::string(e.what()).find("already in use"), std::string::npos) << e.what();
  }
  EXPECT_TRUE(first.running());
}

TEST_F(MosquittoProcessTest, AMissingBinaryIsReportedByName) {
  auto options = prepare();
  options.binary = "/nonexistent/mosquitto";
  EXPECT_THROW(MosquittoProcess{options}, BrokerProcessError);
}

}  // namespace
}  // namespace otter::broker
