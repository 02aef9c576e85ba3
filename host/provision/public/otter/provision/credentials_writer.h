// Device credential and configuration files, generated instead of the seed's
// hand edits of aws_credentials.c / aws_config.h:
//   otter_credentials.h  declarations (and opt-in aliases with the seed's names)
//   otter_credentials.c  root CA, device certificate, device key, code-verify
//                        certificate: each a C string literal plus its length
//   otter_config.h       endpoint, port, client id = thing name, board
// Every byte of a PEM survives the trip through the C compiler: quotes,
// backslashes, '?' (trigraphs), control bytes and NUL are escaped.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace otter::provision {

struct DeviceCredentials {
  std::string root_ca_pem;              // the CA the device trusts for the broker
  std::string device_certificate_pem;   // the thing's client certificate
  // Absent when the device generated its key and sent a CSR: the key never
  // left it, and otter_credentials.c then defines no key.
  std::optional<std::string> device_private_key_pem;
  std::string code_verify_certificate_pem;  // verifies firmware signatures (the job's certfile)
};

struct DeviceConfig {
  std::string endpoint;  // host name or IP address of the broker
  std::uint16_t port = 8883;
  std::string thing_name;  // also the MQTT client id
  std::string board;       // board profile, e.g. numaker-iot-m487
};

struct DeviceFiles {
  std::string credentials_h;
  std::string credentials_c;
  std::string config_h;
};

class ProvisionError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// `bytes` as one C string literal expression (possibly several adjacent
// literals, split after each newline), valid C89..C23 and C++ with or without
// trigraphs. Its array holds exactly `bytes` plus the terminating NUL.
std::string c_string_literal(std::string_view bytes);

// Throws ProvisionError naming the field when an input is empty or invalid.
DeviceFiles render_device_files(const DeviceCredentials& credentials, const DeviceConfig& config);

// Writes the three files into `dir` (created if missing). otter_credentials.c
// gets mode 0600 when it holds a private key. Returns the paths written.
std::vector<std::filesystem::path> write_device_files(const std::filesystem::path& dir,
                                                      const DeviceCredentials& credentials,
                                                      const DeviceConfig& config);

}  // namespace otter::provision
