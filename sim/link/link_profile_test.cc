#include "otter/link/link_profile.h"

#include <gtest/gtest.h>

#include <stdexcept>

namespace otter::link {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

TEST(LinkProfile, EmptySpecIsAnUnshapedLink) {
  const auto p = parse_link_profile("");
  EXPECT_FALSE(p.shaped());
  EXPECT_EQ(p.loss, 0.0);
  EXPECT_TRUE(p.outages.empty());
}

TEST(LinkProfile, ParsesRttAndBandwidthOfTheBenchmarkGrid) {
  const auto p = parse_link_profile("rtt=100ms,bw=1mbit");
  EXPECT_EQ(p.rtt, milliseconds(100));
  EXPECT_EQ(p.up_bps, 1'000'000u);
  EXPECT_EQ(p.down_bps, 1'000'000u);
  EXPECT_EQ(parse_link_profile("bw=256kbit/s").down_bps, 256'000u);
  EXPECT_EQ(parse_link_profile("bw=10Mbps").down_bps, 10'000'000u);
}

TEST(LinkProfile, OneWayLatencyIsHalfTheRtt) {
  EXPECT_EQ(parse_link_profile("latency=30ms").rtt, milliseconds(60));
}

TEST(LinkProfile, UpAndDownAreSeparate) {
  const auto p = parse_link_profile("up=128kbit,down=2mbit");
  EXPECT_EQ(p.up_bps, 128'000u);
  EXPECT_EQ(p.down_bps, 2'000'000u);
}

TEST(LinkProfile, OutagesAreRepeatable) {
  const auto p = parse_link_profile("outage=10s+2s,outage=1min+500ms");
  ASSERT_EQ(p.outages.size(), 2u);
  EXPECT_EQ(p.outages[0].at, seconds(10));
  EXPECT_EQ(p.outages[0].duration, seconds(2));
  EXPECT_EQ(p.outages[1].at, seconds(60));
  EXPECT_EQ(p.outages[1].duration, milliseconds(500));
}

TEST(LinkProfile, LossTakesAProbabilityOrAPercentage) {
  EXPECT_DOUBLE_EQ(parse_link_profile("loss=0.01").loss, 0.01);
  EXPECT_DOUBLE_EQ(parse_link_profile("loss=2.5%").loss, 0.025);
}

TEST(LinkProfile, PresetThenOverrides) {
  const auto wifi = parse_link_profile("wifi");
  EXPECT_TRUE(wifi.shaped());
  const auto slow = parse_link_profile("wifi,rtt=300ms,seed=9");
  EXPECT_EQ(slow.rtt, milliseconds(300));
  EXPECT_EQ(slow.down_bps, wifi.down_bps);
  EXPECT_EQ(slow.seed, 9u);
}

TEST(LinkProfile, CanonicalTextParsesBackToTheSameProfile) {
  const auto p = parse_link_profile("rtt=20ms,jitter=3ms,up=1mbit,down=10mbit,burst=4k,loss=0.5%,outage=3s+1s,seed=4");
  const auto q = parse_link_profile(to_string(p));
  EXPECT_EQ(q.rtt, p.rtt);
  EXPECT_EQ(q.jitter, p.jitter);
  EXPECT_EQ(q.up_bps, p.up_bps);
  EXPECT_EQ(q.down_bps, p.down_bps);
  EXPECT_EQ(q.burst_bytes, p.burst_bytes);
  EXPECT_EQ(q.loss, p.loss);
  ASSERT_EQ(q.outages.size(), 1u);
  EXPECT_EQ(q.outages[0].at, p.outages[0].at);
  EXPECT_EQ(q.seed, p.seed);
}

TEST(LinkProfile, RejectsUnknownKeysWithTheListOfKnownOnes) {
  try {
    (void)parse_link_profile("rtt=10ms,bandwith=1mbit");
    FAIL() << "accepted a misspelt key";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("bandwith"), std::string::npos);
    EXPECT_NE(std::string(e.what()).find("known:"), std::string::npos);
  }
}

TEST(LinkProfile, RejectsBadValues) {
  for (const char* spec : {"rtt=fast", "rtt=10parsecs", "bw=-1mbit", "bw=1mbyte", "loss=2", "outage=10s",
                           "seed=x", "mss=1", "rtt=10ms,,bw=1mbit", "rtt=10ms,wifi", "satellite"}) {
    EXPECT_THROW((void)parse_link_profile(spec), std::invalid_argument) << spec;
  }
}

}  // namespace
}  // namespace otter::link
