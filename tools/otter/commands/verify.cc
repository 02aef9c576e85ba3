// otter verify: checks a signed image the way a device does (same descriptor
// parser, key parser and ECDSA code), with a specific message for each way
// it can fail.
#include <cstdio>
#include <nlohmann/json.hpp>
#include <string>

#include "command_registry.h"
#include "otter/image/board.h"
#include "otter/image/image_file.h"
#include "otter/image/signature_file.h"
#include "otter/image/verification.h"

namespace otter::cli {
namespace {

struct VerifyArgs {
  std::string image;
  std::string sig;
  std::string cert;
  std::string board;
  bool raw = false;
  bool json = false;
};

void verify(const VerifyArgs& a) {
  image::VerifyRequest request;
  std::vector<std::uint8_t> image_bytes;
  image::SignatureFile signature;
  std::vector<std::uint8_t> cert;
  try {
    image_bytes = image::read_file(a.image);
    if (image::is_bundle(image_bytes)) {
      if (!a.sig.empty()) throw CommandError{kExitUsage, a.image + " is a bundle, it carries its signature: drop --sig"};
      signature = image::load_signature(image_bytes);
      image_bytes = signature.bundle->image;
    } else {
      if (a.sig.empty()) throw CommandError{kExitUsage, "--sig is required unless the image is a bundle"};
      try {
        signature = image::load_signature(image::read_file(a.sig));
      } catch (const image::ImageFileError& e) {
        throw CommandError{kExitInputError, a.sig + ": " + e.what()};
      }
    }
    cert = image::read_file(a.cert);
  } catch (const image::ImageFileError& e) {
    throw CommandError{kExitInputError, e.what()};
  }
  request.image = image_bytes;
  request.signature_der = signature.der;
  request.key_pem_or_der = cert;
  request.require_descriptor = !a.raw;
  if (!a.board.empty()) {
    const image::Board* board = image::find_board(a.board);
    if (board == nullptr) throw CommandError{kExitUsage, "unknown board '" + a.board + "'"};
    request.expected_hardware_id = board->hardware_id;
  }
  if (signature.bundle) {
    request.record = image::SigningRecord{signature.bundle->image_sha256, signature.bundle->image.size(),
                                          signature.bundle->key_fingerprint};
  }
  const image::Verification v = image::verify_signed_image(request);
  if (a.json) {
    nlohmann::ordered_json out = {{"image", a.image}, {"valid", v.ok()}, {"verdict", image::verdict_name(v.verdict)},
                                  {"message", v.message}, {"key_fingerprint", v.key_fingerprint}};
    std::printf("%s\n", out.dump(2).c_str());
  } else if (v.ok()) {
    std::printf("%s: %s\n", a.image.c_str(), v.message.c_str());
  }
  if (v.ok()) return;
  const std::string subject = v.verdict == image::Verdict::kKeyUnusable           ? a.cert
                              : v.verdict == image::Verdict::kSignatureMalformed ? (a.sig.empty() ? a.image : a.sig)
                                                                                 : a.image;
  throw CommandError{v.input_error() ? kExitInputError : kExitFailed, subject + ": " + v.message};
}

const RegisterCommand reg{[](CLI::App& app) {
  auto a = std::make_shared<VerifyArgs>();
  CLI::App* cmd = app.add_subcommand(
      "verify", "Verify a signed image as a device would (exit 0 valid, 1 rejected, 3 unreadable input)");
  cmd->add_option("image", a->image, "Firmware image, or a bundle from otter sign --bundle")
      ->required()
      ->check(CLI::ExistingFile);
  cmd->add_option("--sig", a->sig, "Signature: base64 DER (otter sign), raw DER (openssl dgst -sign) or a bundle")
      ->check(CLI::ExistingFile);
  cmd->add_option("--cert", a->cert, "Code-signing certificate or public key (PEM or DER)")
      ->required()
      ->check(CLI::ExistingFile);
  cmd->add_option("--board", a->board, "Also require the image to be built for this board");
  cmd->add_flag("--raw", a->raw, "The image has no Otter descriptor (skip descriptor checks)");
  cmd->add_flag("--json", a->json, "Print the result as JSON");
  cmd->callback([a] { verify(*a); });
}};

}  // namespace
}  // namespace otter::cli
