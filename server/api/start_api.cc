// otterd's wiring point (otter/otterd/services.h): builds the firmware store,
// certificate ledger and CA access below the data dir and starts the REST API.
#include <spdlog/spdlog.h>

#include <chrono>
#include <filesystem>
#include <memory>

#include "otter/api/api_token.h"
#include "otter/api/broker_endpoint.h"
#include "otter/api/rest_api.h"
#include "otter/broker/broker_setup.h"
#include "otter/broker/mosquitto_process.h"
#include "otter/firmware/sqlite_firmware_catalog.h"
#include "otter/otterd/services.h"

namespace otter::otterd {
namespace {

std::int64_t now_seconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

class RunningApi final : public ApiServer {
 public:
  RunningApi(Services& services, const ApiOptions& options)
      : files_(services.data_dir / "firmware"),
        profiles_(services.data_dir / "signing"),
        catalog_(services.data_dir / "firmware" / "catalog.db"),
        firmware_(files_, profiles_, catalog_, now_seconds),
        ledger_(services.data_dir / "certificates.db") {
    const auto pki_dir = services.data_dir / "pki";
    if (std::filesystem::exists(pki_dir / "ca.crt")) {
      ca_ = std::make_unique<pki::CertificateAuthority>(pki::CertificateAuthority::open(pki_dir));
    } else {
      spdlog::warn("api: no CA in {}; `thing create` cannot issue certificates (run otterd init)", pki_dir.string());
    }
    const auto data_dir = services.data_dir;
    // The broker only enforces a new CRL after a reload.
    auto reload_broker = [data_dir] {
      try {
        const auto config = broker::config_of_data_dir(data_dir);
        if (!config || !broker::reload_running_broker(*config)) {
          spdlog::warn("api: CRL updated but no running broker found for {}; reload it to enforce the revocation",
                       data_dir.string());
        }
      } catch (const std::exception& e) {
        spdlog::error("api: CRL updated but the broker reload failed: {}", e.what());
      }
    };
    api::ApiContext context{services.registry, services.jobs, services.metrics, firmware_, ledger_, ca_.get(),
                            api::discover_broker_endpoint(data_dir), reload_broker, now_seconds};
    const std::string token = api::ensure_api_token(data_dir);
    api_ = std::make_unique<api::RestApi>(std::move(context), token);
    port_ = api_->start(options.bind_address, options.port);
    const bool wildcard = options.bind_address == "0.0.0.0" || options.bind_address == "::";
    const std::string url =
        "http://" + (wildcard ? std::string("127.0.0.1") : options.bind_address) + ":" + std::to_string(port_);
    // `otter --data-dir D` finds this server through cli.json.
    api::write_cli_config(data_dir, url, token);
    spdlog::info("api: REST API on {} (token in {})", url, (data_dir / api::kTokenFile).string());
  }

  std::uint16_t port() const override { return port_; }

 private:
  firmware::ImageFiles files_;
  firmware::SigningProfiles profiles_;
  firmware::SqliteFirmwareCatalog catalog_;
  firmware::FirmwareService firmware_;
  api::CertificateLedger ledger_;
  std::unique_ptr<pki::CertificateAuthority> ca_;
  std::unique_ptr<api::RestApi> api_;
  std::uint16_t port_ = 0;
};

}  // namespace

std::unique_ptr<ApiServer> start_api(Services& services, const ApiOptions& options) {
  return std::make_unique<RunningApi>(services, options);
}

}  // namespace otter::otterd
