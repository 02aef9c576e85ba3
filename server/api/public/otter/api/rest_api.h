// otterd's REST API: things, groups, certificates, firmware, signing
// profiles, jobs, streams, /metrics and /health, on cpp-httplib.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "otter/api/certificate_ledger.h"
#include "otter/api/router.h"
#include "otter/firmware/firmware_service.h"
#include "otter/jobs/service.h"
#include "otter/model/metrics.h"
#include "otter/pki/certificate_authority.h"

namespace httplib {
class Server;
}

namespace otter::api {

// Where devices reach the broker (returned with a new thing's credentials).
struct BrokerEndpoint {
  std::string host = "127.0.0.1";
  std::uint16_t port = 8883;
};

struct ApiContext {
  jobs::Registry& registry;
  jobs::JobService& jobs;
  model::Metrics& metrics;
  firmware::FirmwareService& firmware;
  CertificateLedger& certificates;
  pki::CertificateAuthority* ca = nullptr;  // null: things can be registered but not credentialed
  BrokerEndpoint endpoint;
  // Called after a revocation changed the CRL (otterd reloads the broker).
  std::function<void()> on_certificate_revoked;
  // Unix seconds; the system clock unless a test sets it.
  std::function<std::int64_t()> now_seconds;
  // Counted into otter_api_errors_total by status class.
};

struct ApiLimits {
  std::uint64_t max_request_bytes = 64u * 1024u * 1024u;
};

class RestApi {
 public:
  RestApi(ApiContext context, std::string token, ApiLimits limits = {});
  ~RestApi();
  RestApi(const RestApi&) = delete;
  RestApi& operator=(const RestApi&) = delete;

  // Binds (port 0 = any free port) and serves on a background thread;
  // returns the bound port. Throws std::runtime_error when it cannot bind.
  std::uint16_t start(const std::string& address, std::uint16_t port);
  void stop();

  const std::vector<RouteInfo>& routes() const;

 private:
  ApiContext context_;
  std::unique_ptr<httplib::Server> server_;
  std::unique_ptr<Router> router_;
  std::thread thread_;
};

// Route groups (one file each), registered by RestApi.
void add_thing_routes(Router& router, ApiContext& context);
void add_group_routes(Router& router, ApiContext& context);
void add_certificate_routes(Router& router, ApiContext& context);
void add_firmware_routes(Router& router, ApiContext& context);
void add_job_routes(Router& router, ApiContext& context);
void add_status_routes(Router& router, ApiContext& context);  // /health, /metrics, streams

// Helpers shared by route groups.
nlohmann::json certificate_record_json(const CertificateRecord& record);
// Revokes every active certificate of `thing` (CA + ledger); returns serials.
std::vector<std::string> revoke_thing_certificates(ApiContext& context, const std::string& thing,
                                                   const std::string& reason);

// Paging of list routes: ?offset=&limit= (limit 1..1000, default 100).
struct Page {
  std::size_t offset = 0;
  std::size_t limit = 100;
};
Page page_of(const Call& call);
// {"<key>": items[offset..offset+limit), "total", "offset", "limit", "nextOffset"?}
nlohmann::json paged(const std::string& key, const nlohmann::json& all_items, const Page& page);

}  // namespace otter::api
