#include "otter/link/shaper.h"

#include <gtest/gtest.h>

#include <vector>

namespace otter::link {
namespace {

using std::chrono::milliseconds;

TEST(Shaper, UnlimitedLinkDeliversAfterOneWayLatency) {
  Shaper s(0, 1500, milliseconds(50), Nanos(0), 0.0, 1);
  EXPECT_EQ(s.schedule(milliseconds(10), 100'000), milliseconds(60));
  EXPECT_EQ(s.stats().busy, Nanos(0));
}

TEST(Shaper, BandwidthSpacesSegmentsByTheirSerialisationTime) {
  // 1 Mbit/s = 125 bytes per ms: a 1250-byte segment occupies the link 10 ms.
  Shaper s(1'000'000, 1250, Nanos(0), Nanos(0), 0.0, 1);
  EXPECT_EQ(s.schedule(Nanos(0), 1250), Nanos(0));  // the bucket starts full
  EXPECT_EQ(s.schedule(Nanos(0), 1250), milliseconds(10));
  EXPECT_EQ(s.schedule(Nanos(0), 1250), milliseconds(20));
  EXPECT_EQ(s.stats().busy, milliseconds(30));
}

TEST(Shaper, BulkTransferTakesBytesOverBandwidthPlusLatency) {
  // 256 KiB at 256 kbit/s, 100 ms RTT: (bytes - burst) * 8 / rate + rtt / 2.
  const std::uint32_t mss = 1448;
  const std::uint32_t burst = 1500;
  const std::uint64_t total = 256 * 1024;
  Shaper s(256'000, burst, milliseconds(50), Nanos(0), 0.0, 1);
  Nanos last{0};
  for (std::uint64_t sent = 0; sent < total; sent += mss) {
    last = s.schedule(Nanos(0), static_cast<std::uint32_t>(std::min<std::uint64_t>(mss, total - sent)));
  }
  const double expected_s = static_cast<double>(total - burst) * 8 / 256'000 + 0.050;
  EXPECT_NEAR(std::chrono::duration<double>(last).count(), expected_s, 1e-6);
  EXPECT_EQ(s.stats().bytes, total);
}

TEST(Shaper, IdleLinkRefillsOnlyUpToTheBurst) {
  Shaper s(8'000, 100, Nanos(0), Nanos(0), 0.0, 1);  // 1 byte per ms
  EXPECT_EQ(s.schedule(Nanos(0), 100), Nanos(0));
  // After a long idle period the bucket holds 100 bytes, not 10,000.
  EXPECT_EQ(s.schedule(milliseconds(10'000), 100), milliseconds(10'000));
  EXPECT_EQ(s.schedule(milliseconds(10'000), 100), milliseconds(10'100));
}

TEST(Shaper, JitterNeverReordersSegments) {
  Shaper s(0, 1500, milliseconds(20), milliseconds(15), 0.0, 42);
  Nanos previous{0};
  bool varied = false;
  for (int i = 0; i < 1000; ++i) {
    const Nanos now = milliseconds(i);
    const Nanos at = s.schedule(now, 100);
    EXPECT_GE(at, previous);
    EXPECT_GE(at, now);
    EXPECT_LE(at, now + milliseconds(35) + milliseconds(15));
    if (at != now + milliseconds(20)) varied = true;
    previous = at;
  }
  EXPECT_TRUE(varied);
}

std::vector<Nanos> schedule_run(std::uint64_t seed) {
  Shaper s(1'000'000, 1500, milliseconds(10), milliseconds(5), 0.0, seed);
  std::vector<Nanos> out;
  for (int i = 0; i < 100; ++i) out.push_back(s.schedule(milliseconds(i * 3), 1000));
  return out;
}

TEST(Shaper, SameSeedGivesTheSameSchedule) {
  EXPECT_EQ(schedule_run(7), schedule_run(7));
  EXPECT_NE(schedule_run(7), schedule_run(8));
}

TEST(Shaper, LossDrawsMatchTheConfiguredProbability) {
  Shaper never(0, 1500, Nanos(0), Nanos(0), 0.0, 1);
  Shaper always(0, 1500, Nanos(0), Nanos(0), 1.0, 1);
  Shaper tenth(0, 1500, Nanos(0), Nanos(0), 0.1, 3);
  int lost = 0;
  for (int i = 0; i < 10'000; ++i) {
    EXPECT_FALSE(never.lose_next());
    EXPECT_TRUE(always.lose_next());
    lost += tenth.lose_next() ? 1 : 0;
  }
  // Binomial(10000, 0.1): mean 1000, sd 30; the seed is fixed so this is exact
  // for a given library, and +-10 sd would hold for any seed.
  EXPECT_GT(lost, 700);
  EXPECT_LT(lost, 1300);
}

}  // namespace
}  // namespace otter::link
