// Uploading a firmware file to otterd, shared by `otter firmware upload` and
// `otter job create --file`.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "rest_client.h"

namespace otter::cli {

struct FirmwareUploadArgs {
  std::string file;
  std::string name;               // default: the file's name
  std::string signature_file;     // --sig: base64 or DER signature, or a bundle
  std::string certificate_file;   // --cert: signer certificate (PEM)
  std::string signing_profile;    // --sign-with-profile NAME
  bool sign_with_default_profile = false;  // --sign-with-profile without a name
  bool raw = false;
};

// Uploads and returns the server's firmware record. A bundle given as the
// file (or as --sig) brings its signature and certificate along.
nlohmann::json upload_firmware(RestClient& client, const FirmwareUploadArgs& args);

}  // namespace otter::cli
