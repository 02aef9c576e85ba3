#include "rest_client.h"

#include <httplib.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "command_registry.h"

namespace otter::cli {
namespace {

std::string env_or_empty(const char* name) {
  const char* v = std::getenv(name);
  return v != nullptr ? std::string(v) : std::string();
}

// A server error message: the API answers {"error": "...", ...}.
std::string error_message(const httplib::Result& res) {
  try {
    const auto body = nlohmann::json::parse(res->body);
    if (body.is_object() && body.contains("error") && body["error"].is_string()) return body["error"];
  } catch (const nlohmann::json::exception&) {
  }
  return res->body.empty() ? "HTTP " + std::to_string(res->status) : res->body;
}

}  // namespace

void add_server_options(CLI::App& command, ServerOptions& options) {
  command.add_option("--url", options.url, "otterd REST API URL (env OTTER_URL), e.g. http://127.0.0.1:8080");
  command.add_option("--token", options.token, "API bearer token (env OTTER_TOKEN)");
  command.add_option("--data-dir", options.data_dir,
                     "otterd data dir: read URL and token from its cli.json (env OTTER_DATA_DIR)");
  command.add_flag("--json", options.json, "print machine-readable JSON");
}

struct RestClient::Impl {
  explicit Impl(const std::string& url) : client(url) {}
  httplib::Client client;
};

RestClient::RestClient(const ServerOptions& options) {
  url_ = options.url.empty() ? env_or_empty("OTTER_URL") : options.url;
  token_ = options.token.empty() ? env_or_empty("OTTER_TOKEN") : options.token;
  std::string data_dir = options.data_dir.empty() ? env_or_empty("OTTER_DATA_DIR") : options.data_dir;
  if ((url_.empty() || token_.empty()) && !data_dir.empty()) {
    const auto path = std::filesystem::path(data_dir) / "cli.json";
    std::ifstream in(path);
    if (!in) throw CommandError{kExitUsage, "cannot read " + path.string() + " (was `otterd init` run there?)"};
    try {
      const auto config = nlohmann::json::parse(in);
      if (url_.empty()) url_ = config.at("url").get<std::string>();
      if (token_.empty()) token_ = config.at("token").get<std::string>();
    } catch (const nlohmann::json::exception& e) {
      throw CommandError{kExitInputError, path.string() + " is not a valid otter CLI config: " + e.what()};
    }
  }
  if (url_.empty()) {
    throw CommandError{kExitUsage, "no server given: pass --url or --data-dir, or set OTTER_URL / OTTER_DATA_DIR"};
  }
  if (token_.empty()) {
    throw CommandError{kExitUsage, "no API token given: pass --token or --data-dir, or set OTTER_TOKEN"};
  }
  while (!url_.empty() && url_.back() == '/') url_.pop_back();
  impl_ = std::make_unique<Impl>(url_);
  if (!impl_->client.is_valid()) throw CommandError{kExitUsage, "invalid server URL '" + url_ + "'"};
  impl_->client.set_bearer_token_auth(token_.c_str());
  impl_->client.set_connection_timeout(5, 0);
  impl_->client.set_read_timeout(120, 0);
  impl_->client.set_write_timeout(120, 0);
}

RestClient::~RestClient() = default;

namespace {

nlohmann::json decode(const httplib::Result& res, const std::string& what, const std::string& url) {
  if (!res) {
    throw CommandError{kExitServerError,
                       "cannot reach otterd at " + url + " (" + httplib::to_string(res.error()) + ")"};
  }
  if (res->status == 401) {
    throw CommandError{kExitServerError, "otterd refused the API token: " + error_message(res) +
                                             " (check --token / OTTER_TOKEN against <data dir>/api-token)"};
  }
  if (res->status == 404) throw CommandError{kExitNotFound, error_message(res)};
  if (res->status >= 400 && res->status < 500) throw CommandError{kExitFailed, error_message(res)};
  if (res->status >= 300) {
    throw CommandError{kExitServerError, what + " failed with HTTP " + std::to_string(res->status) + ": " +
                                             error_message(res)};
  }
  if (res->body.empty()) return nlohmann::json::object();
  try {
    return nlohmann::json::parse(res->body);
  } catch (const nlohmann::json::exception&) {
    throw CommandError{kExitServerError, what + ": otterd answered with something that is not JSON"};
  }
}

}  // namespace

nlohmann::json RestClient::get(const std::string& path) {
  return decode(impl_->client.Get(path.c_str()), "GET " + path, url_);
}

nlohmann::json RestClient::post(const std::string& path, const nlohmann::json& body) {
  return decode(impl_->client.Post(path.c_str(), body.dump(), "application/json"), "POST " + path, url_);
}

nlohmann::json RestClient::patch(const std::string& path, const nlohmann::json& body) {
  return decode(impl_->client.Patch(path.c_str(), body.dump(), "application/json"), "PATCH " + path, url_);
}

nlohmann::json RestClient::put(const std::string& path, const nlohmann::json& body) {
  return decode(impl_->client.Put(path.c_str(), body.dump(), "application/json"), "PUT " + path, url_);
}

nlohmann::json RestClient::del(const std::string& path) {
  return decode(impl_->client.Delete(path.c_str()), "DELETE " + path, url_);
}

nlohmann::json RestClient::post_bytes(const std::string& path, const std::vector<std::uint8_t>& body) {
  return decode(impl_->client.Post(path.c_str(), reinterpret_cast<const char*>(body.data()), body.size(),
                                   "application/octet-stream"),
                "POST " + path, url_);
}

nlohmann::json RestClient::post_multipart(const std::string& path, const std::vector<Part>& parts) {
  httplib::MultipartFormDataItems items;
  for (const auto& p : parts) {
    items.push_back({p.name, p.content, p.filename, p.filename.empty() ? "" : "application/octet-stream"});
  }
  return decode(impl_->client.Post(path.c_str(), items), "POST " + path, url_);
}

std::vector<std::uint8_t> RestClient::get_bytes(const std::string& path) {
  auto res = impl_->client.Get(path.c_str());
  if (res && res->status == 200) return {res->body.begin(), res->body.end()};
  decode(res, "GET " + path, url_);  // throws the matching error
  throw CommandError{kExitServerError, "GET " + path + " failed"};
}

nlohmann::json RestClient::get_all(const std::string& path, const std::string& key) {
  nlohmann::json items = nlohmann::json::array();
  const char separator = path.find('?') == std::string::npos ? '?' : '&';
  std::size_t offset = 0;
  for (;;) {
    const auto page = get(path + separator + "limit=1000&offset=" + std::to_string(offset));
    for (const auto& item : page.at(key)) items.push_back(item);
    if (!page.contains("nextOffset")) break;
    offset = page["nextOffset"].get<std::size_t>();
  }
  return items;
}

std::vector<std::string> split_list(const std::string& text) {
  std::vector<std::string> out;
  std::string current;
  for (char c : text) {
    if (c == ',') {
      if (!current.empty()) out.push_back(current);
      current.clear();
    } else {
      current += c;
    }
  }
  if (!current.empty()) out.push_back(current);
  return out;
}

std::string url_encode(const std::string& text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
        c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 0xF];
    }
  }
  return out;
}

