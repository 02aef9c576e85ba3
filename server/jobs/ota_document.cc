#include "otter/jobs/ota_document.h"

#include <set>

#include "otter/model/json.h"
#include "otter/model/stream.h"

namespace otter::jobs {

nlohmann::json build_afr_ota_document(std::string_view stream_name, const std::vector<OtaFile>& files,
                                      const std::vector<std::string>& protocols) {
  using model::ModelError;
  if (!model::is_valid_stream_id(stream_name)) throw ModelError("stream name must be 1..128 of a-z A-Z 0-9 _ -");
  if (files.empty()) throw ModelError("an OTA job needs at least one file");
  if (protocols.empty()) throw ModelError("an OTA job needs a protocol (MQTT or HTTP)");
  for (const auto& p : protocols)
    if (p != "MQTT" && p != "HTTP") throw ModelError("unknown protocol \"" + p + "\" (MQTT or HTTP)");
  std::set<std::int64_t> ids;
  nlohmann::json out_files = nlohmann::json::array();
  for (const auto& f : files) {
    if (f.filepath.empty()) throw ModelError("a file needs a filepath");
    if (f.filesize <= 0) throw ModelError("file " + f.filepath + " has no size");
    if (f.fileid < 0 || f.fileid > 255) throw ModelError("file ids are 0..255");
    if (!ids.insert(f.fileid).second) throw ModelError("duplicate file id " + std::to_string(f.fileid));
    if (f.signature_base64.empty()) throw ModelError("file " + f.filepath + " has no signature");
    if (f.signature_key.rfind("sig-", 0) != 0) throw ModelError("signature keys look like sig-sha256-ecdsa");
    nlohmann::json j = {{"filepath", f.filepath},
                        {"filesize", f.filesize},
                        {"fileid", f.fileid},
                        {"certfile", f.certfile},
                        {f.signature_key, f.signature_base64},
                        {"fileType", f.file_type}};
    if (f.attr) j["attr"] = *f.attr;
    out_files.push_back(std::move(j));
  }
  return {{"afr_ota", {{"protocols", protocols}, {"streamname", stream_name}, {"files", out_files}}}};
}

std::string stream_name_of(const nlohmann::json& document) {
  if (!document.is_object()) return {};
  auto ota = document.find("afr_ota");
  if (ota == document.end() || !ota->is_object()) return {};
  auto name = ota->find("streamname");
  if (name == ota->end() || !name->is_string()) return {};
  return name->get<std::string>();
}

}  // namespace otter::jobs
