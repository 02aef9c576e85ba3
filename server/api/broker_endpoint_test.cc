#include "otter/api/broker_endpoint.h"

#include <gtest/gtest.h>

namespace otter::api {
namespace {

TEST(EndpointFromMosquittoConf, TakesTheFirstListener) {
  const auto endpoint = endpoint_from_mosquitto_conf(
      "per_listener_settings false\nlistener 18883 192.168.1.5\ncafile x\nlistener 1883 127.0.0.1\n", "host");
  ASSERT_TRUE(endpoint.has_value());
  EXPECT_EQ(endpoint->host, "192.168.1.5");
  EXPECT_EQ(endpoint->port, 18883);
}

TEST(EndpointFromMosquittoConf, AWildcardAddressBecomesTheFallbackHost) {
  const auto endpoint = endpoint_from_mosquitto_conf("listener 8883 0.0.0.0\n", "otter.example");
  ASSERT_TRUE(endpoint.has_value());
  EXPECT_EQ(endpoint->host, "otter.example");
}

TEST(EndpointFromMosquittoConf, NoListenerOrABadPortGivesNothing) {
  EXPECT_FALSE(endpoint_from_mosquitto_conf("allow_anonymous false\n", "h").has_value());
  EXPECT_FALSE(endpoint_from_mosquitto_conf("listener 99999 127.0.0.1\n", "h").has_value());
}

}  // namespace
}  // namespace otter::api
