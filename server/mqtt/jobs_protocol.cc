#include "otter/mqtt/jobs_protocol.h"

namespace otter::mqtt {

using jobs::RejectCode;
using nlohmann::json;

namespace {

std::int64_t seconds(model::Millis ms) { return ms / 1000; }

RequestError error(RejectCode code, std::string message, std::string token = {}) {
  return RequestError{code, std::move(message), std::move(token)};
}

// Integers may come as JSON numbers or decimal strings (AWS accepts both for expectedVersion).
std::optional<std::int64_t> integer(const json& v, bool allow_negative) {
  if (v.is_number_unsigned()) {
    auto u = v.get<std::uint64_t>();
    if (u > static_cast<std::uint64_t>(INT64_MAX)) return std::nullopt;
    return static_cast<std::int64_t>(u);
  }
  if (v.is_number_integer()) {
    auto i = v.get<std::int64_t>();
    if (i < 0 && !allow_negative) return std::nullopt;
    return i;
  }
  if (v.is_string()) {
    const auto& s = v.get_ref<const std::string&>();
    std::size_t start = allow_negative && !s.empty() && s[0] == '-' ? 1 : 0;
    if (s.size() <= start || s.size() > 18) return std::nullopt;
    std::int64_t out = 0;
    for (std::size_t i = start; i < s.size(); ++i) {
      if (s[i] < '0' || s[i] > '9') return std::nullopt;
      out = out * 10 + (s[i] - '0');
    }
    return start ? -out : out;
  }
  return std::nullopt;
}

// Parses the body and the client token every request may carry.
std::variant<json, RequestError> parse_body(std::string_view payload, bool allow_empty, std::string& token) {
  if (payload.size() > kMaxJobsRequestBytes) return error(RejectCode::InvalidRequest, "request larger than 32 KiB");
  if (payload.empty() && allow_empty) return json::object();
  json j = json::parse(payload, nullptr, false);
  if (j.is_discarded()) return error(RejectCode::InvalidJson, "malformed JSON");
  if (!j.is_object()) return error(RejectCode::InvalidJson, "the request must be a JSON object");
  if (auto t = j.find("clientToken"); t != j.end()) {
    if (!t->is_string()) return error(RejectCode::InvalidRequest, "clientToken must be a string");
    if (t->get_ref<const std::string&>().size() > 64)
      return error(RejectCode::InvalidRequest, "clientToken longer than 64 bytes");
    token = t->get<std::string>();
  }
  return j;
}

std::optional<RequestError> read_bool(const json& j, const char* key, bool& out, const std::string& token) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return std::nullopt;
  if (!it->is_boolean()) return error(RejectCode::InvalidRequest, std::string(key) + " must be true or false", token);
  out = it->get<bool>();
  return std::nullopt;
}

std::optional<RequestError> read_int(const json& j, const char* key, std::optional<std::int64_t>& out,
                                     bool allow_negative, const std::string& token) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return std::nullopt;
  auto v = integer(*it, allow_negative);
  if (!v) return error(RejectCode::InvalidRequest, std::string(key) + " must be an integer", token);
  out = v;
  return std::nullopt;
}

}  // namespace

std::variant<DescribeRequest, RequestError> parse_describe_request(std::string_view payload) {
  DescribeRequest r;
  auto body = parse_body(payload, true, r.client_token);
  if (auto* e = std::get_if<RequestError>(&body)) return *e;
  const json& j = std::get<json>(body);
  if (auto e = read_int(j, "executionNumber", r.execution_number, false, r.client_token)) return *e;
  if (auto e = read_bool(j, "includeJobDocument", r.include_job_document, r.client_token)) return *e;
  return r;
}

