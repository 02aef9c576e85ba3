// One direction of an emulated link as pure arithmetic on modelled time:
// a token bucket for bandwidth, then propagation latency with jitter. No
// sockets and no clock, so its accounting is tested exactly.
#pragma once

#include <cstdint>
#include <random>

#include "otter/link/link_profile.h"

namespace otter::link {

struct ShaperStats {
  std::uint64_t bytes = 0;
  std::uint64_t segments = 0;
  Nanos busy{0};           // time the link spent serialising these bytes (bytes * 8 / bandwidth)
  Nanos last_departure{0}; // when the last segment left the bucket
  Nanos last_delivery{0};  // when the last segment reaches the far end
};

class Shaper {
 public:
  // `bps` 0 = unlimited bandwidth. `seed` drives the jitter and loss draws.
  Shaper(std::uint64_t bps, std::uint32_t burst_bytes, Nanos one_way_latency, Nanos jitter, double loss,
         std::uint64_t seed);

  // A segment of `bytes` handed to the link at modelled time `now`: returns
  // when it reaches the other end. Deliveries never go backwards (TCP keeps
  // order), so jitter can delay a segment but not overtake an earlier one.
  Nanos schedule(Nanos now, std::uint32_t bytes);

  // Draws whether the next segment is lost; a lost segment cuts the connection.
  bool lose_next();

  const ShaperStats& stats() const { return stats_; }

 private:
  // Tokens are counted in bit-nanoseconds (a byte is 8e9 of them; the bucket
  // gains `bps_` per nanosecond) so the arithmetic is exact integers.
  std::int64_t bps_;
  std::int64_t burst_;
  Nanos latency_;
  Nanos jitter_;
  double loss_;
  std::mt19937_64 rng_;
  std::int64_t tokens_;  // available at `refilled_at_`
  Nanos refilled_at_{0};
  ShaperStats stats_;
};

}  // namespace otter::link
