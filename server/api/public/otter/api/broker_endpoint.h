// Where devices should connect: OTTER_MQTT_ENDPOINT ("host[:port]") when set
// (a deployment behind NAT or a DNS name), else the TLS listener of the broker
// configuration generated into the data dir (a wildcard address becomes this
// machine's host name), else 127.0.0.1:8883.
#pragma once

#include <filesystem>
#include <optional>
#include <string>

#include "otter/api/rest_api.h"

namespace otter::api {

// "host:port" or "host" (port 8883); nothing for an empty text or a bad port.
std::optional<BrokerEndpoint> parse_endpoint(const std::string& text);

BrokerEndpoint discover_broker_endpoint(const std::filesystem::path& data_dir);

}  // namespace otter::api
