#pragma once
// An OTA stream: the files a job's devices download block by block over MQTT.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "otter/model/time.h"

namespace otter::model {

struct StreamFile {
  std::int64_t file_id = 0;   // `fileid` in the job document, `f` on the wire
  std::int64_t size = 0;      // bytes
  std::string source_path;    // absolute path of the image bytes on the server
};

struct Stream {
  std::string id;  // `streamname` in the job document
  std::string description;
  std::vector<StreamFile> files;
  Millis created_at = 0;
};

// Stream ids: 1..128 of [a-zA-Z0-9_-].
bool is_valid_stream_id(std::string_view id);

}  // namespace otter::model
