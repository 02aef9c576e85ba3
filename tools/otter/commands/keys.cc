// otter keygen: a P-256 code-signing key and its self-signed certificate (the
// device's Code_Verify_Key).
#include <sys/stat.h>

#include <filesystem>
#include <string>

#include "command_registry.h"
#include "otter/crypto/certificate.h"
#include "otter/crypto/keys.h"
#include "otter/crypto/signature.h"
#include "otter/image/image_file.h"

namespace otter::cli {
namespace {

struct KeygenOptions {
  std::string key_path;
  std::string cert_path;
  std::string common_name = "Otter code signing";
  int days = 3650;
  bool force = false;
};

void keygen(const KeygenOptions& o) {
  for (const auto& path : {o.key_path, o.cert_path}) {
    if (!o.force && std::filesystem::exists(path)) {
      throw CommandError{kExitUsage, path + " already exists; refusing to overwrite a key (use --force)"};
    }
  }
  try {
    const crypto::PKey key = crypto::generate_p256_key();
    const crypto::X509Ptr cert = crypto::make_code_signing_certificate(key, o.common_name, o.days);
    // The private key is readable by its owner only, from the first byte on.
    const mode_t old_mask = ::umask(077);
    image::write_file(o.key_path, crypto::private_key_pem(key));
    ::umask(old_mask);
    std::filesystem::permissions(o.key_path, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
    image::write_file(o.cert_path, crypto::certificate_pem(cert.get()));
    std::printf("key:         %s (P-256, keep it secret)\ncertificate: %s (CN=%s, %d days)\nfingerprint: %s\n",
                o.key_path.c_str(), o.cert_path.c_str(), o.common_name.c_str(), o.days,
                crypto::to_hex(crypto::key_fingerprint(key)).c_str());
  } catch (const image::ImageFileError& e) {
    throw CommandError{kExitInputError, e.what()};
  } catch (const crypto::CryptoError& e) {
    throw CommandError{kExitFailed, e.what()};
  }
}

const RegisterCommand reg{[](CLI::App& app) {
  auto o = std::make_shared<KeygenOptions>();
  CLI::App* cmd = app.add_subcommand("keygen", "Create a P-256 code-signing key and self-signed certificate");
  cmd->add_option("--out-key", o->key_path, "Private key to write (PEM, mode 0600)")->required();
  cmd->add_option("--out-cert", o->cert_path, "Certificate to write (PEM): provision it on devices")->required();
  cmd->add_option("--cn", o->common_name, "Certificate common name")->capture_default_str();
  cmd->add_option("--days", o->days, "Validity in days")->check(CLI::PositiveNumber)->capture_default_str();
  cmd->add_flag("--force", o->force, "Overwrite existing files");
  cmd->callback([o] { keygen(*o); });
}};

}  // namespace
}  // namespace otter::cli
