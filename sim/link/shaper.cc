#include "otter/link/shaper.h"

#include <algorithm>

namespace otter::link {

namespace {
constexpr std::int64_t kUnitsPerByte = 8'000'000'000;
}

Shaper::Shaper(std::uint64_t bps, std::uint32_t burst_bytes, Nanos one_way_latency, Nanos jitter, double loss,
               std::uint64_t seed)
    : bps_(static_cast<std::int64_t>(bps)),
      burst_(static_cast<std::int64_t>(std::max<std::uint32_t>(burst_bytes, 1)) * kUnitsPerByte),
      latency_(one_way_latency),
      jitter_(jitter),
      loss_(loss),
      rng_(seed),
      tokens_(burst_) {}

Nanos Shaper::schedule(Nanos now, std::uint32_t bytes) {
  // Segments leave in order: one cannot depart before the previous one.
  const Nanos t = std::max(now, refilled_at_);
  Nanos departure = t;
  if (bps_ > 0) {
    // Cap the idle time first so the refill cannot overflow.
    const std::int64_t idle = std::min<std::int64_t>((t - refilled_at_).count(), burst_ / bps_ + 1);
    tokens_ = std::min(burst_, tokens_ + idle * bps_);
    const std::int64_t need = static_cast<std::int64_t>(bytes) * kUnitsPerByte;
    if (tokens_ >= need) {
      tokens_ -= need;
    } else {
      const std::int64_t wait = (need - tokens_ + bps_ - 1) / bps_;
      departure = t + Nanos(wait);
      tokens_ += wait * bps_ - need;  // rounding up leaves less than one ns of tokens
    }
    refilled_at_ = departure;
    stats_.busy += Nanos(need / bps_);
  }
  Nanos delay = latency_;
  if (jitter_.count() > 0) {
    std::uniform_int_distribution<std::int64_t> dist(-jitter_.count(), jitter_.count());
    delay += Nanos(dist(rng_));
    delay = std::max(delay, Nanos(0));
  }
  const Nanos delivery = std::max(departure + delay, stats_.last_delivery);
  stats_.bytes += bytes;
  stats_.segments += 1;
  stats_.last_departure = departure;
  stats_.last_delivery = delivery;
  return delivery;
}

bool Shaper::lose_next() {
  if (loss_ <= 0.0) return false;
  std::uniform_real_distribution<double> dist(0.0, 1.0);
  return dist(rng_) < loss_;
}

}  // namespace otter::link
