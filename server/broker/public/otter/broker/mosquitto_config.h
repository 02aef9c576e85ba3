// The Mosquitto configuration Otter runs its broker with, generated into the
// data dir: a mutual-TLS listener where the certificate CN is the username
// and the client id, an ACL that confines each thing to
// $aws/things/<its CN>/#, and queue limits sized for OTA bursts.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>

namespace otter::broker {

// Files of the broker inside a data dir (by convention <data dir>/broker).
struct BrokerPaths {
  std::filesystem::path dir;
  std::filesystem::path config() const { return dir / "mosquitto.conf"; }
  std::filesystem::path acl() const { return dir / "acl"; }
  std::filesystem::path log() const { return dir / "mosquitto.log"; }
  // Where MosquittoProcess sends the broker's stdout/stderr (errors that
  // happen before the log file is open, e.g. a bad config line).
  std::filesystem::path console() const { return dir / "mosquitto.console"; }
  std::filesystem::path persistence_dir() const { return dir / "persistence"; }
  // Written by Mosquitto itself: how otterd and tools find the broker of a
  // data dir to reload it (see reload_running_broker).
  std::filesystem::path pid_file() const { return dir / "mosquitto.pid"; }
};

struct BrokerConfig {
  // Where mosquitto.conf, acl, the log and persistence go.
  std::filesystem::path dir;
  // TLS listener. Tests bind loopback; a deployment binds its LAN address
  // (or 0.0.0.0) so boards can reach it.
  std::string bind_address = "127.0.0.1";
  std::uint16_t tls_port = 8883;
  // Development only: a plain-TCP listener, always bound to 127.0.0.1. There
  // is no certificate there, so the identity is whatever MQTT username the
  // client sends (the client id is forced to it and the same ACL applies):
  // confinement without authentication. Never enabled unless asked for.
  std::optional<std::uint16_t> plain_port;
  // TLS material (PEM files): the CA that issued client certificates, the
  // broker's own certificate and key, the CA's CRL.
  std::filesystem::path ca_file;
  std::filesystem::path cert_file;
  std::filesystem::path key_file;
  std::filesystem::path crl_file;
  // The privileged identity (certificate CN) that may touch every thing's topics.
  std::string service_identity = "otterd";
  // Per-client QoS 1 queue beyond the in-flight window. Mosquitto's default
  // (1000) silently drops messages when otterd publishes a burst of
  // notifications or a device asks for many blocks; 0 would mean unlimited
  // memory per stalled client, so the cap is by bytes as well.
  std::size_t max_queued_messages = 100000;
  // 256 MiB per client: a few full firmware images of stream blocks.
  std::size_t max_queued_bytes = 256u * 1024u * 1024u;
  // In-flight QoS 1 messages per client (Mosquitto default 20): stream blocks
  // are QoS 0, so this mainly paces job notifications; 100 keeps otterd's own
  // session (which receives every device's requests) from stalling.
  std::size_t max_inflight_messages = 100;
  bool persistence = true;
};

class BrokerConfigError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The text of mosquitto.conf / acl for `config` (paths made absolute).
// Throws BrokerConfigError on missing TLS files, bad ports, or paths or
// identities that cannot be written into Mosquitto's line-based format.
std::string render_mosquitto_conf(const BrokerConfig& config);
std::string render_acl(const BrokerConfig& config);

// Writes mosquitto.conf and acl (atomically) and creates the persistence
// folder; returns the paths. The TLS files must already exist.
BrokerPaths write_broker_config(const BrokerConfig& config);

}  // namespace otter::broker
