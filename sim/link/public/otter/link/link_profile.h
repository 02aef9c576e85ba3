// What one emulated network link looks like: latency, bandwidth, jitter,
// loss-by-disconnect and scheduled outages, parsed from a short text spec
// such as "rtt=100ms,bw=1mbit,jitter=5ms,loss=0.0001,outage=30s+5s,seed=7"
// or a named preset ("wifi", "ethernet", "lte") optionally followed by
// overrides ("wifi,rtt=200ms").
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace otter::link {

using Nanos = std::chrono::nanoseconds;

// The link is down from `at` (since the emulator started) for `duration`:
// every connection through it is cut and new ones are refused until it ends.
struct Outage {
  Nanos at{0};
  Nanos duration{0};
};

struct LinkProfile {
  Nanos rtt{0};                       // round-trip latency; each direction adds rtt / 2
  Nanos jitter{0};                    // each segment's latency varies uniformly by +-jitter
  std::uint64_t up_bps = 0;           // board -> broker bandwidth, bit/s; 0 = unlimited
  std::uint64_t down_bps = 0;         // broker -> board bandwidth, bit/s; 0 = unlimited
  std::uint32_t burst_bytes = 1500;   // token bucket depth (one Ethernet frame by default)
  std::uint32_t segment_bytes = 1448; // reads are cut into segments this size (TCP MSS)
  double loss = 0.0;                  // probability per segment that the connection is cut
  std::vector<Outage> outages;
  std::uint64_t seed = 1;

  bool shaped() const { return rtt.count() > 0 || jitter.count() > 0 || up_bps > 0 || down_bps > 0; }
};

// Parses a spec; throws std::invalid_argument naming the offending item and
// what is accepted. Keys: rtt, latency (one-way, = rtt/2), jitter, bw (both
// directions), up, down, burst, mss, loss, outage (repeatable, "AT+DURATION"),
// seed. Times take ns/us/ms/s/min; rates bit/kbit/mbit/gbit (optionally
// "/s" or "bps"); sizes b/k/m (KiB, MiB).
LinkProfile parse_link_profile(std::string_view spec);

// "rtt=100ms,bw=1mbit/s,..." : a canonical spec that parses back to the same profile.
std::string to_string(const LinkProfile& profile);

// Parsers for the unit grammar, reused by tools.
Nanos parse_duration(std::string_view text);
std::uint64_t parse_bitrate(std::string_view text);
std::uint64_t parse_size(std::string_view text);

}  // namespace otter::link
