#include "otter/agent/agent_config.h"

#include "otter/protocol/names.h"

namespace otter::agent {

Status AgentConfig::validate(const char** why) const {
  const char* reason = nullptr;
  if (thing_name.empty() || thing_name.size() > protocol::kMaxThingName) {
    reason = "thing name must be 1..128 characters";
  } else if (block_size < 256 || block_size > 128 * 1024 || (block_size & (block_size - 1)) != 0) {
    reason = "block size must be a power of two from 256 B to 128 KiB";
  } else if (blocks_per_request == 0 || blocks_per_request > protocol::kMaxRequestBitmap * 8) {
    reason = "blocks per request must be 1..1024";
  } else if (blocks_per_request * block_size > 128 * 1024 && blocks_per_request > 1) {
    // 32 bits suffice: at most 1024 blocks of at most 128 KiB (checked above).
    reason = "one request may ask for at most 128 KiB (AWS limit)";
  } else if (requests_in_flight == 0 || requests_in_flight > kMaxRequestsInFlight) {
    reason = "requests in flight must be 1..16";
  } else if ((request_timeout_ms | max_backoff_ms | self_test_timeout_ms | job_request_timeout_ms |
              ready_ack_timeout_ms) >= kMaxDelayMs) {  // exact: kMaxDelayMs is a power of two
    reason = "timeouts must be < 2^27 ms (37 h)";
  } else if (request_timeout_ms == 0 || max_backoff_ms < request_timeout_ms) {
    reason = "request timeout must be > 0 and <= max backoff";
  } else if (progress_every == 0) {
    reason = "progress interval must be > 0";
  }
#if defined(OTTER_AGENT_JSON_STREAMS) && !OTTER_AGENT_JSON_STREAMS
  if (reason == nullptr && format == protocol::StreamFormat::kJson) reason = "built without JSON streams";
#endif
  if (why != nullptr) *why = reason;
  return reason == nullptr ? Status::kOk : Status::kInvalidArgument;
}

}  // namespace otter::agent
