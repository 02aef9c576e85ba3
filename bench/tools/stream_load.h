// GetStream load: N things download a stream's file over MQTT the way an
// agent does (window of requests, each for `blocks_per_request` consecutive
// missing blocks), for `rounds` passes, and the aggregate rate is measured.
// The same clients run against otterd and against the raw responder (P2).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace otter::bench {

struct LoadOptions {
  std::string host = "127.0.0.1";
  int port = 0;
  std::string credentials_root;     // <root>/<thing>/{ca,cert,key}.pem (written by the runner)
  std::vector<std::string> things;
  std::string stream;               // stream name of the job (same for every thing)
  std::int64_t file_id = 0;
  std::int64_t file_size = 0;
  std::uint32_t block_size = 2048;
  std::uint32_t blocks_per_request = 8;
  std::uint32_t window = 4;          // requests in flight per thing
  std::uint32_t rounds = 1;          // full passes over the file per thing
  int stall_ms = 3000;               // re-request what is missing after this long without a block
  int timeout_s = 300;
};

struct LoadResult {
  std::uint64_t blocks = 0;         // distinct blocks received (all things, all rounds)
  std::uint64_t payload_bytes = 0;  // their payload bytes
  std::uint64_t message_bytes = 0;  // MQTT payload bytes of those messages (CBOR framing included)
  std::uint64_t duplicates = 0;
  std::uint64_t requests = 0;
  std::uint64_t rerequests = 0;     // requests re-sent after a stall
  double seconds = 0;               // first request to last block
  bool completed = false;
};

// Connects every thing (mutual TLS), subscribes, then starts all downloads at
// once. Throws std::runtime_error on connection failures.
LoadResult run_stream_load(const LoadOptions& options);

}  // namespace otter::bench
