// otter sign: ECDSA P-256 over SHA-256 of the whole file, written as base64
// DER (the job document's sig-sha256-ecdsa, as AWS's code signing produces),
// and optionally a bundle carrying image, signature and signer.
#include <cstdio>
#include <filesystem>
#include <string>

#include "command_registry.h"
#include "otter/crypto/certificate.h"
#include "otter/crypto/keys.h"
#include "otter/crypto/signature.h"
#include "otter/image/bundle.h"
#include "otter/image/image_file.h"
#include "otter/image/stamp.h"
#include "otter/image/verification.h"

namespace otter::cli {
namespace {

struct SignArgs {
  std::string image;
  std::string key;
  std::string cert;
  std::string out;
  std::string bundle;
  bool raw = false;
};

std::span<const std::uint8_t> bytes_of(const std::string& s) {
  return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

void sign(const SignArgs& a) {
  try {
    const auto image = image::read_file(a.image);
    const auto descriptor = image::descriptor_of(image);
    if (!a.raw) {
      if (!descriptor.ok()) {
        throw CommandError{kExitInputError, a.image + ": " + image::explain_descriptor_error(descriptor.status()) +
                                                " (or sign with --raw for a device that does not use descriptors)"};
      }
      if (descriptor->image_size != image.size()) {
        throw CommandError{kExitInputError, a.image + ": descriptor records " + std::to_string(descriptor->image_size) +
                                                " bytes but the file has " + std::to_string(image.size()) +
                                                "; re-stamp it after the last change (otter stamp)"};
      }
    }
    crypto::PKey key;
    try {
      key = crypto::read_private_key(image::read_file(a.key));
    } catch (const crypto::CryptoError& e) {
      throw CommandError{kExitInputError, a.key + ": " + e.what()};
    }
    std::string cert_pem;
    if (!a.cert.empty()) {
      const auto cert_bytes = image::read_file(a.cert);
      try {
        const crypto::PKey cert_key = crypto::read_public_key(cert_bytes);
        if (crypto::key_fingerprint(cert_key) != crypto::key_fingerprint(key)) {
          throw CommandError{kExitInputError, a.cert + " is not the certificate of " + a.key + " (different public key)"};
        }
        cert_pem = crypto::certificate_pem(crypto::read_certificate(cert_bytes).get());
      } catch (const crypto::CryptoError& e) {
        throw CommandError{kExitInputError, a.cert + ": " + e.what()};
      }
    }
    const auto signature = crypto::sign_sha256(key, image);
    // Check the result with the device's own verifier before anyone ships it.
    const std::string public_pem = crypto::public_key_pem(key);
    image::VerifyRequest check{image, signature, bytes_of(public_pem), std::nullopt, std::nullopt, !a.raw};
    const auto verdict = image::verify_signed_image(check);
    if (!verdict.ok()) throw CommandError{kExitFailed, "internal error: the new signature does not verify: " + verdict.message};

    const std::string out = a.out.empty() ? a.image + ".sig" : a.out;
    image::write_file(out, crypto::encode_base64(signature) + "\n");
    std::printf("signature: %s\n", out.c_str());
    if (!a.bundle.empty()) {
      image::Bundle bundle;
      bundle.file_name = std::filesystem::path(a.image).filename().string();
      bundle.image = image;
      bundle.signature = signature;
      bundle.key_fingerprint = verdict.key_fingerprint;
      bundle.certificate_pem = cert_pem;
      image::write_file(a.bundle, image::encode_bundle(bundle));
      std::printf("bundle:    %s\n", a.bundle.c_str());
    }
    std::printf("sha256:    %s\nkey:       %s\n", crypto::to_hex(verdict.digest).c_str(), verdict.key_fingerprint.c_str());
  } catch (const image::ImageFileError& e) {
    throw CommandError{kExitInputError, e.what()};
  } catch (const crypto::CryptoError& e) {
    throw CommandError{kExitFailed, e.what()};
  }
}

const RegisterCommand reg{[](CLI::App& app) {
  auto a = std::make_shared<SignArgs>();
  CLI::App* cmd = app.add_subcommand("sign", "Sign a firmware image (ECDSA P-256, SHA-256 of the whole file)");
  cmd->add_option("image", a->image, "Stamped firmware image")->required()->check(CLI::ExistingFile);
  cmd->add_option("--key", a->key, "Private key (PEM or DER, P-256)")->required()->check(CLI::ExistingFile);
  cmd->add_option("--out", a->out, "Signature file to write: base64 DER (default: <image>.sig)");
  cmd->add_option("--bundle", a->bundle, "Also write a bundle (image + signature + signer) to this file");
  cmd->add_option("--cert", a->cert, "Certificate of --key to embed in the bundle (checked to match)")
      ->check(CLI::ExistingFile);
  cmd->add_flag("--raw", a->raw, "Sign a file without an Otter descriptor (e.g. for AWS-only devices)");
  cmd->callback([a] { sign(*a); });
}};

}  // namespace
}  // namespace otter::cli
