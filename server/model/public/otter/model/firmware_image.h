#pragma once
// A firmware image as the jobs side sees it; the firmware store (server/firmware)
// owns the bytes and the signing.
#include <cstdint>
#include <string>

#include "otter/model/time.h"

namespace otter::model {

struct FirmwareImage {
  std::string digest;  // sha256 hex of the image
  std::string name;
  std::string version;
  std::int64_t size = 0;
  std::string path;              // where the store keeps the bytes
  std::string signature_base64;  // ECDSA P-256 over SHA-256, DER, base64
  Millis created_at = 0;
};

}  // namespace otter::model
