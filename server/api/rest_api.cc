#include "otter/api/rest_api.h"

#include <httplib.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <stdexcept>

#include "otter/api/api_token.h"
#include "otter/dashboard/dashboard.h"

namespace otter::api {

RestApi::RestApi(ApiContext context, std::string token, ApiLimits limits)
    : context_(std::move(context)), server_(std::make_unique<httplib::Server>()) {
  if (!context_.now_seconds) {
    context_.now_seconds = [] {
      return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
          .count();
    };
  }
  server_->set_payload_max_length(limits.max_request_bytes);
  server_->set_read_timeout(60, 0);
  server_->set_write_timeout(60, 0);
  router_ = std::make_unique<Router>(*server_, token);
  add_status_routes(*router_, context_);
  add_thing_routes(*router_, context_);
  add_group_routes(*router_, context_);
  add_certificate_routes(*router_, context_);
  add_firmware_routes(*router_, context_);
  add_job_routes(*router_, context_);
  // The web dashboard (server/dashboard): same server, same token check.
  dashboard::mount_dashboard(*server_, {context_.registry, context_.jobs, [token](const httplib::Request& req) {
                                          return bearer_token_matches(req.get_header_value("Authorization"), token);
                                        }});
}

RestApi::~RestApi() { stop(); }

std::uint16_t RestApi::start(const std::string& address, std::uint16_t port) {
  int bound = 0;
  if (port == 0) {
    bound = server_->bind_to_any_port(address.c_str());
  } else if (server_->bind_to_port(address.c_str(), port)) {
    bound = port;
  } else {
    bound = -1;
  }
  if (bound <= 0) {
    throw std::runtime_error("the REST API cannot listen on " + address + ":" + std::to_string(port) +
                             " (in use, or not an address of this machine)");
  }
  auto finished = std::make_shared<std::atomic<bool>>(false);
  thread_ = std::thread([this, finished] {
    server_->listen_after_bind();
    *finished = true;
  });
  // stop() is only effective once the loop runs; wait for it so a quick
  // start/stop never leaves the thread serving forever.
  while (!server_->is_running() && !*finished) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  return static_cast<std::uint16_t>(bound);
}

void RestApi::stop() {
  if (server_) server_->stop();
  if (thread_.joinable()) thread_.join();
}

const std::vector<RouteInfo>& RestApi::routes() const { return router_->routes(); }

Page page_of(const Call& call) {
  Page page;
  page.offset = static_cast<std::size_t>(call.query_int("offset", 0, 0, 1'000'000'000));
  page.limit = static_cast<std::size_t>(call.query_int("limit", 100, 1, 1000));
  return page;
}

nlohmann::json paged(const std::string& key, const nlohmann::json& all_items, const Page& page) {
  nlohmann::json items = nlohmann::json::array();
  const std::size_t total = all_items.size();
  for (std::size_t i = page.offset; i < total && i < page.offset + page.limit; ++i) items.push_back(all_items[i]);
  nlohmann::json out{{key, items}, {"total", total}, {"offset", page.offset}, {"limit", page.limit}};
  if (page.offset + page.limit < total) out["nextOffset"] = page.offset + page.limit;
  return out;
}

}  // namespace otter::api
