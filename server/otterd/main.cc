// otterd: the self-hosted OTA service. Serves the AWS IoT Jobs MQTT API and
// OTA streams through Mosquitto, keeps its state in SQLite, and (when built
// with server/api) the REST API the `otter` CLI uses.
#include <signal.h>

#include <CLI/CLI.hpp>
#include <spdlog/spdlog.h>

#include <cstdlib>
#include <filesystem>
#include <memory>
#include <optional>

#include "otter/otterd/server.h"

#ifdef OTTER_HAVE_BROKER
#include "otter/broker/broker_setup.h"
#include "otter/broker/mosquitto_process.h"
#endif

namespace fs = std::filesystem;

namespace {

bool is_loopback(const std::string& host) { return host == "127.0.0.1" || host == "localhost" || host == "::1"; }

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"otterd: self-hosted OTA service (AWS IoT Jobs + OTA streams over Mosquitto)"};
  otter::otterd::ServerConfig config;
  std::string data_dir;
  std::string ca_file, cert_file, key_file;
  bool plain = false;
  [[maybe_unused]] bool manage_broker = false;
  std::string log_level = "info";
  std::uint16_t api_port = 0;
  app.add_option("--data-dir", data_dir, "Data directory (otterd.db, pki/, broker/, firmware/)")->required();
  app.add_option("--broker-host,--mqtt-host", config.broker_host, "MQTT broker host")->capture_default_str();
  app.add_option("--broker-port,--mqtt-port", config.broker_port, "MQTT broker port")
      ->capture_default_str()
      ->check(CLI::Range(1, 65535));
  app.add_option("--api-port", api_port, "Serve the REST API on this port (0 = no REST API)")
      ->check(CLI::Range(0, 65535));
  app.add_option("--api-bind", config.api_bind, "Address the REST API listens on")->capture_default_str();
  app.add_option("--ca-file", ca_file, "CA certificate the broker's certificate is checked against "
                                       "(default <data dir>/pki/ca.crt)");
  app.add_option("--cert-file", cert_file, "otterd's client certificate (default <data dir>/pki/otterd.crt)");
  app.add_option("--key-file", key_file, "otterd's client key (default <data dir>/pki/otterd.key)");
  app.add_flag("--plain", plain, "Plain TCP to a loopback broker, no TLS (development and tests only)");
#ifdef OTTER_HAVE_BROKER
  app.add_flag("--manage-broker", manage_broker,
               "Prepare <data dir>/broker (CA, certificates, mosquitto.conf) and run Mosquitto as a child");
#endif
  app.add_option("--log-level", log_level, "trace, debug, info, warn, error")->capture_default_str();
  CLI11_PARSE(app, argc, argv);

  spdlog::set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%l%$ %v");
  spdlog::set_level(spdlog::level::from_str(log_level));
  config.data_dir = fs::absolute(data_dir);
  if (api_port != 0) config.api_port = api_port;

  // Signals are taken synchronously by this thread only; every other thread inherits the mask.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  ::signal(SIGPIPE, SIG_IGN);

  try {
#ifdef OTTER_HAVE_BROKER
    std::unique_ptr<otter::broker::MosquittoProcess> broker;
    if (manage_broker) {
      otter::broker::BrokerSetupOptions options;
      options.tls_port = static_cast<std::uint16_t>(config.broker_port);
      auto setup = otter::broker::prepare_broker(config.data_dir, options);
      broker = std::make_unique<otter::broker::MosquittoProcess>(otter::broker::options_for(setup.config));
      spdlog::info("otterd: started mosquitto (pid {}) on port {}", broker->pid(), config.broker_port);
    }
#endif
    if (plain) {
      if (!is_loopback(config.broker_host)) {
        spdlog::error("otterd: --plain only talks to a broker on loopback; use TLS for {}", config.broker_host);
        return 2;
      }
    } else {
      fs::path pki = config.data_dir / "pki";
      otter::mqtt::TlsFiles tls{ca_file.empty() ? (pki / "ca.crt").string() : ca_file,
                                cert_file.empty() ? (pki / "otterd.crt").string() : cert_file,
                                key_file.empty() ? (pki / "otterd.key").string() : key_file};
      for (const auto& f : {tls.ca_file, tls.cert_file, tls.key_file}) {
        if (!fs::exists(f)) {
          spdlog::error("otterd: {} does not exist; run `otter-broker init --data-dir {}` (or pass --ca-file, "
                        "--cert-file, --key-file; --plain for a development broker on loopback)",
                        f, config.data_dir.string());
          return 2;
        }
      }
      config.tls = tls;
    }
    otter::otterd::Server server(config);
    int signal_number = 0;
    sigwait(&signals, &signal_number);
    spdlog::info("otterd: {} received, stopping", signal_number == SIGINT ? "SIGINT" : "SIGTERM");
  } catch (const std::exception& e) {
    spdlog::error("otterd: {}", e.what());
    return 1;
  }
  return 0;
}
