// /api/v1/things: registry entries plus the credentials a device needs.
#include <httplib.h>
#include <spdlog/spdlog.h>

#include <chrono>

#include "otter/api/rest_api.h"
#include "otter/image/board.h"
#include "otter/model/json.h"

namespace otter::api {
namespace {

std::int64_t unix_seconds(std::chrono::system_clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}

nlohmann::json certificate_json(const CertificateRecord& r) {
  nlohmann::json j{{"serial", r.serial},
                   {"thingName", r.thing_name},
                   {"fingerprintSha256", r.fingerprint_sha256},
                   {"issuedAt", r.issued_at},
                   {"notAfter", r.not_after},
                   {"status", r.revoked_at ? "REVOKED" : "ACTIVE"}};
  if (r.revoked_at) {
    j["revokedAt"] = *r.revoked_at;
    j["revocationReason"] = r.revocation_reason;
  }
  return j;
}

// Revokes every active certificate of a thing; returns their serials.
std::vector<std::string> revoke_all(ApiContext& ctx, const std::string& thing, const std::string& reason) {
  std::vector<std::string> revoked;
  for (const auto& record : ctx.certificates.list(thing)) {
    if (record.revoked_at) continue;
    if (ctx.ca == nullptr) throw ApiError(503, "otterd has no CA in its data dir; cannot revoke certificates");
    ctx.ca->revoke(record.serial);
    ctx.certificates.mark_revoked(record.serial, ctx.now_seconds(), reason);
    revoked.push_back(record.serial);
  }
  if (!revoked.empty() && ctx.on_certificate_revoked) ctx.on_certificate_revoked();
  return revoked;
}

}  // namespace

nlohmann::json certificate_record_json(const CertificateRecord& r) { return certificate_json(r); }
std::vector<std::string> revoke_thing_certificates(ApiContext& ctx, const std::string& thing,
                                                   const std::string& reason) {
  return revoke_all(ctx, thing, reason);
}

void add_thing_routes(Router& router, ApiContext& ctx) {
  router.get("/api/v1/things", [&ctx](Call& call) {
    const Page page = page_of(call);
    const std::string prefix = call.query("prefix");
    nlohmann::json all = nlohmann::json::array();
    for (const auto& thing : ctx.registry.things()) {
      if (!prefix.empty() && thing.name.rfind(prefix, 0) != 0) continue;
      all.push_back(model::to_json(thing));
    }
    call.json(200, paged("things", all, page));
  });

  router.post("/api/v1/things", [&ctx](Call& call) {
    const auto body = call.json_body();
    if (!body.contains("thingName") || !body["thingName"].is_string()) {
      throw ApiError(400, "field \"thingName\" (string) is required");
    }
    const std::string name = body["thingName"];
    if (!pki::is_valid_thing_name(name)) {
      throw ApiError(400, "invalid thing name \"" + name + "\": 1-128 of A-Z a-z 0-9 _ : - (and not \"" +
                              std::string(pki::kServiceIdentity) + "\")");
    }
    model::Attributes attributes;
    if (body.contains("attributes")) attributes = model::attributes_from_json(body["attributes"]);
    if (body.contains("board")) {
      if (!body["board"].is_string()) throw ApiError(400, "field \"board\" must be a string");
      const std::string board = body["board"];
      if (image::find_board(board) == nullptr) {
        std::string known;
        for (const auto& b : image::kBoards) known += (known.empty() ? "" : ", ") + std::string(b.name);
        throw ApiError(400, "unknown board \"" + board + "\" (known: " + known + ")");
      }
      attributes["board"] = board;
    }
    const bool issue_certificate = !body.contains("issueCertificate") || body["issueCertificate"].get<bool>();
    if (issue_certificate && ctx.ca == nullptr) {
      throw ApiError(503, "otterd has no CA in its data dir (run `otterd init`); cannot issue a certificate");
    }
    const auto thing = ctx.registry.create_thing(name, attributes);
    nlohmann::json out{{"thing", model::to_json(thing)}};
    if (issue_certificate) {
      pki::IssuedCertificate issued;
      try {
        issued = ctx.ca->issue_thing_certificate(name);
      } catch (...) {
        // Leave no thing behind that has no way to connect.
        ctx.registry.delete_thing(name);
        throw;
      }
      CertificateRecord record{issued.serial_hex, name, issued.fingerprint_sha256, issued.certificate_pem,
                               unix_seconds(issued.not_before), unix_seconds(issued.not_after), std::nullopt, ""};
      ctx.certificates.record(record);
      out["certificate"] = certificate_json(record);
      out["certificate"]["certificatePem"] = issued.certificate_pem;
      out["certificate"]["privateKeyPem"] = issued.private_key_pem;
      out["caCertificatePem"] = ctx.ca->certificate_pem();
    }
    out["endpoint"] = {{"host", ctx.endpoint.host}, {"port", ctx.endpoint.port}};
    // The certificate devices verify firmware with: the named signing profile,
    // else the only one there is.
    const auto profiles = ctx.firmware.profiles().list();
    const std::string wanted = body.value("signingProfile", std::string());
    if (!wanted.empty()) {
      const auto profile = ctx.firmware.profiles().find(wanted);
      if (!profile) throw ApiError(404, "no signing profile '" + wanted + "'");
      out["codeVerifyCertificatePem"] = profile->certificate_pem;
      out["signingProfile"] = wanted;
    } else if (profiles.size() == 1) {
      out["codeVerifyCertificatePem"] = profiles.front().certificate_pem;
      out["signingProfile"] = profiles.front().name;
    }
    spdlog::info("api: thing {} created", name);
    call.json(201, out);
  });

  router.get("/api/v1/things/{thingName}", [&ctx](Call& call) {
    const std::string name = call.param("thingName");
    const auto thing = ctx.registry.thing(name);
    if (!thing) throw ApiError(404, "no thing '" + name + "'");
    auto out = model::to_json(*thing);
    out["groups"] = ctx.registry.groups_of(name);
    nlohmann::json certs = nlohmann::json::array();
    for (const auto& r : ctx.certificates.list(name)) certs.push_back(certificate_json(r));
    out["certificates"] = certs;
    call.json(200, out);
  });

  router.del("/api/v1/things/{thingName}", [&ctx](Call& call) {
    const std::string name = call.param("thingName");
    if (!ctx.registry.thing(name)) throw ApiError(404, "no thing '" + name + "'");
    // Revoke first: a deleted thing must not keep a working identity.
    const auto revoked = revoke_all(ctx, name, "thing deleted");
    ctx.registry.delete_thing(name);
    call.json(200, {{"thingName", name}, {"deleted", true}, {"revokedCertificates", revoked}});
  });

  router.patch("/api/v1/things/{thingName}/attributes", [&ctx](Call& call) {
    const std::string name = call.param("thingName");
    const auto body = call.json_body();
    if (!body.contains("attributes") || !body["attributes"].is_object()) {
      throw ApiError(400, "field \"attributes\" (object of strings; null removes a key) is required");
    }
    auto thing = ctx.registry.thing(name);
    if (!thing) throw ApiError(404, "no thing '" + name + "'");
    model::Attributes merged = thing->attributes;
    nlohmann::json additions = nlohmann::json::object();
    for (const auto& [key, value] : body["attributes"].items()) {
      if (value.is_null()) merged.erase(key);
      else additions[key] = value;
    }
    for (const auto& [key, value] : model::attributes_from_json(additions)) merged[key] = value;
    call.json(200, model::to_json(ctx.registry.update_thing(name, merged)));
  });

  router.get("/api/v1/things/{thingName}/executions", [&ctx](Call& call) {
    const std::string name = call.param("thingName");
    if (!ctx.registry.thing(name)) throw ApiError(404, "no thing '" + name + "'");
    nlohmann::json all = nlohmann::json::array();
    for (const auto& e : ctx.jobs.executions_of_thing(name)) all.push_back(model::to_json(e));
    call.json(200, paged("executions", all, page_of(call)));
  });
}

}  // namespace otter::api
