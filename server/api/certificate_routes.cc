// /api/v1/certificates: thing certificates the CA issued, and revocation.
#include <httplib.h>

#include "otter/api/rest_api.h"

namespace otter::api {

void add_certificate_routes(Router& router, ApiContext& ctx) {
  router.get("/api/v1/certificates", [&ctx](Call& call) {
    nlohmann::json all = nlohmann::json::array();
    for (const auto& r : ctx.certificates.list(call.query("thingName"))) all.push_back(certificate_record_json(r));
    call.json(200, paged("certificates", all, page_of(call)));
  });

  router.get("/api/v1/certificates/{serial}", [&ctx](Call& call) {
    const auto record = ctx.certificates.find(call.param("serial"));
    if (!record) throw ApiError(404, "no certificate with serial '" + call.param("serial") + "'");
    auto out = certificate_record_json(*record);
    out["certificatePem"] = record->certificate_pem;
    call.json(200, out);
  });

  router.post("/api/v1/certificates/{serial}/revoke", [&ctx](Call& call) {
    const std::string serial = call.param("serial");
    const auto record = ctx.certificates.find(serial);
    if (!record) throw ApiError(404, "no certificate with serial '" + serial + "'");
    std::string reason = "revoked by operator";
    if (!call.request.body.empty()) {
      const auto body = call.json_body();
      if (body.contains("reason")) {
        if (!body["reason"].is_string()) throw ApiError(400, "field \"reason\" must be a string");
        reason = body["reason"];
      }
    }
    if (!record->revoked_at) {
      if (ctx.ca == nullptr) throw ApiError(503, "otterd has no CA in its data dir; cannot revoke");
      ctx.ca->revoke(serial);
      ctx.certificates.mark_revoked(serial, ctx.now_seconds(), reason);
      if (ctx.on_certificate_revoked) ctx.on_certificate_revoked();
    }
    call.json(200, certificate_record_json(*ctx.certificates.find(serial)));
  });
}

}  // namespace otter::api
