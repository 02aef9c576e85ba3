#include "otter/api/broker_endpoint.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include "otter/broker/broker_setup.h"

namespace otter::api {
namespace {

struct TempDir {
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "otter-endpoint-XXXXXX").string();
    path = ::mkdtemp(pattern.data());
  }
  ~TempDir() { std::filesystem::remove_all(path); }
  std::filesystem::path path;
};

TEST(ParseEndpoint, HostAndPort) {
  const auto e = parse_endpoint("broker.example:18883");
  ASSERT_TRUE(e.has_value());
  EXPECT_EQ(e->host, "broker.example");
  EXPECT_EQ(e->port, 18883);
}

TEST(ParseEndpoint, HostAloneMeans8883) { EXPECT_EQ(parse_endpoint("10.0.0.5")->port, 8883); }

TEST(ParseEndpoint, RefusesBadPortsAndEmptyText) {
  EXPECT_FALSE(parse_endpoint("").has_value());
  EXPECT_FALSE(parse_endpoint("h:99999").has_value());
  EXPECT_FALSE(parse_endpoint("h:abc").has_value());
  EXPECT_FALSE(parse_endpoint(":8883").has_value());
}

TEST(DiscoverBrokerEndpoint, ReadsTheTlsListenerOfTheDataDirsBroker) {
  TempDir dir;
  broker::BrokerSetupOptions options;
  options.tls_port = 28883;
  broker::prepare_broker(dir.path, options);
  ::unsetenv("OTTER_MQTT_ENDPOINT");
  const auto e = discover_broker_endpoint(dir.path);
  EXPECT_EQ(e.host, "127.0.0.1");
  EXPECT_EQ(e.port, 28883);
}

TEST(DiscoverBrokerEndpoint, TheEnvironmentOverridesTheDataDir) {
  TempDir dir;
  ::setenv("OTTER_MQTT_ENDPOINT", "otter.lan:8884", 1);
  const auto e = discover_broker_endpoint(dir.path);
  ::unsetenv("OTTER_MQTT_ENDPOINT");
  EXPECT_EQ(e.host, "otter.lan");
  EXPECT_EQ(e.port, 8884);
}

TEST(DiscoverBrokerEndpoint, WithoutBrokerConfigItIsLoopback8883) {
  TempDir dir;
  ::unsetenv("OTTER_MQTT_ENDPOINT");
  const auto e = discover_broker_endpoint(dir.path);
  EXPECT_EQ(e.host, "127.0.0.1");
  EXPECT_EQ(e.port, 8883);
}

}  // namespace
}  // namespace otter::api
