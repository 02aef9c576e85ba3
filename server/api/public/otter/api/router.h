// Routes of the REST API declared with OpenAPI path templates
// ("/api/v1/things/{name}"), so the route table and docs/openapi.yaml can be
// compared mechanically. Every route but the public ones requires the bearer
// token; every failure is a JSON {"error": "..."} with a fitting status.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace httplib {
class Server;
struct Request;
struct Response;
}  // namespace httplib

namespace otter::api {

// Thrown by handlers for a specific HTTP status.
struct ApiError : std::runtime_error {
  ApiError(int s, const std::string& message) : std::runtime_error(message), status(s) {}
  int status;
};

struct RouteInfo {
  std::string method;         // "GET", "POST", ...
  std::string path_template;  // OpenAPI form
  bool requires_auth = true;
};

struct Call {
  const httplib::Request& request;
  httplib::Response& response;
  std::map<std::string, std::string> params;  // path template parameters

  const std::string& param(const std::string& name) const { return params.at(name); }
  // The body as a JSON object; ApiError 400 naming the problem otherwise.
  nlohmann::json json_body() const;
  // Query parameter or `fallback`.
  std::string query(const std::string& name, const std::string& fallback = "") const;
  bool has_query(const std::string& name) const;
  // Integer query parameter within [min, max]; ApiError 400 otherwise.
  long long query_int(const std::string& name, long long fallback, long long min, long long max) const;
  bool query_bool(const std::string& name, bool fallback) const;

  void json(int status, const nlohmann::json& body) const;
};

using Handler = std::function<void(Call&)>;

class Router {
 public:
  Router(httplib::Server& server, std::string token);

  void get(const std::string& path_template, Handler handler, bool requires_auth = true);
  void post(const std::string& path_template, Handler handler);
  void put(const std::string& path_template, Handler handler);
  void patch(const std::string& path_template, Handler handler);
  void del(const std::string& path_template, Handler handler);

  const std::vector<RouteInfo>& routes() const { return routes_; }
  // Responses served per status class (index 1..5 for 1xx..5xx).
  std::uint64_t responses(int status_class) const { return responses_[static_cast<std::size_t>(status_class)]; }

 private:
  void add(const std::string& method, const std::string& path_template, Handler handler, bool requires_auth);

  httplib::Server& server_;
  std::string token_;
  std::vector<RouteInfo> routes_;
  std::array<std::atomic<std::uint64_t>, 6> responses_{};
};

// The JSON error body: {"error": message, "status": status}.
nlohmann::json error_body(int status, const std::string& message);

}  // namespace otter::api
