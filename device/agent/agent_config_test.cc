#include "otter/agent/agent_config.h"

#include <gtest/gtest.h>

#include <string_view>

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

// Deadlines wrap at 32 bits; each delay field is refused at the bound and
// accepted just below it.
void expect_delay_bound(std::uint32_t AgentConfig::*field) {
  AgentConfig c;
  c.thing_name = "dev";
  c.max_backoff_ms = kMaxDelayMs - 1;  // request_timeout_ms must not exceed it
  c.*field = kMaxDelayMs - 1;
  EXPECT_EQ(c.validate(), Status::kOk);
  c.*field = kMaxDelayMs;
  const char* why = nullptr;
  EXPECT_EQ(c.validate(&why), Status::kInvalidArgument);
  ASSERT_NE(why, nullptr);
  EXPECT_NE(std::string_view(why).find("2^27 ms"), std::string_view::npos) << why;
  c.*field = 0xFFFF'FFFFu;
  EXPECT_EQ(c.validate(), Status::kInvalidArgument);
}

TEST(AgentConfig, AcceptsEveryDelayJustBelowTheBoundAtOnce) {
  AgentConfig c;
  c.thing_name = "dev";
  c.request_timeout_ms = c.max_backoff_ms = c.self_test_timeout_ms = c.job_request_timeout_ms =
      c.ready_ack_timeout_ms = kMaxDelayMs - 1;
  EXPECT_EQ(c.validate(), Status::kOk);
  c.self_test_timeout_ms = kMaxDelayMs / 2 + kMaxDelayMs / 4;  // bits that OR to below the bound
  c.request_timeout_ms = kMaxDelayMs / 4;
  EXPECT_EQ(c.validate(), Status::kOk);
}

TEST(AgentConfig, RefusesRequestTimeoutsAtTheBound) { expect_delay_bound(&AgentConfig::request_timeout_ms); }
TEST(AgentConfig, RefusesMaxBackoffsAtTheBound) { expect_delay_bound(&AgentConfig::max_backoff_ms); }
TEST(AgentConfig, RefusesSelfTestTimeoutsAtTheBound) { expect_delay_bound(&AgentConfig::self_test_timeout_ms); }
TEST(AgentConfig, RefusesJobRequestTimeoutsAtTheBound) {
  expect_delay_bound(&AgentConfig::job_request_timeout_ms);
}
TEST(AgentConfig, RefusesReadyAckTimeoutsAtTheBound) { expect_delay_bound(&AgentConfig::ready_ack_timeout_ms); }

}  // namespace
}  // namespace otter::agent
