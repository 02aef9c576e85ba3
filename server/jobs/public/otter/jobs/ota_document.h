#pragma once
// Builds the `afr_ota` job document AWS's OTA agent understands.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace otter::jobs {

struct OtaFile {
  std::string filepath;     // path or name on the device
  std::int64_t filesize = 0;
  std::int64_t fileid = 0;  // id inside the stream
  std::string certfile;     // code-signing certificate path on the device
  std::string signature_key = "sig-sha256-ecdsa";
  std::string signature_base64;
  std::int64_t file_type = 0;  // 0 = firmware
  std::optional<std::int64_t> attr;
};

// {"afr_ota":{"protocols":[...],"streamname":...,"files":[...]}}
// Throws model::ModelError on an empty stream name, no files, a file without
// size or signature, or duplicate file ids.
nlohmann::json build_afr_ota_document(std::string_view stream_name, const std::vector<OtaFile>& files,
                                      const std::vector<std::string>& protocols = {"MQTT"});

// The stream an afr_ota document names, "" when it has none.
std::string stream_name_of(const nlohmann::json& document);

}  // namespace otter::jobs
