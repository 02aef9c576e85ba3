#pragma once
// Time in the server's domain: milliseconds since the Unix epoch. The wire
// protocol reports seconds; milliseconds keep second-granularity test timeouts
// and rollout windows exact.
#include <cstdint>

namespace otter::model {

using Millis = std::int64_t;

constexpr Millis kSecond = 1000;
constexpr Millis kMinute = 60 * kSecond;

}  // namespace otter::model
