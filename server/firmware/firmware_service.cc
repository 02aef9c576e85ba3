#include "otter/firmware/firmware_service.h"

#include "otter/firmware/code_signing.h"

namespace otter::firmware {

FirmwareService::FirmwareService(ImageFiles& files, SigningProfiles& profiles, FirmwareCatalog& catalog, Clock clock,
                                 std::uint64_t max_image_size)
    : files_(files), profiles_(profiles), catalog_(catalog), clock_(std::move(clock)),
      max_image_size_(max_image_size) {}

void FirmwareService::attach_signature(FirmwareImage& image, std::span<const std::uint8_t> bytes,
                                       std::vector<std::uint8_t> signature,
                                       const std::string& certificate_pem) const {
  if (!certificate_pem.empty()) {
    const std::string problem = signature_problem(bytes, signature, certificate_pem);
    if (!problem.empty()) throw FirmwareError(FirmwareError::Kind::kBadSignature, "signature refused: " + problem);
    image.signer_certificate_pem = certificate_pem;
    image.signer = certificate_subject_cn(certificate_pem);
  } else {
    // No certificate given: the signer must be one of the server's profiles.
    bool verified = false;
    std::string first_problem;
    for (const auto& profile : profiles_.list()) {
      const std::string problem = signature_problem(bytes, signature, profile.certificate_pem);
      if (problem.empty()) {
        image.signer_certificate_pem = profile.certificate_pem;
        image.signer = profile.subject;
        verified = true;
        break;
      }
      if (first_problem.empty()) first_problem = problem;
    }
    if (!verified) {
      throw FirmwareError(FirmwareError::Kind::kBadSignature,
                          "signature refused: it does not verify with any signing profile's certificate" +
                              (first_problem.empty() ? std::string(" (there are no signing profiles)")
                                                     : " (" + first_problem + ")") +
                              "; upload the signer's certificate with the signature");
    }
  }
  image.signature = std::move(signature);
}

FirmwareImage FirmwareService::upload(Upload upload) {
  if (upload.image.empty()) throw FirmwareError(FirmwareError::Kind::kInvalid, "the firmware image is empty");
  if (upload.image.size() > max_image_size_) {
    throw FirmwareError(FirmwareError::Kind::kTooLarge, "the firmware image is " + std::to_string(upload.image.size()) +
                                                            " bytes; the limit is " + std::to_string(max_image_size_));
  }
  if (!upload.signature.empty() && !upload.sign_with_profile.empty()) {
    throw FirmwareError(FirmwareError::Kind::kInvalid, "give either a signature or a signing profile, not both");
  }
  if (upload.signature.empty() && !upload.certificate_pem.empty()) {
    throw FirmwareError(FirmwareError::Kind::kInvalid, "a signer certificate was given without a signature");
  }

  FirmwareImage image;
  image.sha256 = sha256_hex(upload.image);
  image.id = image.sha256;
  image.size = upload.image.size();
  image.name = upload.name.empty() ? image.sha256.substr(0, 12) + ".bin" : upload.name;
  if (image.name.size() > 255) throw FirmwareError(FirmwareError::Kind::kInvalid, "the firmware name is too long");
  try {
    image.descriptor = read_image_descriptor(upload.image);
  } catch (const std::invalid_argument& e) {
    if (!upload.allow_raw) {
      throw FirmwareError(FirmwareError::Kind::kInvalid,
                          std::string(e.what()) + "; upload with raw=true to store a file without an Otter descriptor");
    }
  }
  if (!upload.signature.empty()) {
    attach_signature(image, upload.image, std::move(upload.signature), upload.certificate_pem);
  } else if (!upload.sign_with_profile.empty()) {
    try {
      image.signature = profiles_.sign(upload.sign_with_profile, upload.image);
    } catch (const std::out_of_range& e) {
      throw FirmwareError(FirmwareError::Kind::kNotFound, e.what());
    }
    const auto profile = profiles_.find(upload.sign_with_profile);
    image.signer_certificate_pem = profile->certificate_pem;
    image.signer = profile->subject;
    image.signing_profile = upload.sign_with_profile;
  }

  std::lock_guard lock(mutex_);
  if (auto existing = catalog_.find(image.id)) {
    if (!image.is_signed() || existing->signature == image.signature) return *existing;
    if (existing->is_signed()) {
      throw FirmwareError(FirmwareError::Kind::kConflict,
                          "firmware " + image.id + " is already stored with a different signature");
    }
    existing->signature = image.signature;
    existing->signer_certificate_pem = image.signer_certificate_pem;
    existing->signer = image.signer;
    existing->signing_profile = image.signing_profile;
    catalog_.save(*existing);
    return *existing;
  }
  files_.put(upload.image);  // the file first: a record never points at nothing
  image.created_at = clock_();
  catalog_.save(image);
  return image;
}

FirmwareImage FirmwareService::sign(const std::string& id, const std::string& profile_name) {
  std::lock_guard lock(mutex_);
  auto image = catalog_.find(id);
  if (!image) throw FirmwareError(FirmwareError::Kind::kNotFound, "no firmware '" + id + "'");
  const auto profile = profiles_.find(profile_name);
  if (!profile) throw FirmwareError(FirmwareError::Kind::kNotFound, "no signing profile '" + profile_name + "'");
  if (image->is_signed()) {
    if (image->signing_profile == profile_name) return *image;
    throw FirmwareError(FirmwareError::Kind::kConflict, "firmware " + id + " is already signed by '" + image->signer +
                                                            "'; upload the image again under a new build to re-sign");
  }
  const auto bytes = files_.read(id);
  image->signature = profiles_.sign(profile_name, bytes);
  image->signer_certificate_pem = profile->certificate_pem;
  image->signer = profile->subject;
  image->signing_profile = profile_name;
  catalog_.save(*image);
  return *image;
}

std::optional<FirmwareImage> FirmwareService::find(const std::string& id) const { return catalog_.find(id); }

std::vector<FirmwareImage> FirmwareService::list(std::size_t offset, std::size_t limit) const {
  return catalog_.list(offset, limit);
}

std::size_t FirmwareService::count() const { return catalog_.count(); }

std::vector<std::uint8_t> FirmwareService::content(const std::string& id) const {
  if (!catalog_.find(id)) throw FirmwareError(FirmwareError::Kind::kNotFound, "no firmware '" + id + "'");
  return files_.read(id);
}

void FirmwareService::remove(const std::string& id, const std::function<bool(const std::string&)>& in_use) {
  std::lock_guard lock(mutex_);
  if (!catalog_.find(id)) throw FirmwareError(FirmwareError::Kind::kNotFound, "no firmware '" + id + "'");
  if (in_use && in_use(id)) {
    throw FirmwareError(FirmwareError::Kind::kConflict, "firmware " + id + " is used by a job; cancel the job first");
  }
  catalog_.remove(id);  // the record first: a file without a record is only garbage
  files_.remove(id);
}

}  // namespace otter::firmware
