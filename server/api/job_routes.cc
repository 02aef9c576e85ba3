// /api/v1/jobs: OTA jobs from stored firmware (stream + afr_ota document made
// here), executions, the change feed `otter job watch` follows, cancel.
#include <httplib.h>
#include <openssl/rand.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <ctime>

#include "otter/api/rest_api.h"
#include "otter/crypto/signature.h"
#include "otter/model/json.h"

namespace otter::api {
namespace {

constexpr model::ExecutionStatus kAllStatuses[] = {
    model::ExecutionStatus::Queued,   model::ExecutionStatus::InProgress, model::ExecutionStatus::Succeeded,
    model::ExecutionStatus::Failed,   model::ExecutionStatus::TimedOut,   model::ExecutionStatus::Rejected,
    model::ExecutionStatus::Removed,  model::ExecutionStatus::Canceled};

std::string generate_job_id(std::int64_t now) {
  const std::time_t t = static_cast<std::time_t>(now);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char stamp[32];
  std::strftime(stamp, sizeof(stamp), "%Y%m%d-%H%M%S", &tm);
  unsigned char random[3];
  RAND_bytes(random, sizeof(random));
  char suffix[8];
  std::snprintf(suffix, sizeof(suffix), "%02x%02x%02x", random[0], random[1], random[2]);
  return std::string("ota-") + stamp + "-" + suffix;
}

// Accepts "things": [...] and "groups": [...] beside the AWS-style "targets".
void merge_target_lists(nlohmann::json& body) {
  if (!body.contains("targets")) body["targets"] = nlohmann::json::array();
  if (!body["targets"].is_array()) throw ApiError(400, "field \"targets\" must be an array");
  for (const char* kind : {"things", "groups"}) {
    if (!body.contains(kind)) continue;
    if (!body[kind].is_array()) throw ApiError(400, std::string("field \"") + kind + "\" must be an array of names");
    for (const auto& name : body[kind]) {
      if (!name.is_string()) throw ApiError(400, std::string("field \"") + kind + "\" must hold names (strings)");
      body["targets"].push_back({{kind == std::string("things") ? "thing" : "group", name}});
    }
    body.erase(kind);
  }
}

nlohmann::json counts_json(const std::vector<std::pair<model::ExecutionStatus, std::int64_t>>& counts) {
  nlohmann::json out = nlohmann::json::object();
  for (auto s : kAllStatuses) out[std::string(model::to_string(s))] = 0;
  for (const auto& [status, n] : counts) out[std::string(model::to_string(status))] = n;
  return out;
}

}  // namespace

nlohmann::json firmware_image_json(const firmware::FirmwareImage& image, bool full);

void add_job_routes(Router& router, ApiContext& ctx) {
  router.get("/api/v1/jobs", [&ctx](Call& call) {
    std::optional<model::JobStatus> status;
    if (call.has_query("status")) {
      status = model::parse_job_status(call.query("status"));
      if (!status) throw ApiError(400, "status must be IN_PROGRESS, CANCELED or COMPLETED");
    }
    auto jobs = ctx.jobs.jobs();
    std::stable_sort(jobs.begin(), jobs.end(),
                     [](const model::Job& a, const model::Job& b) { return a.created_at > b.created_at; });
    nlohmann::json all = nlohmann::json::array();
    for (const auto& job : jobs) {
      if (status && job.status != *status) continue;
      all.push_back(model::to_json(job));
    }
    call.json(200, paged("jobs", all, page_of(call)));
  });

  router.post("/api/v1/jobs", [&ctx](Call& call) {
    auto body = call.json_body();
    if (!body.contains("jobId")) body["jobId"] = generate_job_id(ctx.now_seconds());
    merge_target_lists(body);
    model::Job job;
    nlohmann::json firmware_out;
    if (body.contains("firmwareId")) {
      if (body.contains("document")) throw ApiError(400, "give either \"firmwareId\" or \"document\", not both");
      if (!body["firmwareId"].is_string()) throw ApiError(400, "field \"firmwareId\" must be a string");
      const std::string firmware_id = body["firmwareId"];
      const auto image = ctx.firmware.find(firmware_id);
      if (!image) throw ApiError(404, "no firmware '" + firmware_id + "'");
      if (!image->is_signed()) {
        throw ApiError(409, "firmware " + firmware_id +
                                " is not signed: sign it with a signing profile or upload it with its signature");
      }
      jobs::OtaJobSpec ota;
      const std::string filepath = body.value("filepath", image->name);
      const std::string certfile = body.value("certfile", std::string("Code_Verify_Key"));
      nlohmann::json spec_json = body;
      for (const char* key : {"firmwareId", "filepath", "certfile", "protocols", "streamName"}) spec_json.erase(key);
      spec_json["document"] = nlohmann::json::object();
      ota.job = model::job_spec_from_json(spec_json);
      ota.job.document = nlohmann::json();
      jobs::OtaJobFile file;
      file.file.filepath = filepath;
      file.file.filesize = static_cast<std::int64_t>(image->size);
      file.file.fileid = 0;
      file.file.certfile = certfile;
      file.file.signature_base64 = crypto::encode_base64(image->signature);
      file.source_path = ctx.firmware.files().path_of(image->id).string();
      ota.files.push_back(file);
      if (body.contains("streamName")) ota.stream_name = body["streamName"].get<std::string>();
      if (body.contains("protocols")) ota.protocols = body["protocols"].get<std::vector<std::string>>();
      job = ctx.jobs.create_ota_job(ota);
      firmware_out = firmware_image_json(*image, false);
    } else if (body.contains("document")) {
      job = ctx.jobs.create_job(model::job_spec_from_json(body));
    } else {
      throw ApiError(400, "a job needs \"firmwareId\" (an OTA job) or \"document\" (a custom job document)");
    }
    spdlog::info("api: job {} created ({} targets, {})", job.id(), job.spec.targets.size(),
                 model::to_string(job.spec.target_selection));
    auto out = model::to_json(job);
    if (!firmware_out.is_null()) out["firmware"] = firmware_out;
    call.json(201, out);
  });

  router.get("/api/v1/jobs/{jobId}", [&ctx](Call& call) {
    const auto summary = ctx.jobs.summary(call.param("jobId"));
    auto out = model::to_json(summary.job);
    out["executionCounts"] = counts_json(summary.executions_by_status);
    out["pendingRollout"] = summary.pending;
    call.json(200, out);
  });

  router.get("/api/v1/jobs/{jobId}/executions", [&ctx](Call& call) {
    const std::string id = call.param("jobId");
    if (!ctx.jobs.job(id)) throw ApiError(404, "no job '" + id + "'");
    std::optional<model::ExecutionStatus> status;
    if (call.has_query("status")) {
      status = model::parse_execution_status(call.query("status"));
      if (!status) throw ApiError(400, "unknown execution status '" + call.query("status") + "'");
    }
    nlohmann::json all = nlohmann::json::array();
    for (const auto& e : ctx.jobs.executions_of_job(id)) {
      if (status && e.status != *status) continue;
      all.push_back(model::to_json(e));
    }
    call.json(200, paged("executions", all, page_of(call)));
  });

  router.get("/api/v1/jobs/{jobId}/executions/{thingName}", [&ctx](Call& call) {
    const std::string id = call.param("jobId");
    const std::string thing = call.param("thingName");
    const auto execution = ctx.jobs.execution(id, thing);
    if (!execution) throw ApiError(404, "thing '" + thing + "' has no execution of job '" + id + "'");
    auto out = model::to_json(*execution);
    nlohmann::json events = nlohmann::json::array();
    for (const auto& e : ctx.jobs.events(id, thing)) events.push_back(model::to_json(e));
    out["events"] = events;
    call.json(200, out);
  });

  router.get("/api/v1/jobs/{jobId}/events", [&ctx](Call& call) {
    const std::string id = call.param("jobId");
    if (!ctx.jobs.job(id)) throw ApiError(404, "no job '" + id + "'");
    std::int64_t after = call.query_int("after", 0, 0, INT64_MAX);
    const auto limit = static_cast<std::size_t>(call.query_int("limit", 1000, 1, 10000));
    nlohmann::json events = nlohmann::json::array();
    // The feed is global; skip other jobs' events but report how far we read,
    // so the next poll starts there.
    for (;;) {
      const auto batch = ctx.jobs.events_after(after, 1000);
      for (const auto& e : batch) {
        after = e.seq;
        if (e.job_id == id) events.push_back(model::to_json(e));
        if (events.size() >= limit) break;
      }
      if (batch.size() < 1000 || events.size() >= limit) break;
    }
    call.json(200, {{"events", events}, {"lastSeq", after}});
  });

  router.post("/api/v1/jobs/{jobId}/cancel", [&ctx](Call& call) {
    bool force = false;
    std::string reason, comment;
    if (!call.request.body.empty()) {
      const auto body = call.json_body();
      if (body.contains("force")) {
        if (!body["force"].is_boolean()) throw ApiError(400, "field \"force\" must be true or false");
        force = body["force"];
      }
      reason = body.value("reasonCode", std::string());
      comment = body.value("comment", std::string());
    }
    call.json(200, model::to_json(ctx.jobs.cancel_job(call.param("jobId"), force, reason, comment)));
  });
}

}  // namespace otter::api
