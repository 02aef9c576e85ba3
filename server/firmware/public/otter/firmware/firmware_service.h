// The firmware store: uploads checked (descriptor, signature) and kept by
// digest, signing with server-held profiles, listing and download.
#pragma once

#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

#include "otter/firmware/firmware_catalog.h"
#include "otter/firmware/firmware_image.h"
#include "otter/firmware/image_files.h"
#include "otter/firmware/signing_profiles.h"

namespace otter::firmware {

// Why a firmware operation was refused; the API maps kinds to HTTP statuses.
class FirmwareError : public std::runtime_error {
 public:
  enum class Kind { kInvalid, kBadSignature, kNotFound, kConflict, kTooLarge };
  FirmwareError(Kind kind, const std::string& message) : std::runtime_error(message), kind_(kind) {}
  Kind kind() const { return kind_; }

 private:
  Kind kind_;
};

struct Upload {
  std::string name;
  std::vector<std::uint8_t> image;
  std::vector<std::uint8_t> signature;  // DER; empty = unsigned (or signed by `sign_with_profile`)
  std::string certificate_pem;          // signer cert; empty = try the signing profiles' certs
  std::string sign_with_profile;        // sign on upload with this server profile
  bool allow_raw = false;               // accept a file without an Otter descriptor
};

class FirmwareService {
 public:
  static constexpr std::uint64_t kDefaultMaxImageSize = 16u * 1024u * 1024u;

  using Clock = std::function<std::int64_t()>;  // unix seconds

  FirmwareService(ImageFiles& files, SigningProfiles& profiles, FirmwareCatalog& catalog, Clock clock,
                  std::uint64_t max_image_size = kDefaultMaxImageSize);

  // Checks and stores an image. Uploading bytes already stored returns the
  // existing record, adding the signature when it had none; a different
  // signature for a signed image is a kConflict (jobs already point at it).
  FirmwareImage upload(Upload upload);
  // Signs a stored, unsigned image with a profile's key.
  FirmwareImage sign(const std::string& id, const std::string& profile);

  std::optional<FirmwareImage> find(const std::string& id) const;
  std::vector<FirmwareImage> list(std::size_t offset, std::size_t limit) const;
  std::size_t count() const;
  std::vector<std::uint8_t> content(const std::string& id) const;
  // Removes record and file. `in_use` (optional) vetoes removal of an image a
  // job still needs.
  void remove(const std::string& id, const std::function<bool(const std::string&)>& in_use = {});

  ImageFiles& files() { return files_; }
  SigningProfiles& profiles() { return profiles_; }

 private:
  // Fills image.signer* from the first certificate that verifies, or throws.
  void attach_signature(FirmwareImage& image, std::span<const std::uint8_t> bytes,
                        std::vector<std::uint8_t> signature, const std::string& certificate_pem) const;

  ImageFiles& files_;
  SigningProfiles& profiles_;
  FirmwareCatalog& catalog_;
  Clock clock_;
  std::uint64_t max_image_size_;
  mutable std::mutex mutex_;  // upload/sign/remove are check-then-write
};

}  // namespace otter::firmware
