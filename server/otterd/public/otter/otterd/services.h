#pragma once
// What otterd hands to the parts that live in the same process (the REST API).
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>

#include "otter/jobs/service.h"
#include "otter/model/metrics.h"

namespace otter::otterd {

struct Services {
  jobs::Registry& registry;
  jobs::JobService& jobs;
  model::Metrics& metrics;
  std::filesystem::path data_dir;  // the API's firmware store lives below it
};

struct ApiOptions {
  std::string bind_address = "127.0.0.1";
  std::uint16_t port = 0;
};

// A running REST server; destroying it stops it.
class ApiServer {
 public:
  virtual ~ApiServer() = default;
  virtual std::uint16_t port() const = 0;  // the bound port (useful when asked for 0)
};

// Wiring point for server/api: implemented there (CMake target
// `otter_server_api`). otterd calls it after the MQTT side is up when
// --api-port is given; when the target does not exist otterd builds without
// a REST API and says so at start.
std::unique_ptr<ApiServer> start_api(Services& services, const ApiOptions& options);

}  // namespace otter::otterd
