#include "otter/broker/broker_setup.h"

#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <algorithm>
#include <sstream>

#include "otter/crypto/openssl.h"
#include "otter/pki/certificate_info.h"
#include "otter/pki/files.h"

namespace otter::broker {
namespace {

namespace fs = std::filesystem;

// A kept certificate must still be ours (the CA may have been replaced) and,
// for the broker, still cover every name boards are told to connect to.
bool broker_certificate_fits(const pki::PkiPaths& pki, const pki::BrokerNames& names, const std::string& ca_pem) {
  if (!fs::exists(pki.broker_certificate()) || !fs::exists(pki.broker_private_key())) return false;
  const std::string pem = pki::read_file(pki.broker_certificate());
  if (!pki::is_issued_by(pem, ca_pem)) return false;
  crypto::BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  crypto::X509Ptr cert(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
  if (!cert) return false;
  for (const auto& dns : names.dns_names) {
    if (X509_check_host(cert.get(), dns.c_str(), dns.size(), 0, nullptr) != 1) return false;
  }
  for (const auto& ip : names.ip_addresses) {
    if (X509_check_ip_asc(cert.get(), ip.c_str(), 0) != 1) return false;
  }
  return true;
}

bool service_certificate_fits(const pki::PkiPaths& pki, const std::string& ca_pem) {
  if (!fs::exists(pki.service_certificate()) || !fs::exists(pki.service_private_key())) return false;
  return pki::is_issued_by(pki::read_file(pki.service_certificate()), ca_pem);
}

void add_unique(std::vector<std::string>& list, const std::string& item) {
  if (std::find(list.begin(), list.end(), item) == list.end()) list.push_back(item);
}

// Loopback always (otterd and local tools connect there), the names asked
// for, and a specific bind address (clients on it check the certificate
// against it).
pki::BrokerNames names_for(const BrokerSetupOptions& options) {
  pki::BrokerNames names{{"localhost"}, {"127.0.0.1"}};
  for (const auto& dns : options.names.dns_names) add_unique(names.dns_names, dns);
  for (const auto& ip : options.names.ip_addresses) add_unique(names.ip_addresses, ip);
  const std::string& bind = options.bind_address;
  if (bind != "0.0.0.0" && bind != "::" && !bind.empty()) {
    unsigned char buffer[sizeof(in6_addr)];
    const bool is_ip = ::inet_pton(AF_INET, bind.c_str(), buffer) == 1 || ::inet_pton(AF_INET6, bind.c_str(), buffer) == 1;
    add_unique(is_ip ? names.ip_addresses : names.dns_names, bind);
  }
  return names;
}

}  // namespace

BrokerSetup prepare_broker(const fs::path& data_dir, const BrokerSetupOptions& options) {
  BrokerSetup setup{pki::PkiPaths{data_dir / "pki"}, BrokerPaths{data_dir / "broker"}, {}};
  auto ca = pki::CertificateAuthority::open_or_create(setup.pki.dir);
  if (ca.crl_needs_refresh()) ca.refresh_crl();
  const std::string ca_pem = ca.certificate_pem();

  const pki::BrokerNames names = names_for(options);
  if (!broker_certificate_fits(setup.pki, names, ca_pem)) {
    const auto issued = ca.issue_broker_certificate(names);
    pki::write_private_file(setup.pki.broker_private_key(), issued.private_key_pem);
    pki::write_public_file(setup.pki.broker_certificate(), issued.certificate_pem);
  }
  if (!service_certificate_fits(setup.pki, ca_pem)) {
    const auto issued = ca.issue_service_certificate();
    pki::write_private_file(setup.pki.service_private_key(), issued.private_key_pem);
    pki::write_public_file(setup.pki.service_certificate(), issued.certificate_pem);
  }

  BrokerConfig& config = setup.config;
  config.dir = setup.broker.dir;
  config.bind_address = options.bind_address;
  config.tls_port = options.tls_port;
  config.plain_port = options.plain_port;
  config.ca_file = setup.pki.ca_certificate();
  config.cert_file = setup.pki.broker_certificate();
  config.key_file = setup.pki.broker_private_key();
  config.crl_file = setup.pki.crl();
  config.service_identity = std::string(pki::kServiceIdentity);
  write_broker_config(config);
  return setup;
}

std::optional<BrokerConfig> config_of_data_dir(const fs::path& data_dir) {
  const BrokerPaths paths{data_dir / "broker"};
  if (!fs::exists(paths.config())) return std::nullopt;
  std::istringstream conf(pki::read_file(paths.config()));
  const pki::PkiPaths pki{data_dir / "pki"};
  BrokerConfig config;
  config.dir = paths.dir;
  config.ca_file = pki.ca_certificate();
  config.cert_file = pki.broker_certificate();
  config.key_file = pki.broker_private_key();
  config.crl_file = pki.crl();
  // The TLS listener is the first one render_mosquitto_conf() writes.
  for (std::string line; std::getline(conf, line);) {
    std::istringstream words(line);
    std::string keyword;
    unsigned port = 0;
    std::string address;
    if (words >> keyword && keyword == "listener" && words >> port) {
      if (port == 0 || port > 65535) return std::nullopt;
      config.tls_port = static_cast<std::uint16_t>(port);
      if (words >> address) config.bind_address = address;
      return config;
    }
  }
  return std::nullopt;
}

}  // namespace otter::broker
