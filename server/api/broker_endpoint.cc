#include "otter/api/broker_endpoint.h"

#include <unistd.h>

#include <cstdlib>

#include "otter/broker/broker_setup.h"

namespace otter::api {
namespace {

std::string host_name() {
  char name[256] = {};
  if (::gethostname(name, sizeof(name) - 1) != 0 || name[0] == '\0') return "127.0.0.1";
  return name;
}

}  // namespace

std::optional<BrokerEndpoint> parse_endpoint(const std::string& text) {
  if (text.empty()) return std::nullopt;
  const auto colon = text.rfind(':');
  if (colon == std::string::npos) return BrokerEndpoint{text, 8883};
  const std::string port = text.substr(colon + 1);
  if (colon == 0 || port.empty() || port.size() > 5) return std::nullopt;
  unsigned value = 0;
  for (char c : port) {
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + static_cast<unsigned>(c - '0');
  }
  if (value == 0 || value > 65535) return std::nullopt;
  return BrokerEndpoint{text.substr(0, colon), static_cast<std::uint16_t>(value)};
}

BrokerEndpoint discover_broker_endpoint(const std::filesystem::path& data_dir) {
  if (const char* env = std::getenv("OTTER_MQTT_ENDPOINT")) {
    if (auto endpoint = parse_endpoint(env)) return *endpoint;
  }
  if (const auto config = broker::config_of_data_dir(data_dir)) {
    const bool wildcard = config->bind_address.empty() || config->bind_address == "0.0.0.0" ||
                          config->bind_address == "::";
    return {wildcard ? host_name() : config->bind_address, config->tls_port};
  }
  return {};
}

}  // namespace otter::api
