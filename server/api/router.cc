#include "otter/api/router.h"

#include <httplib.h>
#include <spdlog/spdlog.h>

#include <regex>

#include "otter/api/api_token.h"
#include "otter/firmware/firmware_service.h"
#include "otter/jobs/engine.h"
#include "otter/model/json.h"
#include "otter/pki/certificate_authority.h"

namespace otter::api {
namespace {

// "/things/{name}" -> "/things/([^/]+)" and the list of parameter names.
std::string to_regex(const std::string& path_template, std::vector<std::string>& names) {
  static const std::regex kParam(R"(\{([A-Za-z0-9_]+)\})");
  std::string out;
  auto begin = std::sregex_iterator(path_template.begin(), path_template.end(), kParam);
  std::size_t last = 0;
  for (auto it = begin; it != std::sregex_iterator(); ++it) {
    out += path_template.substr(last, static_cast<std::size_t>(it->position()) - last);
    out += "([^/]+)";
    names.push_back((*it)[1]);
    last = static_cast<std::size_t>(it->position() + it->length());
  }
  out += path_template.substr(last);
  return out;
}

int status_of(jobs::JobsError::Code code) {
  switch (code) {
    case jobs::JobsError::Code::NotFound: return 404;
    case jobs::JobsError::Code::AlreadyExists: return 409;
    case jobs::JobsError::Code::InvalidArgument: return 400;
    case jobs::JobsError::Code::Conflict: return 409;
  }
  return 500;
}

int status_of(firmware::FirmwareError::Kind kind) {
  switch (kind) {
    case firmware::FirmwareError::Kind::kInvalid: return 400;
    case firmware::FirmwareError::Kind::kBadSignature: return 422;
    case firmware::FirmwareError::Kind::kNotFound: return 404;
    case firmware::FirmwareError::Kind::kConflict: return 409;
    case firmware::FirmwareError::Kind::kTooLarge: return 413;
  }
  return 500;
}

void fail(httplib::Response& res, int status, const std::string& message) {
  res.status = status;
  res.set_content(error_body(status, message).dump(), "application/json");
}

}  // namespace

nlohmann::json error_body(int status, const std::string& message) {
  return {{"error", message}, {"status", status}};
}

nlohmann::json Call::json_body() const {
  if (request.body.empty()) throw ApiError(400, "the request needs a JSON body");
  nlohmann::json body;
  try {
    body = nlohmann::json::parse(request.body);
  } catch (const nlohmann::json::parse_error& e) {
    throw ApiError(400, std::string("malformed JSON: ") + e.what());
  }
  if (!body.is_object()) throw ApiError(400, "the JSON body must be an object");
  return body;
}

std::string Call::query(const std::string& name, const std::string& fallback) const {
  return request.has_param(name.c_str()) ? request.get_param_value(name.c_str()) : fallback;
}

bool Call::has_query(const std::string& name) const { return request.has_param(name.c_str()); }

long long Call::query_int(const std::string& name, long long fallback, long long min, long long max) const {
  if (!has_query(name)) return fallback;
  const std::string text = query(name);
  std::size_t used = 0;
  long long value = 0;
  try {
    value = std::stoll(text, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used == 0 || used != text.size() || value < min || value > max) {
    throw ApiError(400, "query parameter '" + name + "' must be an integer from " + std::to_string(min) + " to " +
                            std::to_string(max));
  }
  return value;
}

bool Call::query_bool(const std::string& name, bool fallback) const {
  if (!has_query(name)) return fallback;
  const std::string v = query(name);
  if (v == "true" || v == "1" || v.empty()) return true;
  if (v == "false" || v == "0") return false;
  throw ApiError(400, "query parameter '" + name + "' must be true or false");
}

void Call::json(int status, const nlohmann::json& body) const {
  response.status = status;
  response.set_content(body.dump(), "application/json");
}

Router::Router(httplib::Server& server, std::string token) : server_(server), token_(std::move(token)) {
  server_.set_error_handler([](const httplib::Request& req, httplib::Response& res) {
    // Only fill in bodies httplib produced itself (unknown route, bad request).
    if (res.body.empty()) fail(res, res.status, "no route for " + req.method + " " + req.path);
  });
}

void Router::add(const std::string& method, const std::string& path_template, Handler handler,
                 bool requires_auth) {
  routes_.push_back({method, path_template, requires_auth});
  std::vector<std::string> names;
  const std::string pattern = to_regex(path_template, names);
  auto wrapped = [this, handler = std::move(handler), names, requires_auth, method, path_template](
                     const httplib::Request& req, httplib::Response& res) {
    struct CountResponse {
      httplib::Response& res;
      std::array<std::atomic<std::uint64_t>, 6>& counters;
      ~CountResponse() {
        if (res.status >= 100 && res.status < 600) ++counters[static_cast<std::size_t>(res.status / 100)];
      }
    } count{res, responses_};
    if (requires_auth) {
      // Tokens are only ever taken from the Authorization header: URLs end up
      // in logs, proxies and shell history.
      if (req.has_param("access_token") || req.has_param("token")) {
        fail(res, 400, "tokens are not accepted in the URL; send the header 'Authorization: Bearer <token>'");
        return;
      }
      if (!bearer_token_matches(req.get_header_value("Authorization"), token_)) {
        res.set_header("WWW-Authenticate", "Bearer realm=\"otterd\"");
        fail(res, 401,
             req.has_header("Authorization") ? "invalid API token"
                                             : "missing API token: send 'Authorization: Bearer <token>'");
        return;
      }
    }
    Call call{req, res, {}};
    for (std::size_t i = 0; i < names.size() && i + 1 < req.matches.size(); ++i) {
      call.params[names[i]] = req.matches[i + 1].str();
    }
    try {
      handler(call);
    } catch (const ApiError& e) {
      fail(res, e.status, e.what());
    } catch (const jobs::JobsError& e) {
      fail(res, status_of(e.code), e.what());
    } catch (const firmware::FirmwareError& e) {
      fail(res, status_of(e.kind()), e.what());
    } catch (const model::ModelError& e) {
      fail(res, 400, e.what());
    } catch (const pki::CaError& e) {
      fail(res, 400, e.what());
    } catch (const nlohmann::json::exception& e) {
      fail(res, 400, std::string("invalid request: ") + e.what());
    } catch (const std::exception& e) {
      spdlog::error("api: {} {} failed: {}", method, req.path, e.what());
      fail(res, 500, std::string("internal error: ") + e.what());
    }
    if (method != "GET") spdlog::info("api: {} {} -> {}", method, req.path, res.status);
  };
  const std::string anchored = pattern;
  if (method == "GET") server_.Get(anchored, wrapped);
  else if (method == "POST") server_.Post(anchored, wrapped);
  else if (method == "PUT") server_.Put(anchored, wrapped);
  else if (method == "PATCH") server_.Patch(anchored, wrapped);
  else if (method == "DELETE") server_.Delete(anchored, wrapped);
}

void Router::get(const std::string& p, Handler h, bool requires_auth) { add("GET", p, std::move(h), requires_auth); }
void Router::post(const std::string& p, Handler h) { add("POST", p, std::move(h), true); }
void Router::put(const std::string& p, Handler h) { add("PUT", p, std::move(h), true); }
void Router::patch(const std::string& p, Handler h) { add("PATCH", p, std::move(h), true); }
void Router::del(const std::string& p, Handler h) { add("DELETE", p, std::move(h), true); }

}  // namespace otter::api