std::variant<UpdateJobRequest, RequestError> parse_update_request(std::string_view payload) {
  UpdateJobRequest r;
  auto body = parse_body(payload, false, r.client_token);
  if (auto* e = std::get_if<RequestError>(&body)) return *e;
  const json& j = std::get<json>(body);
  auto status = j.find("status");
  if (status == j.end() || !status->is_string())
    return error(RejectCode::InvalidRequest, "status is required and must be a string", r.client_token);
  r.update.status = status->get<std::string>();
  if (auto d = j.find("statusDetails"); d != j.end() && !d->is_null()) {
    if (!d->is_object()) return error(RejectCode::InvalidRequest, "statusDetails must be an object", r.client_token);
    if (d->size() > 10) return error(RejectCode::InvalidRequest, "statusDetails holds at most 10 entries", r.client_token);
    model::StatusDetails details;
    for (const auto& [k, v] : d->items()) {
      if (!v.is_string())
        return error(RejectCode::InvalidRequest, "statusDetails values must be strings", r.client_token);
      details[k] = v.get<std::string>();
    }
    r.update.status_details = std::move(details);
  }
  if (auto e = read_int(j, "expectedVersion", r.update.expected_version, false, r.client_token)) return *e;
  if (auto e = read_int(j, "executionNumber", r.update.execution_number, false, r.client_token)) return *e;
  if (auto e = read_int(j, "stepTimeoutInMinutes", r.update.step_timeout_minutes, true, r.client_token)) return *e;
  if (auto e = read_bool(j, "includeJobExecutionState", r.update.include_job_execution_state, r.client_token)) return *e;
  if (auto e = read_bool(j, "includeJobDocument", r.update.include_job_document, r.client_token)) return *e;
  return r;
}

json execution_json(const model::JobExecution& e, const json& document, bool include_document) {
  json details = json::object();
  for (const auto& [k, v] : e.status_details) details[k] = v;
  json j = {{"jobId", e.job_id},
            {"thingName", e.thing_name},
            {"status", model::to_string(e.status)},
            {"statusDetails", details},
            {"queuedAt", seconds(e.queued_at)},
            {"lastUpdatedAt", seconds(e.last_updated_at)},
            {"versionNumber", e.version_number},
            {"executionNumber", e.execution_number}};
  if (e.started_at) j["startedAt"] = seconds(*e.started_at);
  if (include_document) j["jobDocument"] = document;
  return j;
}

json next_execution_message(const std::optional<model::JobExecution>& e, const json& document,
                            const std::string& client_token, model::Millis now) {
  json j = {{"timestamp", seconds(now)}};
  if (!client_token.empty()) j["clientToken"] = client_token;
  if (e) j["execution"] = execution_json(*e, document, true);
  return j;
}

json describe_accepted(const model::JobExecution& e, const json& document, const DescribeRequest& request,
                       model::Millis now) {
  json j = {{"timestamp", seconds(now)}, {"execution", execution_json(e, document, request.include_job_document)}};
  if (!request.client_token.empty()) j["clientToken"] = request.client_token;
  return j;
}

json update_accepted(const jobs::UpdateOutcome& outcome, const UpdateJobRequest& request, model::Millis now) {
  json j = {{"timestamp", seconds(now)}};
  if (!request.client_token.empty()) j["clientToken"] = request.client_token;
  if (request.update.include_job_execution_state && outcome.execution) {
    json details = json::object();
    for (const auto& [k, v] : outcome.execution->status_details) details[k] = v;
    j["executionState"] = {{"status", model::to_string(outcome.execution->status)},
                           {"statusDetails", details},
                           {"versionNumber", outcome.execution->version_number}};
  }
  if (request.update.include_job_document) j["jobDocument"] = outcome.document;
  return j;
}

json rejected(RejectCode code, const std::string& message, const std::string& client_token, model::Millis now,
              const std::optional<model::JobExecution>& state) {
  json j = {{"code", jobs::to_string(code)}, {"message", message}, {"timestamp", seconds(now)}};
  if (!client_token.empty()) j["clientToken"] = client_token;
  if (state) {
    json details = json::object();
    for (const auto& [k, v] : state->status_details) details[k] = v;
    j["executionState"] = {{"status", model::to_string(state->status)},
                           {"statusDetails", details},
                           {"versionNumber", state->version_number}};
  }
  return j;
}

json pending_jobs(const std::vector<model::JobExecution>& pending, const std::string& client_token,
                  model::Millis now) {
  json in_progress = json::array();
  json queued = json::array();
  for (const auto& e : pending) {
    json summary = {{"jobId", e.job_id},
                    {"queuedAt", seconds(e.queued_at)},
                    {"lastUpdatedAt", seconds(e.last_updated_at)},
                    {"versionNumber", e.version_number},
                    {"executionNumber", e.execution_number}};
    if (e.started_at) summary["startedAt"] = seconds(*e.started_at);
    (e.status == model::ExecutionStatus::InProgress ? in_progress : queued).push_back(summary);
  }
  json j = {{"inProgressJobs", in_progress}, {"queuedJobs", queued}, {"timestamp", seconds(now)}};
  if (!client_token.empty()) j["clientToken"] = client_token;
  return j;
}

}  // namespace otter::mqtt
