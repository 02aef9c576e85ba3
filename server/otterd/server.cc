#include "otter/otterd/server.h"

#include <spdlog/spdlog.h>

#include <stdexcept>

#include "otter/mqtt/topics.h"
#include "otter/store/sqlite_store.h"

namespace otter::otterd {

namespace fs = std::filesystem;

namespace {

std::unique_ptr<jobs::Core> open_core(const ServerConfig& config, const jobs::Clock& clock, model::Metrics& metrics) {
  std::error_code ec;
  fs::create_directories(config.data_dir, ec);
  if (ec) throw std::runtime_error("cannot create data dir " + config.data_dir.string() + ": " + ec.message());
  return std::make_unique<jobs::Core>(store::open_sqlite_store(config.data_dir / "otterd.db"), clock, metrics);
}

}  // namespace

Server::Server(ServerConfig config)
    : config_(std::move(config)),
      core_(open_core(config_, clock_, metrics_)),
      registry_(*core_),
      jobs_(*core_),
      services_(std::make_unique<Services>(Services{registry_, jobs_, metrics_, config_.data_dir})) {
  mqtt::BrokerOptions options;
  options.host = config_.broker_host;
  options.port = config_.broker_port;
  options.tls = config_.tls;
  options.subscriptions = mqtt::device_request_subscriptions();
  // The broker's network thread starts in start() below, after gateway_ exists.
  broker_ = std::make_unique<mqtt::BrokerConnection>(
      options, mqtt::BrokerConnection::Handlers{
                   [this](const std::string& topic, std::vector<std::uint8_t> payload) {
                     gateway_->enqueue(topic, std::move(payload));
                   },
                   [this](int mid) { gateway_->published(mid); },
                   [this](bool connected) { gateway_->set_connected(connected); }});
  gateway_ = std::make_unique<mqtt::DeviceGateway>(*core_, *broker_, config_.gateway);
  mqtt::DeviceGateway* g = gateway_.get();
  core_->set_notification_sink([g](const std::vector<jobs::NextExecutionChange>& c) { g->notify(c); });
  broker_->start();
  spdlog::info("otterd: data dir {}, broker {}:{} ({})", config_.data_dir.string(), config_.broker_host,
               config_.broker_port, config_.tls ? "TLS" : "plain TCP, development only");
  if (config_.api_port) {
    if (!has_api()) {
      spdlog::warn("otterd: built without server/api; --api-port ignored, no REST API");
    } else {
      api_ = start_api(*services_, ApiOptions{config_.api_bind, *config_.api_port});
    }
  }
}

Server::~Server() {
  api_.reset();
  core_->set_notification_sink(nullptr);
  if (broker_) broker_->stop();
  gateway_.reset();  // answers what is already queued, then stops
  broker_.reset();
  spdlog::info("otterd: stopped");
}

bool Server::has_api() {
#ifdef OTTER_HAVE_API
  return true;
#else
  return false;
#endif
}

#ifndef OTTER_HAVE_API
// Built without server/api: the wiring point exists but says so.
std::unique_ptr<ApiServer> start_api(Services&, const ApiOptions&) {
  throw std::runtime_error("otterd was built without the REST API (server/api)");
}
#endif

std::optional<std::uint16_t> Server::api_port() const {
  if (!api_) return std::nullopt;
  return api_->port();
}

}  // namespace otter::otterd
