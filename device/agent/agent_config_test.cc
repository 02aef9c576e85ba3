#include "otter/agent/agent_config.h"

#include <gtest/gtest.h>

namespace otter::agent {
namespace {

TEST(AgentConfig, DefaultsAreValid) {
  AgentConfig c;
  c.thing_name = "dev";
  EXPECT_EQ(c.validate(), Status::kOk);
}

TEST(AgentConfig, AwsBaselineMatchesTheAwsLibraryDefaults) {
  const AgentConfig c = AgentConfig::aws_baseline("dev");
  EXPECT_EQ(c.block_size, 4096u);
  EXPECT_EQ(c.blocks_per_request, 1u);
  EXPECT_EQ(c.requests_in_flight, 1u);
  EXPECT_EQ(c.progress_every, 64u);
  EXPECT_EQ(c.request_timeout_ms, 10000u);
  EXPECT_EQ(c.self_test_timeout_ms, 16000u);
  EXPECT_EQ(c.validate(), Status::kOk);
}

TEST(AgentConfig, RefusesBlockSizesOutsideAwsLimits) {
  AgentConfig c;
  c.thing_name = "dev";
  const char* why = nullptr;
  for (std::uint32_t size : {128u, 3000u, 256u * 1024}) {
    c.block_size = size;
    EXPECT_EQ(c.validate(&why), Status::kInvalidArgument) << size;
    EXPECT_NE(why, nullptr);
  }
  c.block_size = 128 * 1024;
  c.blocks_per_request = 1;
  EXPECT_EQ(c.validate(), Status::kOk);
}

TEST(AgentConfig, RefusesRequestsAskingForMoreThan128KiB) {
  AgentConfig c;
  c.thing_name = "dev";
  c.block_size = 32 * 1024;
  c.blocks_per_request = 8;
  EXPECT_EQ(c.validate(), Status::kInvalidArgument);
}

TEST(AgentConfig, RefusesAWindowLargerThanTheRequestTable) {
  AgentConfig c;
  c.thing_name = "dev";
  c.requests_in_flight = kMaxRequestsInFlight + 1;
  EXPECT_EQ(c.validate(), Status::kInvalidArgument);
}

}  // namespace
}  // namespace otter::agent
