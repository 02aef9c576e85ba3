#pragma once
// otterd assembled: store, jobs core, MQTT gateway and (when built) the REST
// API, in start order; destroyed in reverse. main.cc and the integration
// tests both run otterd through this class.
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include "otter/jobs/clock.h"
#include "otter/jobs/service.h"
#include "otter/model/metrics.h"
#include "otter/mqtt/broker_connection.h"
#include "otter/mqtt/device_gateway.h"
#include "otter/otterd/services.h"

namespace otter::otterd {

struct ServerConfig {
  std::filesystem::path data_dir;
  std::string broker_host = "127.0.0.1";
  int broker_port = 8883;
  std::optional<mqtt::TlsFiles> tls;     // absent: plain TCP (development, loopback)
  std::optional<std::uint16_t> api_port;  // absent: no REST API
  std::string api_bind = "127.0.0.1";
  mqtt::GatewayOptions gateway;
};

class Server {
 public:
  // Opens (and migrates) <data dir>/otterd.db and connects to the broker in
  // the background. Throws with a message naming what to fix.
  explicit Server(ServerConfig config);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  Services& services() { return *services_; }
  jobs::Registry& registry() { return registry_; }
  jobs::JobService& jobs() { return jobs_; }
  model::Metrics& metrics() { return metrics_; }
  bool connected() const { return broker_ && broker_->connected(); }
  std::optional<std::uint16_t> api_port() const;

  static bool has_api();

 private:
  ServerConfig config_;
  jobs::SystemClock clock_;
  model::Metrics metrics_;
  std::unique_ptr<jobs::Core> core_;
  jobs::Registry registry_;
  jobs::JobService jobs_;
  std::unique_ptr<Services> services_;
  std::unique_ptr<mqtt::BrokerConnection> broker_;
  std::unique_ptr<mqtt::DeviceGateway> gateway_;
  std::unique_ptr<ApiServer> api_;
};

}  // namespace otter::otterd
