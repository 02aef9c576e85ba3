// Everything a data dir needs before the broker can start: the Otter CA
// (created on first use), the broker's TLS certificate, otterd's client
// certificate, and the generated mosquitto.conf + acl. Idempotent: existing
// keys and certificates are kept, the configuration is rewritten.
//
// Data dir layout:
//   <data dir>/pki/     ca.crt ca.key crl.pem broker.crt broker.key otterd.crt otterd.key
//   <data dir>/broker/  mosquitto.conf acl mosquitto.log mosquitto.console persistence/
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "otter/broker/mosquitto_config.h"
#include "otter/pki/certificate_authority.h"

namespace otter::broker {

struct BrokerSetupOptions {
  std::string bind_address = "127.0.0.1";
  std::uint16_t tls_port = 8883;
  std::optional<std::uint16_t> plain_port;
  // Names the broker certificate is valid for besides localhost, 127.0.0.1
  // and a specific bind_address (always added): boards connect to one of these.
  pki::BrokerNames names{{}, {}};
};

struct BrokerSetup {
  pki::PkiPaths pki;
  BrokerPaths broker;
  BrokerConfig config;
};

// Throws pki::CaError or BrokerConfigError with a message naming the file.
BrokerSetup prepare_broker(const std::filesystem::path& data_dir, const BrokerSetupOptions& options = {});

// The BrokerConfig that prepare_broker() last wrote for `data_dir`, read back
// from its mosquitto.conf (TLS listener port and address, identity); nullopt
// when the data dir has no broker configuration.
std::optional<BrokerConfig> config_of_data_dir(const std::filesystem::path& data_dir);

}  // namespace otter::broker
