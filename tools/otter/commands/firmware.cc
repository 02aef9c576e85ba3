// otter firmware upload/list/show/sign/download and otter firmware profile
// create/list: the server's firmware store and signing profiles.
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>

#include "command_registry.h"
#include "firmware_upload.h"
#include "otter/image/bundle.h"
#include "otter/image/image_file.h"
#include "otter/image/signature_file.h"
#include "rest_client.h"

namespace otter::cli {

nlohmann::json upload_firmware(RestClient& client, const FirmwareUploadArgs& args) {
  auto image = read_input_file(args.file);
  std::vector<std::uint8_t> signature;
  std::string certificate;
  if (image::is_bundle(image)) {
    try {
      auto bundle = image::decode_bundle(image);
      image = std::move(bundle.image);
      signature = std::move(bundle.signature);
      certificate = std::move(bundle.certificate_pem);
    } catch (const std::exception& e) {
      throw CommandError{kExitInputError, args.file + ": " + e.what()};
    }
  }
  if (!args.signature_file.empty()) {
    try {
      auto loaded = image::load_signature(read_input_file(args.signature_file));
      signature = std::move(loaded.der);
      if (loaded.bundle && !loaded.bundle->certificate_pem.empty()) certificate = loaded.bundle->certificate_pem;
    } catch (const std::exception& e) {
      throw CommandError{kExitInputError, args.signature_file + ": " + e.what()};
    }
  }
  if (!args.certificate_file.empty()) certificate = read_text_file(args.certificate_file);
  std::string profile = args.signing_profile;
  if (profile.empty() && args.sign_with_default_profile) {
    const auto profiles = client.get_all("/api/v1/signing-profiles", "signingProfiles");
    if (profiles.size() != 1) {
      throw CommandError{kExitUsage, profiles.empty() ? "the server has no signing profile: create one with "
                                                        "`otter firmware profile create NAME`"
                                                      : "several signing profiles exist: name one, "
                                                        "--sign-with-profile NAME"};
    }
    profile = profiles[0]["name"];
  }
  if (!signature.empty() && !profile.empty()) {
    throw CommandError{kExitUsage, "give either a signature (--sig) or --sign-with-profile, not both"};
  }
  const std::string name = args.name.empty() ? std::filesystem::path(args.file).filename().string() : args.name;
  std::vector<RestClient::Part> parts{{"file", std::string(image.begin(), image.end()), name}, {"name", name, ""}};
  if (!signature.empty()) parts.push_back({"signature", std::string(signature.begin(), signature.end()), "image.sig"});
  if (!certificate.empty()) parts.push_back({"certificate", certificate, ""});
  if (!profile.empty()) parts.push_back({"signingProfile", profile, ""});
  if (args.raw) parts.push_back({"raw", "true", ""});
  return client.post_multipart("/api/v1/firmware", parts);
}

namespace {

std::string short_id(const nlohmann::json& f) { return f["firmwareId"].get<std::string>().substr(0, 12); }

std::string version_of(const nlohmann::json& f) {
  return f["descriptor"].is_object() ? f["descriptor"]["version"].get<std::string>() : std::string("-");
}

void print_firmware(const nlohmann::json& f) {
  std::cout << "firmware:  " << f["firmwareId"].get<std::string>() << "\n"
            << "name:      " << f["name"].get<std::string>() << "\n"
            << "size:      " << f["size"].get<std::uint64_t>() << " bytes\n";
  if (f["descriptor"].is_object()) {
    const auto& d = f["descriptor"];
    std::cout << "version:   " << d["version"].get<std::string>() << "\n"
              << "board:     " << (d["board"].get<std::string>().empty() ? "unknown" : d["board"].get<std::string>())
              << "\n";
  } else {
    std::cout << "version:   - (raw file, no Otter descriptor)\n";
  }
  std::cout << "signed:    "
            << (f["signed"].get<bool>() ? "yes, by " + f["signer"].get<std::string>() +
                                               (f.contains("signingProfile")
                                                    ? " (profile " + f["signingProfile"].get<std::string>() + ")"
                                                    : std::string())
                                        : std::string("no"))
            << "\n";
}

struct IdOptions {
  ServerOptions server;
  std::string id;
  std::string profile;
  std::string output;
  std::string common_name;
};

// A full id, or a unique prefix of one (as `firmware list` prints).
std::string resolve_id(RestClient& client, const std::string& id) {
  if (id.size() == 64) return id;
  std::string match;
  for (const auto& f : client.get_all("/api/v1/firmware", "firmware")) {
    const std::string full = f["firmwareId"];
    if (full.rfind(id, 0) == 0) {
      if (!match.empty()) throw CommandError{kExitUsage, "firmware id prefix '" + id + "' is ambiguous"};
      match = full;
    }
  }
  if (match.empty()) throw CommandError{kExitNotFound, "no firmware with id '" + id + "'"};
  return match;
}

RegisterCommand registration([](CLI::App& app) {
  auto* fw = app.add_subcommand("firmware", "the server's firmware store and signing profiles");
  fw->require_subcommand(1);

  auto u = std::make_shared<std::pair<ServerOptions, FirmwareUploadArgs>>();
  auto* upload = fw->add_subcommand("upload", "upload an image (verified against its signature, if given)");
  upload->add_option("file", u->second.file, "image file (or a signed bundle)")->required()->check(CLI::ExistingFile);
  upload->add_option("--name", u->second.name, "label (default: the file name)");
  upload->add_option("--sig", u->second.signature_file, "signature file (base64 or DER, as `otter sign` writes)");
  upload->add_option("--cert", u->second.certificate_file, "signer certificate PEM (default: the server's profiles)");
  upload->add_option("--sign-with-profile", u->second.signing_profile, "sign on the server with this profile");
  upload->add_flag("--raw", u->second.raw, "accept a file without an Otter descriptor");
  add_server_options(*upload, u->first);
  upload->callback([u] {
    RestClient client(u->first);
    const auto f = upload_firmware(client, u->second);
    if (u->first.json) return print_json(f);
    print_firmware(f);
  });

  auto l = std::make_shared<ServerOptions>();
  auto* list = fw->add_subcommand("list", "list stored firmware, newest first");
  add_server_options(*list, *l);
  list->callback([l] {
    RestClient client(*l);
    const auto all = client.get_all("/api/v1/firmware", "firmware");
    if (l->json) return print_json(all);
    std::vector<std::vector<std::string>> rows;
    for (const auto& f : all) {
      rows.push_back({short_id(f), f["name"], version_of(f), std::to_string(f["size"].get<std::uint64_t>()),
                      f["signed"].get<bool>() ? f["signer"].get<std::string>() : "unsigned"});
    }
    print_table({"ID", "NAME", "VERSION", "SIZE", "SIGNED BY"}, rows);
  });

  auto s = std::make_shared<IdOptions>();
  auto* show = fw->add_subcommand("show", "one image's metadata");
  show->add_option("id", s->id, "firmware id (or a unique prefix)")->required();
  add_server_options(*show, s->server);
  show->callback([s] {
    RestClient client(s->server);
    const auto f = client.get("/api/v1/firmware/" + resolve_id(client, s->id));
    if (s->server.json) return print_json(f);
    print_firmware(f);
  });

  auto g = std::make_shared<IdOptions>();
  auto* sign = fw->add_subcommand("sign", "sign a stored image with a server signing profile");
  sign->add_option("id", g->id, "firmware id (or a unique prefix)")->required();
  sign->add_option("--profile", g->profile, "signing profile")->required();
  add_server_options(*sign, g->server);
  sign->callback([g] {
    RestClient client(g->server);
    const auto f = client.post("/api/v1/firmware/" + resolve_id(client, g->id) + "/sign", {{"signingProfile", g->profile}});
    if (g->server.json) return print_json(f);
    print_firmware(f);
  });

  auto d = std::make_shared<IdOptions>();
  auto* download = fw->add_subcommand("download", "write a stored image to a file");
  download->add_option("id", d->id, "firmware id (or a unique prefix)")->required();
  download->add_option("-o,--output", d->output, "output file")->required();
  add_server_options(*download, d->server);
  download->callback([d] {
    RestClient client(d->server);
    const auto bytes = client.get_bytes("/api/v1/firmware/" + resolve_id(client, d->id) + "/content");
    try {
      image::write_file(d->output, bytes);
    } catch (const std::exception& e) {
      throw CommandError{kExitInputError, e.what()};
    }
    if (!d->server.json) std::cout << "wrote " << bytes.size() << " bytes to " << d->output << "\n";
  });

  auto* profile = fw->add_subcommand("profile", "signing profiles (code-signing keys kept by otterd)");
  profile->require_subcommand(1);
  auto pc = std::make_shared<IdOptions>();
  auto* pcreate = profile->add_subcommand("create", "generate a P-256 key and code-signing certificate on the server");
  pcreate->add_option("name", pc->id)->required();
  pcreate->add_option("--common-name", pc->common_name, "certificate subject CN");
  add_server_options(*pcreate, pc->server);
  pcreate->callback([pc] {
    RestClient client(pc->server);
    nlohmann::json body{{"name", pc->id}};
    if (!pc->common_name.empty()) body["commonName"] = pc->common_name;
    const auto p = client.post("/api/v1/signing-profiles", body);
    if (pc->server.json) return print_json(p);
    std::cout << "signing profile " << p["name"].get<std::string>() << " created (" << p["subject"].get<std::string>()
              << ")\n";
  });
  auto pl = std::make_shared<ServerOptions>();
  auto* plist = profile->add_subcommand("list", "list signing profiles");
  add_server_options(*plist, *pl);
  plist->callback([pl] {
    RestClient client(*pl);
    const auto all = client.get_all("/api/v1/signing-profiles", "signingProfiles");
    if (pl->json) return print_json(all);
    std::vector<std::vector<std::string>> rows;
    for (const auto& p : all) rows.push_back({p["name"], p["subject"]});
    print_table({"PROFILE", "CERTIFICATE SUBJECT"}, rows);
  });
});

}  // namespace
}  // namespace otter::cli
