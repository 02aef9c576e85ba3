// The raw Mosquitto baseline for P2: one MQTT client with otterd's identity
// that answers each GetStream request with the planned blocks as pre-encoded
// data messages (QoS 1, like otterd), with no registry, jobs check or queue.
// What otterd achieves against this is the cost of being a real service.
#pragma once

#include <cstdint>
#include <string>

namespace otter::bench {

struct ResponderOptions {
  std::string host = "127.0.0.1";
  int port = 0;
  std::string ca_file, cert_file, key_file;
  std::string client_id = "otterd";
  std::string image_path;  // the file whose blocks are served
  std::int64_t file_id = 0;
};

// Runs until SIGINT/SIGTERM or end of stdin; prints "ready" once subscribed.
int run_raw_responder(const ResponderOptions& options);

}  // namespace otter::bench
