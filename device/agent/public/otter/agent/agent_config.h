// Tunables of the OTA agent. Defaults are Otter's (windowed, 2 KiB blocks like
// the seed's Nuvoton port); aws_baseline() reproduces AWS's OTA library
// defaults for benchmark comparisons.
#pragma once

#include <cstdint>
#include <string_view>

#include "otter/core/status.h"
#include "otter/protocol/topics.h"

namespace otter::agent {

inline constexpr std::uint32_t kMaxRequestsInFlight = 16;
// Deadlines are 32-bit millisecond counts compared by wrapping difference, so
// they are exact only for delays below 2^31 ms (24.8 days). Every timeout,
// the max backoff included, must stay below this bound, 2^27 ms (about 37
// hours): far more than any of them needs, far from the wrap, and a power of
// two, so validate() checks all of them with one OR.
inline constexpr std::uint32_t kMaxDelayMs = 1u << 27;

struct AgentConfig {
  std::string_view thing_name{};  // also the MQTT client id; must outlive the agent
  std::uint32_t block_size = 2048;            // power of two, 256 B .. 128 KiB (AWS limits)
  std::uint32_t blocks_per_request = 8;       // "n" of each GetStream request
  std::uint32_t requests_in_flight = 4;       // momentum window, <= kMaxRequestsInFlight
  // Every *_ms field below must be < kMaxDelayMs.
  std::uint32_t request_timeout_ms = 10000;   // re-request a silent request after this
  std::uint32_t max_backoff_ms = 60000;       // retry delay doubles up to this
  std::uint32_t max_request_retries = 32;     // consecutive silent retries before FAILED
  std::uint32_t progress_every = 25;          // IN_PROGRESS "receive" update every N blocks
  std::uint32_t self_test_timeout_ms = 16000;
  std::uint32_t job_request_timeout_ms = 10000;  // re-send $next/get when unanswered
  // After the `self_test: ready` update the agent asks for the reset when the
  // service accepted it (jobs/<id>/update/accepted), or after this long
  // without an answer (counted from the last time the update went out).
  std::uint32_t ready_ack_timeout_ms = 5000;
  protocol::StreamFormat format = protocol::StreamFormat::kCbor;

  // AWS OTA library defaults: 4 KiB blocks, 1 block per request, 1 request in
  // flight, progress every 64 blocks.
  static AgentConfig aws_baseline(std::string_view thing) {
    AgentConfig c;
    c.thing_name = thing;
    c.block_size = 4096;
    c.blocks_per_request = 1;
    c.requests_in_flight = 1;
    c.progress_every = 64;
    return c;
  }

  // kInvalidArgument with the first bad field's reason in `why`.
  Status validate(const char** why = nullptr) const;

  // Blocks one window covers: what a resumed download re-fetches at most.
  std::uint32_t window_blocks() const { return blocks_per_request * requests_in_flight; }
};

}  // namespace otter::agent
