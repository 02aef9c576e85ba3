// Reads what `otter thing create` writes for a device (otter_credentials.c,
// otter_config.h) the way a firmware build would use it: the C string
// literals are decoded with C's escape rules, so the simulator runs on
// exactly the bytes a real board would compile in.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace otter::simboard {

struct DeviceFiles {
  std::string root_ca_pem;
  std::string device_certificate_pem;
  std::string device_private_key_pem;
  std::string code_verify_certificate_pem;
  std::string endpoint;
  std::uint16_t port = 8883;
  std::string thing_name;
  std::string board;
};

class DeviceFilesError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Decodes one or more adjacent C string literals ("a" "b\n"); throws on
// anything else.
std::string decode_c_string_literals(std::string_view text);

// `const char NAME[] = <literals>;` definitions of a C source.
std::map<std::string, std::string> c_string_definitions(std::string_view source);
// `#define NAME <literal or number>` of a header (string values decoded).
std::map<std::string, std::string> c_defines(std::string_view header);

// Loads DIR/otter_credentials.c and DIR/otter_config.h; throws
// DeviceFilesError naming the missing file or symbol. A folder without them
// may instead hold PEM files (ca.pem, cert.pem, key.pem, code_verify.pem,
// as a test harness writes them from the REST API's answer): the thing name
// is then the folder's name and the endpoint is left empty.
DeviceFiles load_device_files(const std::filesystem::path& dir);

// Writes the TLS material as PEM files (ca.pem, cert.pem, key.pem, mode 0600
// for the key) into `dir` for libmosquitto.
void write_tls_files(const DeviceFiles& files, const std::filesystem::path& dir);

}  // namespace otter::simboard
