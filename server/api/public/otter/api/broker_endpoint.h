// Where devices should connect: the TLS listener of the broker configuration
// generated into the data dir, unless OTTER_MQTT_ENDPOINT ("host:port")
// overrides it (a deployment behind NAT or a DNS name).
#pragma once

#include <filesystem>
#include <optional>
#include <string>

#include "otter/api/rest_api.h"

namespace otter::api {

// The first "listener PORT [ADDRESS]" of a mosquitto.conf text (the TLS
// listener Otter writes first); a wildcard or missing address becomes
// `fallback_host`.
std::optional<BrokerEndpoint> endpoint_from_mosquitto_conf(const std::string& text, const std::string& fallback_host);

// From OTTER_MQTT_ENDPOINT, else <data_dir>/broker/mosquitto.conf, else
// 127.0.0.1:8883.
BrokerEndpoint discover_broker_endpoint(const std::filesystem::path& data_dir);

}  // namespace otter::api
