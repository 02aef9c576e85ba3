// otter-broker: prepares a data dir for the broker (CA, certificates,
// mosquitto.conf, ACL) and issues development credentials. Used by
// scripts/otter-stack; otterd does the same through prepare_broker().
#include <CLI/CLI.hpp>

#include <cstdio>
#include <iostream>

#include "otter/broker/broker_setup.h"
#include "otter/broker/mosquitto_process.h"
#include "otter/pki/files.h"

namespace {

// Exit codes: 0 ok, 2 usage (CLI11), 3 bad input or files, 4 CA failure,
// 5 no broker running (reload).
constexpr int kExitInput = 3;
constexpr int kExitCa = 4;
constexpr int kExitNotRunning = 5;

std::string json_string(const std::string& text) {
  std::string out = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof(buf), "\\u%04x", static_cast<unsigned>(c));
      out += buf;
    } else {
      out += c;
    }
  }
  return out + "\"";
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Prepare an Otter data dir for Mosquitto and issue development credentials"};
  app.require_subcommand(1);
  std::string data_dir;
  bool json = false;

  auto* init = app.add_subcommand("init", "Create the CA (if missing), broker and otterd certificates, mosquitto.conf");
  otter::broker::BrokerSetupOptions options;
  std::uint16_t plain_port = 0;
  std::vector<std::string> dns;
  std::vector<std::string> ips;
  init->add_option("--data-dir", data_dir, "Data directory")->required();
  init->add_option("--bind", options.bind_address, "Address the TLS listener binds (default 127.0.0.1)");
  init->add_option("--port", options.tls_port, "TLS listener port (default 8883)")->check(CLI::Range(1, 65535));
  init->add_option("--plain-port", plain_port, "DEVELOPMENT: also a plain-TCP listener on 127.0.0.1")
      ->check(CLI::Range(1, 65535));
  init->add_option("--dns", dns, "Extra DNS name for the broker certificate (repeatable; localhost is always in)");
  init->add_option("--ip", ips, "Extra IP address for the broker certificate (repeatable; 127.0.0.1 and --bind are always in)");
  init->add_flag("--json", json, "Print the result as JSON");

  auto* issue = app.add_subcommand(
      "issue-thing", "DEVELOPMENT: issue a thing certificate outside otterd's registry (use `otter thing create`)");
  std::string thing;
  std::string out_dir;
  issue->add_option("--data-dir", data_dir, "Data directory")->required();
  issue->add_option("name", thing, "Thing name")->required();
  issue->add_option("--out", out_dir, "Folder for <name>.crt, <name>.key (0600) and ca.crt")->required();
  issue->add_flag("--json", json, "Print the result as JSON");

  auto* revoke = app.add_subcommand("revoke", "Revoke a certificate by serial (then reload the broker)");
  std::string serial;
  revoke->add_option("--data-dir", data_dir, "Data directory")->required();
  revoke->add_option("serial", serial, "Certificate serial number (hex)")->required();

  auto* reload = app.add_subcommand("reload", "Make the data dir's running broker re-read its CRL, ACL and certificates");
  reload->add_option("--data-dir", data_dir, "Data directory")->required();

  CLI11_PARSE(app, argc, argv);

  try {
    if (init->parsed()) {
      if (plain_port != 0) options.plain_port = plain_port;
      if (!dns.empty() || !ips.empty()) options.names = {dns, ips};
      const auto setup = otter::broker::prepare_broker(data_dir, options);
      if (json) {
        std::cout << "{\"config\":" << json_string(setup.broker.config()) << ",\"ca\":"
                  << json_string(setup.pki.ca_certificate()) << ",\"tls_port\":" << setup.config.tls_port
                  << ",\"log\":" << json_string(setup.broker.log()) << "}\n";
      } else {
        std::cout << "broker config: " << setup.broker.config().string() << "\n"
                  << "CA certificate: " << setup.pki.ca_certificate().string() << "\n"
                  << "start it with: /usr/sbin/mosquitto -c " << setup.broker.config().string() << "\n";
      }
    } else if (issue->parsed()) {
      auto ca = otter::pki::CertificateAuthority::open(std::filesystem::path(data_dir) / "pki");
      const auto issued = ca.issue_thing_certificate(thing);
      const std::filesystem::path out(out_dir);
      otter::pki::write_public_file(out / (thing + ".crt"), issued.certificate_pem);
      otter::pki::write_private_file(out / (thing + ".key"), issued.private_key_pem);
      otter::pki::write_public_file(out / "ca.crt", ca.certificate_pem());
      if (json) {
        std::cout << "{\"thing\":" << json_string(thing) << ",\"serial\":" << json_string(issued.serial_hex)
                  << ",\"fingerprint_sha256\":" << json_string(issued.fingerprint_sha256) << "}\n";
      } else {
        std::cout << "issued " << thing << " serial " << issued.serial_hex << " into " << out.string() << "\n";
      }
    } else if (revoke->parsed()) {
      auto ca = otter::pki::CertificateAuthority::open(std::filesystem::path(data_dir) / "pki");
      ca.revoke(serial);
      // The broker of this data dir enforces the new CRL from its next connection on.
      const auto config = otter::broker::config_of_data_dir(data_dir);
      if (config && otter::broker::reload_running_broker(*config)) {
        std::cout << "revoked " << serial << "; the broker reloaded its CRL\n";
      } else {
        std::cout << "revoked " << serial << "; no broker is running for " << data_dir
                  << " (it loads the CRL when it starts)\n";
      }
    } else if (reload->parsed()) {
      const auto config = otter::broker::config_of_data_dir(data_dir);
      if (!config || !otter::broker::reload_running_broker(*config)) {
        std::cerr << "otter-broker: no broker is running for " << data_dir << "\n";
        return kExitNotRunning;
      }
      std::cout << "broker reloaded (CRL, ACL, certificates)\n";
    }
  } catch (const otter::pki::CaError& e) {
    std::cerr << "otter-broker: " << e.what() << "\n";
    return kExitCa;
  } catch (const std::exception& e) {
    std::cerr << "otter-broker: " << e.what() << "\n";
    return kExitInput;
  }
  return 0;
}