std::vector<std::uint8_t> read_input_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw CommandError{kExitInputError, "cannot read " + path};
  std::vector<std::uint8_t> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  return bytes;
}

std::string read_text_file(const std::string& path) {
  const auto bytes = read_input_file(path);
  return {bytes.begin(), bytes.end()};
}

void print_json(const nlohmann::json& value) { std::cout << value.dump(2) << "\n"; }

void print_table(const std::vector<std::string>& header, const std::vector<std::vector<std::string>>& rows) {
  std::vector<std::size_t> width(header.size());
  for (std::size_t i = 0; i < header.size(); ++i) width[i] = header[i].size();
  for (const auto& row : rows) {
    for (std::size_t i = 0; i < row.size() && i < width.size(); ++i) width[i] = std::max(width[i], row[i].size());
  }
  auto print_row = [&](const std::vector<std::string>& row) {
    std::string line;
    for (std::size_t i = 0; i < row.size(); ++i) {
      line += row[i];
      if (i + 1 < row.size()) line += std::string(width[i] - row[i].size() + 2, ' ');
    }
    std::cout << line << "\n";
  };
  print_row(header);
  for (const auto& row : rows) print_row(row);
}

std::string field_or_dash(const nlohmann::json& object, const char* key) {
  if (!object.is_object() || !object.contains(key) || object[key].is_null()) return "-";
  const auto& v = object[key];
  if (v.is_string()) return v.get<std::string>();
  return v.dump();
}

}  // namespace otter::cli
