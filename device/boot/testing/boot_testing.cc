#include "boot_testing.h"

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/sha.h>

#include <cstring>
#include <random>
#include <stdexcept>

namespace otter::boot::testing {

struct Signer::Key {
  EVP_PKEY* pkey = nullptr;
  ~Key() { EVP_PKEY_free(pkey); }
};

Signer::Signer() : key_(std::make_unique<Key>()) {
  key_->pkey = EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256");
  if (key_->pkey == nullptr) throw std::runtime_error("P-256 key generation failed");
  std::size_t length = 0;
  if (EVP_PKEY_get_octet_string_param(key_->pkey, OSSL_PKEY_PARAM_PUB_KEY, public_key_.point.data(),
                                      public_key_.point.size(), &length) != 1 ||
      length != public_key_.point.size()) {
    throw std::runtime_error("cannot export the P-256 public key");
  }
}

Signer::~Signer() = default;

std::vector<std::uint8_t> Signer::sign(const image::Digest& digest) const {
  EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_new(key_->pkey, nullptr);
  std::vector<std::uint8_t> signature(image::kMaxSignatureSize);
  std::size_t length = signature.size();
  const bool ok = ctx != nullptr && EVP_PKEY_sign_init(ctx) == 1 &&
                  EVP_PKEY_sign(ctx, signature.data(), &length, digest.data(), digest.size()) == 1;
  EVP_PKEY_CTX_free(ctx);
  if (!ok) throw std::runtime_error("ECDSA signing failed");
  signature.resize(length);
  return signature;
}

image::Digest sha256(std::span<const std::uint8_t> bytes) {
  image::Digest digest{};
  SHA256(bytes.data(), bytes.size(), digest.data());
  return digest;
}

std::vector<std::uint8_t> make_image(const ImageSpec& spec) {
  std::vector<std::uint8_t> bytes(spec.size);
  std::mt19937_64 random(spec.seed);
  for (auto& b : bytes) b = static_cast<std::uint8_t>(random());
  image::Descriptor d;
  d.version = spec.version;
  d.hardware_id = spec.hardware_id;
  d.image_size = spec.size;
  d.min_version = spec.min_version;
  std::span<std::uint8_t, image::kDescriptorSize> out(bytes.data() + image::kDescriptorOffset, image::kDescriptorSize);
  image::serialize_descriptor(d, out);
  return bytes;
}

TestBoard::TestBoard(const boards::BoardProfile& profile, Mode mode, std::uint64_t seed)
    : flash_(profile, seed), layout_(flash_.layout(mode)), signer_(std::make_unique<Signer>()) {}

void TestBoard::factory_install(std::span<const std::uint8_t> image) {
  const boards::Area& app = flash_.profile().app;
  auto& memory = app.memory == boards::Memory::kInternal ? flash_.internal() : flash_.external();
  memory.poke(app.offset, image);
}

void TestBoard::stage(std::span<const std::uint8_t> image) {
  const boards::Area& staging = flash_.profile().staging;
  auto& memory = staging.memory == boards::Memory::kInternal ? flash_.internal() : flash_.external();
  memory.poke(staging.offset, image);
}

InstallRequest TestBoard::request_for(std::span<const std::uint8_t> image, const Signer* other) const {
  InstallRequest request;
  request.image_size = static_cast<std::uint32_t>(image.size());
  request.digest = sha256(image);
  const auto signature = (other != nullptr ? *other : *signer_).sign(request.digest);
  std::memcpy(request.signature.data(), signature.data(), signature.size());
  request.signature_size = static_cast<std::uint8_t>(signature.size());
  auto d = image::parse_descriptor(image.subspan(image::kDescriptorOffset));
  if (d.ok()) request.version = d->version;
  return request;
}

Result<BootStatus> TestBoard::boot_until_bootable(int attempts) {
  Result<BootStatus> result = Status::kInternal;
  for (int i = 0; i < attempts; ++i) {
    flash_.power().restore();
    result = boot();
    if (result.ok()) return result;
  }
  return result;
}

image::Digest TestBoard::app_digest(std::uint32_t size) {
  std::vector<std::uint8_t> bytes(size);
  const boards::Area& app = flash_.profile().app;
  auto& memory = app.memory == boards::Memory::kInternal ? flash_.internal() : flash_.external();
  memory.peek(app.offset, bytes);
  return sha256(bytes);
}

}  // namespace otter::boot::testing
