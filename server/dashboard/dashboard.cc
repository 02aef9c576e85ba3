#include "otter/dashboard/dashboard.h"

#include <httplib.h>

#include <regex>
#include <string>

#include "otter/dashboard/assets.h"
#include "otter/dashboard/conditional_get.h"
#include "otter/dashboard/fleet_view.h"
#include "otter/jobs/engine.h"
#include "otter/model/json.h"

namespace otter::dashboard {
namespace {

// The app's own routes; the page decides what to show (and sends visitors
// without a token to /login). Kept in step with web/app.js.
const char* const kAppRoutePattern = R"(/|/(?:login|things|groups|firmware|jobs)(?:/[A-Za-z0-9:_-]{1,128})?)";

// No inline script or style, no other origin: a stolen page cannot send the
// token anywhere but back to otterd.
constexpr const char* kContentSecurityPolicy =
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "font-src 'self'; manifest-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

void security_headers(httplib::Response& res) {
  res.set_header("Content-Security-Policy", kContentSecurityPolicy);
  res.set_header("X-Content-Type-Options", "nosniff");
  res.set_header("Referrer-Policy", "no-referrer");
  res.set_header("X-Frame-Options", "DENY");
}

void json_error(httplib::Response& res, int status, const std::string& message) {
  res.status = status;
  res.set_content(nlohmann::json{{"error", message}, {"status", status}}.dump(), "application/json");
}

void serve_asset(const Asset& asset, httplib::Response& res) {
  res.status = 200;
  security_headers(res);
  // Revalidate every time (cheap: 304 on the embedded digest), so an upgraded
  // otterd never runs with yesterday's scripts.
  res.set_header("Cache-Control", "no-cache");
  res.set_header("ETag", std::string(asset.etag));
  res.set_content(std::string(asset.body), std::string(asset.content_type));
}

std::size_t size_param(const httplib::Request& req, const char* name, std::size_t fallback, std::size_t min,
                       std::size_t max) {
  if (!req.has_param(name)) return fallback;
  const std::string text = req.get_param_value(name);
  std::size_t value = 0;
  bool ok = !text.empty() && text.size() <= 10;
  for (char c : text) {
    if (c < '0' || c > '9') ok = false;
    else value = value * 10 + static_cast<std::size_t>(c - '0');
  }
  if (!ok || value < min || value > max) {
    throw std::invalid_argument(std::string("query parameter '") + name + "' must be an integer from " +
                                std::to_string(min) + " to " + std::to_string(max));
  }
  return value;
}

bool conditional_path(const std::string& path) {
  return path.rfind("/api/v1/", 0) == 0 || path.rfind("/ui/", 0) == 0 || is_app_route(path);
}

}  // namespace

bool is_app_route(const std::string& path) {
  static const std::regex kRoute(kAppRoutePattern);
  return std::regex_match(path, kRoute);
}

void mount_dashboard(httplib::Server& server, DashboardServices services) {
  const Asset* shell = find_asset("/ui/index.html");
  if (shell == nullptr) throw std::logic_error("the dashboard was built without web/index.html");

  server.Get(kAppRoutePattern, [shell](const httplib::Request&, httplib::Response& res) { serve_asset(*shell, res); });

  server.Get(R"(/ui/([A-Za-z0-9._-]+))", [](const httplib::Request& req, httplib::Response& res) {
    if (const Asset* asset = find_asset(req.path)) {
      serve_asset(*asset, res);
    } else {
      json_error(res, 404, "no dashboard file " + req.path);
    }
  });

  server.Get("/favicon.ico", [](const httplib::Request&, httplib::Response& res) {
    if (const Asset* icon = find_asset("/ui/favicon.svg")) serve_asset(*icon, res);
  });

  server.Get("/api/v1/dashboard/things", [services](const httplib::Request& req, httplib::Response& res) {
    if (req.has_param("access_token") || req.has_param("token")) {
      json_error(res, 400, "tokens are not accepted in the URL; send the header 'Authorization: Bearer <token>'");
      return;
    }
    if (!services.authorized(req)) {
      res.set_header("WWW-Authenticate", "Bearer realm=\"otterd\"");
      json_error(res, 401, "missing or invalid API token: send 'Authorization: Bearer <token>'");
      return;
    }
    try {
      FleetQuery query;
      query.offset = size_param(req, "offset", 0, 0, 1'000'000'000);
      query.limit = size_param(req, "limit", 100, 1, 1000);
      query.prefix = req.has_param("prefix") ? req.get_param_value("prefix") : "";
      query.group = req.has_param("group") ? req.get_param_value("group") : "";
      res.status = 200;
      res.set_content(fleet_page(services.registry, services.jobs, query).dump(), "application/json");
    } catch (const std::invalid_argument& e) {
      json_error(res, 400, e.what());
    } catch (const jobs::JobsError& e) {
      json_error(res, e.code == jobs::JobsError::Code::NotFound ? 404 : 400, e.what());
    } catch (const std::exception& e) {
      json_error(res, 500, std::string("internal error: ") + e.what());
    }
  });

  server.set_post_routing_handler([](const httplib::Request& req, httplib::Response& res) {
    if (req.method != "GET" || res.status != 200 || !conditional_path(req.path)) return;
    // A streamed body is not in res.body; hashing the empty string would give
    // every streamed answer the same tag.
    if (res.content_provider_) return;
    if (req.path.rfind("/api/v1/", 0) == 0) {
      // Operator data: revalidate, never keep on disk.
      res.set_header("Cache-Control", "no-store");
    }
    std::string etag = res.get_header_value("ETag");
    if (etag.empty()) {
      etag = etag_of(res.body);
      res.set_header("ETag", etag);
    }
    if (req.has_header("If-None-Match") && if_none_match_hits(req.get_header_value("If-None-Match"), etag)) {
      res.status = 304;
      res.body.clear();
      res.headers.erase("Content-Type");
      res.headers.erase("Content-Length");
    }
  });
}

}  // namespace otter::dashboard
