// otter thing create/list/show/delete: devices, their certificates and the
// credential headers a firmware build needs.
#include <filesystem>
#include <iostream>
#include <memory>

#include "command_registry.h"
#include "otter/provision/credentials_writer.h"
#include "rest_client.h"

namespace otter::cli {
namespace {

struct ThingOptions {
  ServerOptions server;
  std::string name;
  std::string board = "numaker-iot-m487";
  std::string out_dir = ".";
  std::string signing_profile;
  std::string code_verify_cert;
  std::vector<std::string> attributes;
  bool no_files = false;
};

void create(const ThingOptions& o) {
  RestClient client(o.server);
  nlohmann::json body{{"thingName", o.name}, {"board", o.board}};
  nlohmann::json attributes = nlohmann::json::object();
  for (const auto& kv : o.attributes) {
    const auto eq = kv.find('=');
    if (eq == std::string::npos || eq == 0) throw CommandError{kExitUsage, "--attr takes KEY=VALUE, got '" + kv + "'"};
    attributes[kv.substr(0, eq)] = kv.substr(eq + 1);
  }
  if (!attributes.empty()) body["attributes"] = attributes;
  if (!o.signing_profile.empty()) body["signingProfile"] = o.signing_profile;
  std::string code_verify;
  if (!o.code_verify_cert.empty()) code_verify = read_text_file(o.code_verify_cert);
  // The private key comes back once; check the files can be written before
  // creating the thing, so a missing code-verify certificate loses nothing.
  if (!o.no_files && code_verify.empty() && o.signing_profile.empty()) {
    const auto profiles = client.get_all("/api/v1/signing-profiles", "signingProfiles");
    if (profiles.size() != 1) {
      throw CommandError{kExitUsage,
                         profiles.empty()
                             ? "no signing profile on the server to take the code-verify certificate from: create one "
                               "(otter firmware profile create NAME) or pass --code-verify-cert FILE"
                             : "several signing profiles exist: choose one with --signing-profile NAME"};
    }
  }
  std::error_code ec;
  std::filesystem::create_directories(o.out_dir, ec);
  if (ec) throw CommandError{kExitInputError, "cannot create " + o.out_dir + ": " + ec.message()};
  const auto created = client.post("/api/v1/things", body);

  std::vector<std::string> written;
  if (!o.no_files) {
    if (code_verify.empty()) code_verify = created.value("codeVerifyCertificatePem", std::string());
    provision::DeviceCredentials credentials;
    credentials.root_ca_pem = created.at("caCertificatePem");
    credentials.device_certificate_pem = created.at("certificate").at("certificatePem");
    credentials.device_private_key_pem = created.at("certificate").at("privateKeyPem").get<std::string>();
    credentials.code_verify_certificate_pem = code_verify;
    provision::DeviceConfig config;
    config.endpoint = created.at("endpoint").at("host");
    config.port = created.at("endpoint").at("port").get<std::uint16_t>();
    config.thing_name = o.name;
    config.board = o.board;
    try {
      for (const auto& path : provision::write_device_files(o.out_dir, credentials, config)) {
        written.push_back(path.string());
      }
    } catch (const std::exception& e) {
      throw CommandError{kExitFailed, "thing " + o.name + " was created but its files could not be written: " + e.what()};
    }
  }
  if (o.server.json) {
    nlohmann::json out{{"thing", created["thing"]},
                       {"certificate", {{"serial", created["certificate"]["serial"]},
                                        {"fingerprintSha256", created["certificate"]["fingerprintSha256"]}}},
                       {"endpoint", created["endpoint"]},
                       {"files", written}};
    print_json(out);
    return;
  }
  std::cout << "thing " << o.name << " created (board " << o.board << ", certificate serial "
            << created["certificate"]["serial"].get<std::string>() << ")\n";
  std::cout << "broker: " << created["endpoint"]["host"].get<std::string>() << ":"
            << created["endpoint"]["port"].get<int>() << "\n";
  for (const auto& f : written) std::cout << "wrote " << f << "\n";
}

void list(const ServerOptions& s) {
  RestClient client(s);
  const auto things = client.get_all("/api/v1/things", "things");
  if (s.json) {
    print_json(things);
    return;
  }
  std::vector<std::vector<std::string>> rows;
  for (const auto& t : things) {
    std::string attrs;
    for (const auto& [k, v] : t["attributes"].items()) attrs += (attrs.empty() ? "" : ",") + k + "=" + v.get<std::string>();
    rows.push_back({t["thingName"], attrs.empty() ? "-" : attrs});
  }
  print_table({"THING", "ATTRIBUTES"}, rows);
}

void show(const ServerOptions& s, const std::string& name) {
  RestClient client(s);
  const auto thing = client.get("/api/v1/things/" + url_encode(name));
  const auto executions = client.get_all("/api/v1/things/" + url_encode(name) + "/executions", "executions");
  if (s.json) {
    auto out = thing;
    out["executions"] = executions;
    print_json(out);
    return;
  }
  std::cout << "thing:       " << thing["thingName"].get<std::string>() << "\n";
  for (const auto& [k, v] : thing["attributes"].items()) std::cout << "  " << k << " = " << v.get<std::string>() << "\n";
  std::string groups;
  for (const auto& g : thing["groups"]) groups += (groups.empty() ? "" : ", ") + g.get<std::string>();
  std::cout << "groups:      " << (groups.empty() ? "-" : groups) << "\n";
  for (const auto& c : thing["certificates"]) {
    std::cout << "certificate: " << c["serial"].get<std::string>() << " " << c["status"].get<std::string>() << "\n";
  }
  if (!executions.empty()) {
    std::vector<std::vector<std::string>> rows;
    for (const auto& e : executions) rows.push_back({e["jobId"], e["status"], e["statusDetails"].dump()});
    std::cout << "\n";
    print_table({"JOB", "STATUS", "DETAILS"}, rows);
  }
}

void remove(const ServerOptions& s, const std::string& name) {
  RestClient client(s);
  const auto out = client.del("/api/v1/things/" + url_encode(name));
  if (s.json) {
    print_json(out);
    return;
  }
  std::cout << "thing " << name << " deleted";
  if (!out["revokedCertificates"].empty()) std::cout << ", revoked " << out["revokedCertificates"].size() << " certificate(s)";
  std::cout << "\n";
}

RegisterCommand registration([](CLI::App& app) {
  auto* thing = app.add_subcommand("thing", "register devices and write their credential headers");
  thing->require_subcommand(1);

  auto o = std::make_shared<ThingOptions>();
  auto* create_cmd = thing->add_subcommand("create", "register a thing, issue its certificate, write otter_credentials.c/.h and otter_config.h");
  create_cmd->add_option("name", o->name, "thing name (also the MQTT client id)")->required();
  create_cmd->add_option("--board", o->board, "board profile")->capture_default_str();
  create_cmd->add_option("--out", o->out_dir, "folder for the generated files")->capture_default_str();
  create_cmd->add_option("--signing-profile", o->signing_profile, "signing profile whose certificate the device verifies firmware with");
  create_cmd->add_option("--code-verify-cert", o->code_verify_cert, "PEM certificate the device verifies firmware with (instead of a profile's)");
  create_cmd->add_option("--attr", o->attributes, "KEY=VALUE attribute (repeatable)");
  create_cmd->add_flag("--no-files", o->no_files, "register only; write no files");
  add_server_options(*create_cmd, o->server);
  create_cmd->callback([o] { create(*o); });

  auto ls = std::make_shared<ServerOptions>();
  auto* list_cmd = thing->add_subcommand("list", "list things");
  add_server_options(*list_cmd, *ls);
  list_cmd->callback([ls] { list(*ls); });

  auto sh = std::make_shared<std::pair<ServerOptions, std::string>>();
  auto* show_cmd = thing->add_subcommand("show", "a thing with its groups, certificates and job executions");
  show_cmd->add_option("name", sh->second)->required();
  add_server_options(*show_cmd, sh->first);
  show_cmd->callback([sh] { show(sh->first, sh->second); });

  auto rm = std::make_shared<std::pair<ServerOptions, std::string>>();
  auto* delete_cmd = thing->add_subcommand("delete", "delete a thing and revoke its certificates");
  delete_cmd->add_option("name", rm->second)->required();
  add_server_options(*delete_cmd, rm->first);
  delete_cmd->callback([rm] { remove(rm->first, rm->second); });
});

}  // namespace
}  // namespace otter::cli
