// otter inspect: what an image file is (descriptor, size, digest) and, given a
// signature and certificate, whether it would be accepted.
#include <cstdio>
#include <nlohmann/json.hpp>
#include <string>

#include "command_registry.h"
#include "otter/crypto/signature.h"
#include "otter/image/board.h"
#include "otter/image/image_file.h"
#include "otter/image/signature_file.h"
#include "otter/image/stamp.h"
#include "otter/image/verification.h"

namespace otter::cli {
namespace {

struct InspectArgs {
  std::string image;
  std::string sig;
  std::string cert;
  bool json = false;
};

std::string version_text(std::uint32_t encoded) {
  const Version v = Version::decode(encoded);
  return std::to_string(v.major) + "." + std::to_string(v.minor) + "." + std::to_string(v.build);
}

char hex_digit(unsigned v) { return "0123456789abcdef"[v & 0xF]; }
std::string hex32(std::uint32_t v) {
  std::string s = "0x";
  for (int shift = 28; shift >= 0; shift -= 4) s += hex_digit(v >> shift);
  return s;
}

void inspect(const InspectArgs& a) {
  std::vector<std::uint8_t> bytes;
  image::SignatureFile signature;
  bool have_signature = false;
  std::vector<std::uint8_t> cert;
  try {
    bytes = image::read_file(a.image);
    if (image::is_bundle(bytes)) {
      signature = image::load_signature(bytes);
      bytes = signature.bundle->image;
      have_signature = true;
    }
    if (!a.sig.empty()) {
      try {
        signature = image::load_signature(image::read_file(a.sig));
      } catch (const image::ImageFileError& e) {
        throw CommandError{kExitInputError, a.sig + ": " + e.what()};
      }
      have_signature = true;
    }
    if (!a.cert.empty()) cert = image::read_file(a.cert);
  } catch (const image::ImageFileError& e) {
    throw CommandError{kExitInputError, e.what()};
  }
  const auto descriptor = image::descriptor_of(bytes);
  const std::string sha256 = crypto::to_hex(crypto::sha256(bytes));

  nlohmann::ordered_json out = {{"file", a.image}, {"size", bytes.size()}, {"sha256", sha256}};
  if (descriptor.ok()) {
    const auto& d = *descriptor;
    out["descriptor"] = {{"version", version_text(d.version.encoded())},
                         {"version_encoded", hex32(d.version.encoded())},
                         {"hardware_id", hex32(d.hardware_id)},
                         {"board", image::board_label(d.hardware_id)},
                         {"image_size", d.image_size},
                         {"size_matches", d.image_size == bytes.size()},
                         {"min_version", version_text(d.min_version)},
                         {"flags", hex32(d.flags)},
                         {"build_id", crypto::to_hex(d.build_id)}};
  } else {
    out["descriptor"] = nullptr;
    out["descriptor_error"] = image::explain_descriptor_error(descriptor.status());
  }
  if (signature.bundle) out["bundle"] = {{"file", signature.bundle->file_name}, {"signer", signature.bundle->key_fingerprint}};
  std::optional<image::Verification> verdict;
  if (have_signature) {
    out["signature"] = crypto::encode_base64(signature.der);
    if (!cert.empty()) {
      image::VerifyRequest request;
      request.image = bytes;
      request.signature_der = signature.der;
      request.key_pem_or_der = cert;
      request.require_descriptor = descriptor.status() != Status::kNotFound;
      if (signature.bundle) {
        request.record = image::SigningRecord{signature.bundle->image_sha256, signature.bundle->image.size(),
                                              signature.bundle->key_fingerprint};
      }
      verdict = image::verify_signed_image(request);
      out["signature_status"] = image::verdict_name(verdict->verdict);
      out["signature_message"] = verdict->message;
      out["key_fingerprint"] = verdict->key_fingerprint;
    } else {
      out["signature_status"] = "not_checked";
      out["signature_message"] = "give --cert to check the signature";
    }
  }

  if (a.json) {
    std::printf("%s\n", out.dump(2).c_str());
  } else {
    std::printf("file:        %s\nsize:        %zu bytes\nsha256:      %s\n", a.image.c_str(), bytes.size(), sha256.c_str());
    if (descriptor.ok()) {
      const auto& d = *descriptor;
      std::printf("version:     %s (%s)\nboard:       %s (%s)\nimage size:  %u bytes%s\nmin version: %s\nflags:       %s\nbuild id:    %s\n",
                  version_text(d.version.encoded()).c_str(), hex32(d.version.encoded()).c_str(),
                  image::board_label(d.hardware_id).c_str(), hex32(d.hardware_id).c_str(), d.image_size,
                  d.image_size == bytes.size() ? "" : (d.image_size > bytes.size() ? " (FILE TRUNCATED)" : " (FILE EXTENDED)"),
                  version_text(d.min_version).c_str(), hex32(d.flags).c_str(), crypto::to_hex(d.build_id).c_str());
    } else {
      std::printf("descriptor:  %s\n", image::explain_descriptor_error(descriptor.status()).c_str());
    }
    if (signature.bundle) std::printf("bundle of:   %s\nsigner key:  %s\n", signature.bundle->file_name.c_str(), signature.bundle->key_fingerprint.c_str());
    if (have_signature) {
      std::printf("signature:   %s\n", verdict ? verdict->message.c_str() : "present, not checked (give --cert)");
    }
  }
  // inspect describes; it fails only when asked to check a signature that is bad.
  if (verdict && !verdict->ok()) {
    throw CommandError{verdict->input_error() ? kExitInputError : kExitFailed, a.image + ": " + verdict->message};
  }
}

const RegisterCommand reg{[](CLI::App& app) {
  auto a = std::make_shared<InspectArgs>();
  CLI::App* cmd = app.add_subcommand("inspect", "Show an image's descriptor, size, SHA-256 and signature status");
  cmd->add_option("image", a->image, "Firmware image or bundle")->required()->check(CLI::ExistingFile);
  cmd->add_option("--sig", a->sig, "Signature file (base64 DER, raw DER or bundle)")->check(CLI::ExistingFile);
  cmd->add_option("--cert", a->cert, "Certificate or public key to check the signature with")->check(CLI::ExistingFile);
  cmd->add_flag("--json", a->json, "Print as JSON");
  cmd->callback([a] { inspect(*a); });
}};

}  // namespace
}  // namespace otter::cli
