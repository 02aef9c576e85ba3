#include "otter/api/broker_endpoint.h"

#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

namespace otter::api {
namespace {

std::optional<std::uint16_t> parse_port(const std::string& text) {
  if (text.empty() || text.size() > 5) return std::nullopt;
  unsigned value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + static_cast<unsigned>(c - '0');
  }
  if (value == 0 || value > 65535) return std::nullopt;
  return static_cast<std::uint16_t>(value);
}

std::string host_name() {
  char name[256] = {};
  if (::gethostname(name, sizeof(name) - 1) != 0 || name[0] == '\0') return "127.0.0.1";
  return name;
}

}  // namespace

std::optional<BrokerEndpoint> endpoint_from_mosquitto_conf(const std::string& text, const std::string& fallback_host) {
  std::istringstream lines(text);
  std::string line;
  while (std::getline(lines, line)) {
    std::istringstream words(line);
    std::string keyword, port, address;
    words >> keyword >> port >> address;
    if (keyword != "listener") continue;
    const auto parsed = parse_port(port);
    if (!parsed) return std::nullopt;
    BrokerEndpoint endpoint;
    endpoint.port = *parsed;
    endpoint.host = (address.empty() || address == "0.0.0.0" || address == "::") ? fallback_host : address;
    return endpoint;
  }
  return std::nullopt;
}

BrokerEndpoint discover_broker_endpoint(const std::filesystem::path& data_dir) {
  if (const char* env = std::getenv("OTTER_MQTT_ENDPOINT"); env != nullptr && *env != '\0') {
    const std::string value = env;
    const auto colon = value.rfind(':');
    if (colon != std::string::npos) {
      if (const auto port = parse_port(value.substr(colon + 1))) return {value.substr(0, colon), *port};
    }
    return {value, 8883};
  }
  std::ifstream in(data_dir / "broker" / "mosquitto.conf");
  if (in) {
    std::ostringstream text;
    text << in.rdbuf();
    if (auto endpoint = endpoint_from_mosquitto_conf(text.str(), host_name())) return *endpoint;
  }
  return {};
}

}  // namespace otter::api
