#include "otter/image/bundle.h"

#include <algorithm>
#include <cstring>
#include <nlohmann/json.hpp>

#include "otter/crypto/signature.h"
#include "otter/image/image_file.h"

namespace otter::image {
namespace {

constexpr std::size_t kMagicSize = sizeof(kBundleMagic) - 1;
constexpr std::size_t kHeaderSize = kMagicSize + 4;
constexpr std::size_t kMaxManifest = 1 << 20;

}  // namespace

bool is_bundle(std::span<const std::uint8_t> bytes) {
  return bytes.size() >= kMagicSize && std::memcmp(bytes.data(), kBundleMagic, kMagicSize) == 0;
}

std::vector<std::uint8_t> encode_bundle(const Bundle& bundle) {
  nlohmann::ordered_json manifest = {
      {"format", 1},
      {"file", bundle.file_name},
      {"size", bundle.image.size()},
      {"sha256", crypto::to_hex(crypto::sha256(bundle.image))},
      {"sig-sha256-ecdsa", crypto::encode_base64(bundle.signature)},
      {"key_fingerprint", bundle.key_fingerprint},
  };
  if (!bundle.certificate_pem.empty()) manifest["certificate"] = bundle.certificate_pem;
  const std::string text = manifest.dump(2);
  std::vector<std::uint8_t> out(kBundleMagic, kBundleMagic + kMagicSize);
  const auto n = static_cast<std::uint32_t>(text.size());
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<std::uint8_t>(n >> (8 * i)));
  out.insert(out.end(), text.begin(), text.end());
  out.insert(out.end(), bundle.image.begin(), bundle.image.end());
  return out;
}

Bundle decode_bundle(std::span<const std::uint8_t> bytes) {
  if (!is_bundle(bytes)) throw ImageFileError("not an Otter bundle (no \"OTTRBNDL\" magic)");
  if (bytes.size() < kHeaderSize) throw ImageFileError("bundle truncated inside its header");
  std::uint32_t length = 0;
  for (std::size_t i = 0; i < 4; ++i) length |= static_cast<std::uint32_t>(bytes[kMagicSize + i]) << (8 * i);
  if (length > kMaxManifest || length > bytes.size() - kHeaderSize) {
    throw ImageFileError("bundle truncated: manifest of " + std::to_string(length) + " bytes does not fit");
  }
  const auto manifest_bytes = bytes.subspan(kHeaderSize, length);
  const auto payload = bytes.subspan(kHeaderSize + length);
  Bundle bundle;
  try {
    const auto manifest = nlohmann::json::parse(manifest_bytes.begin(), manifest_bytes.end());
    if (manifest.at("format").get<int>() != 1) throw ImageFileError("bundle format " + manifest.at("format").dump() + " is not supported");
    bundle.file_name = manifest.at("file").get<std::string>();
    const auto size = manifest.at("size").get<std::uint64_t>();
    if (size != payload.size()) {
      throw ImageFileError("bundle is damaged: manifest says the image is " + std::to_string(size) + " bytes, bundle holds " +
                           std::to_string(payload.size()));
    }
    bundle.image_sha256 = manifest.at("sha256").get<std::string>();
    bundle.signature = crypto::decode_base64(manifest.at("sig-sha256-ecdsa").get<std::string>());
    bundle.key_fingerprint = manifest.at("key_fingerprint").get<std::string>();
    bundle.certificate_pem = manifest.value("certificate", std::string());
  } catch (const nlohmann::json::exception& e) {
    throw ImageFileError(std::string("bundle manifest is malformed: ") + e.what());
  } catch (const crypto::CryptoError& e) {
    throw ImageFileError(std::string("bundle signature: ") + e.what());
  }
  bundle.image.assign(payload.begin(), payload.end());
  return bundle;
}

}  // namespace otter::image
