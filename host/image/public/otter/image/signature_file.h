// Reading a signature given to `otter verify/inspect --sig`: base64 DER (the
// AWS sig-sha256-ecdsa form `otter sign` writes), raw DER (what
// `openssl dgst -sign` writes), or a bundle.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "otter/image/bundle.h"

namespace otter::image {

struct SignatureFile {
  std::vector<std::uint8_t> der;
  std::optional<Bundle> bundle;  // set when the file was a bundle
};

// Throws ImageFileError: "malformed base64: ..." for text that is not valid
// base64, "empty" for an empty file, bundle errors for damaged bundles.
SignatureFile load_signature(std::span<const std::uint8_t> bytes);

}  // namespace otter::image
