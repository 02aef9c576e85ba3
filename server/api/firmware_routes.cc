// /api/v1/firmware and /api/v1/signing-profiles: the firmware store.
#include <httplib.h>
#include <spdlog/spdlog.h>

#include "otter/api/rest_api.h"
#include "otter/crypto/signature.h"

namespace otter::api {
namespace {

nlohmann::json firmware_json(const firmware::FirmwareImage& image, bool full) {
  nlohmann::json j{{"firmwareId", image.id},
                   {"name", image.name},
                   {"size", image.size},
                   {"sha256", image.sha256},
                   {"signed", image.is_signed()},
                   {"createdAt", image.created_at}};
  if (image.descriptor) {
    const auto& d = *image.descriptor;
    j["descriptor"] = {{"version", d.version},       {"versionEncoded", d.version_encoded},
                       {"hardwareId", d.hardware_id}, {"board", d.board},
                       {"imageSize", d.image_size},   {"minVersion", d.min_version},
                       {"flags", d.flags},           {"buildId", d.build_id}};
  } else {
    j["descriptor"] = nullptr;
  }
  if (image.is_signed()) {
    j["signature"] = crypto::encode_base64(image.signature);
    j["signer"] = image.signer;
    if (!image.signing_profile.empty()) j["signingProfile"] = image.signing_profile;
    if (full) j["signerCertificatePem"] = image.signer_certificate_pem;
  }
  return j;
}

nlohmann::json profile_json(const firmware::SigningProfile& p) {
  return {{"name", p.name}, {"subject", p.subject}, {"certificatePem", p.certificate_pem}};
}

std::vector<std::uint8_t> decode_signature(const std::string& text) {
  try {
    return crypto::decode_base64(text);
  } catch (const std::exception& e) {
    throw ApiError(400, std::string("the signature is not valid base64: ") + e.what());
  }
}

bool parse_bool(const std::string& name, const std::string& v) {
  if (v == "true" || v == "1") return true;
  if (v == "false" || v == "0" || v.empty()) return false;
  throw ApiError(400, "'" + name + "' must be true or false");
}

firmware::Upload upload_from_multipart(const httplib::Request& req) {
  if (!req.has_file("file")) throw ApiError(400, "the multipart upload needs a part named \"file\"");
  firmware::Upload upload;
  const auto file = req.get_file_value("file");
  upload.image.assign(file.content.begin(), file.content.end());
  upload.name = req.has_file("name") ? req.get_file_value("name").content : file.filename;
  if (req.has_file("signature")) {
    const auto sig = req.get_file_value("signature");
    // A file part holds the DER bytes (fw.bin.sig); a plain field holds base64.
    if (!sig.filename.empty()) upload.signature.assign(sig.content.begin(), sig.content.end());
    else upload.signature = decode_signature(sig.content);
  }
  if (req.has_file("certificate")) upload.certificate_pem = req.get_file_value("certificate").content;
  if (req.has_file("signingProfile")) upload.sign_with_profile = req.get_file_value("signingProfile").content;
  if (req.has_file("raw")) upload.allow_raw = parse_bool("raw", req.get_file_value("raw").content);
  return upload;
}

firmware::Upload upload_from_body(const Call& call) {
  firmware::Upload upload;
  upload.image.assign(call.request.body.begin(), call.request.body.end());
  upload.name = call.query("name");
  if (call.has_query("signature")) upload.signature = decode_signature(call.query("signature"));
  upload.certificate_pem = call.query("certificate");
  upload.sign_with_profile = call.query("signingProfile");
  upload.allow_raw = call.query_bool("raw", false);
  return upload;
}

}  // namespace

nlohmann::json firmware_image_json(const firmware::FirmwareImage& image, bool full) {
  return firmware_json(image, full);
}

void add_firmware_routes(Router& router, ApiContext& ctx) {
  router.get("/api/v1/firmware", [&ctx](Call& call) {
    const Page page = page_of(call);
    nlohmann::json items = nlohmann::json::array();
    for (const auto& image : ctx.firmware.list(page.offset, page.limit)) items.push_back(firmware_json(image, false));
    const std::size_t total = ctx.firmware.count();
    nlohmann::json out{{"firmware", items}, {"total", total}, {"offset", page.offset}, {"limit", page.limit}};
    if (page.offset + page.limit < total) out["nextOffset"] = page.offset + page.limit;
    call.json(200, out);
  });

  router.post("/api/v1/firmware", [&ctx](Call& call) {
    auto upload = call.request.is_multipart_form_data() ? upload_from_multipart(call.request) : upload_from_body(call);
    const bool existed = ctx.firmware.find(firmware::sha256_hex(upload.image)).has_value();
    const auto image = ctx.firmware.upload(std::move(upload));
    spdlog::info("api: firmware {} ({}, {} bytes) {}", image.id, image.name, image.size,
                 existed ? "already stored" : "stored");
    call.json(existed ? 200 : 201, firmware_json(image, true));
  });

  router.get("/api/v1/firmware/{firmwareId}", [&ctx](Call& call) {
    const auto image = ctx.firmware.find(call.param("firmwareId"));
    if (!image) throw ApiError(404, "no firmware '" + call.param("firmwareId") + "'");
    call.json(200, firmware_json(*image, true));
  });

  router.get("/api/v1/firmware/{firmwareId}/content", [&ctx](Call& call) {
    const auto image = ctx.firmware.find(call.param("firmwareId"));
    if (!image) throw ApiError(404, "no firmware '" + call.param("firmwareId") + "'");
    const auto bytes = ctx.firmware.content(image->id);
    call.response.status = 200;
    call.response.set_header("Content-Disposition", "attachment; filename=\"" + image->name + "\"");
    call.response.set_content(std::string(bytes.begin(), bytes.end()), "application/octet-stream");
  });

  router.post("/api/v1/firmware/{firmwareId}/sign", [&ctx](Call& call) {
    const auto body = call.json_body();
    if (!body.contains("signingProfile") || !body["signingProfile"].is_string()) {
      throw ApiError(400, "field \"signingProfile\" (string) is required");
    }
    call.json(200, firmware_json(ctx.firmware.sign(call.param("firmwareId"), body["signingProfile"]), true));
  });

  router.del("/api/v1/firmware/{firmwareId}", [&ctx](Call& call) {
    const std::string id = call.param("firmwareId");
    // An image may go once no unfinished job streams it.
    const auto path = ctx.firmware.files().contains(id) ? ctx.firmware.files().path_of(id).string() : std::string();
    ctx.firmware.remove(id, [&](const std::string&) {
      for (const auto& job : ctx.jobs.jobs()) {
        if (job.status != model::JobStatus::InProgress || job.stream_name.empty()) continue;
        const auto stream = ctx.jobs.stream(job.stream_name);
        if (!stream) continue;
        for (const auto& f : stream->files) {
          if (f.source_path == path) return true;
        }
      }
      return false;
    });
    call.json(200, {{"firmwareId", id}, {"deleted", true}});
  });

  router.get("/api/v1/signing-profiles", [&ctx](Call& call) {
    nlohmann::json all = nlohmann::json::array();
    for (const auto& p : ctx.firmware.profiles().list()) all.push_back(profile_json(p));
    call.json(200, paged("signingProfiles", all, page_of(call)));
  });

  router.post("/api/v1/signing-profiles", [&ctx](Call& call) {
    const auto body = call.json_body();
    if (!body.contains("name") || !body["name"].is_string()) throw ApiError(400, "field \"name\" (string) is required");
    const std::string name = body["name"];
    if (!firmware::is_valid_profile_name(name)) {
      throw ApiError(400, "invalid signing profile name '" + name + "' (1-64 of letters, digits, '.', '_', '-')");
    }
    if (ctx.firmware.profiles().find(name)) throw ApiError(409, "signing profile '" + name + "' already exists");
    firmware::SigningProfile profile;
    try {
      if (body.contains("privateKeyPem") || body.contains("certificatePem")) {
        profile = ctx.firmware.profiles().import(name, body.at("privateKeyPem").get<std::string>(),
                                                 body.at("certificatePem").get<std::string>());
      } else {
        profile = ctx.firmware.profiles().create(name, body.value("commonName", "Otter code signing (" + name + ")"));
      }
    } catch (const std::invalid_argument& e) {
      throw ApiError(400, e.what());
    }
    call.json(201, profile_json(profile));
  });

  router.get("/api/v1/signing-profiles/{name}", [&ctx](Call& call) {
    const auto profile = ctx.firmware.profiles().find(call.param("name"));
    if (!profile) throw ApiError(404, "no signing profile '" + call.param("name") + "'");
    call.json(200, profile_json(*profile));
  });

  router.del("/api/v1/signing-profiles/{name}", [&ctx](Call& call) {
    try {
      ctx.firmware.profiles().remove(call.param("name"));
    } catch (const std::out_of_range& e) {
      throw ApiError(404, e.what());
    }
    call.json(200, {{"name", call.param("name")}, {"deleted", true}});
  });
}

}  // namespace otter::api
