// JSON forms of the domain types (AWS IoT Jobs field names).
#include "otter/model/json.h"

#include <cmath>
#include <set>

namespace otter::model {
namespace {

using nlohmann::json;

[[noreturn]] void fail(const std::string& message) { throw ModelError(message); }

const json* field(const json& j, const char* key) {
  auto it = j.find(key);
  return it == j.end() || it->is_null() ? nullptr : &*it;
}

std::string get_string(const json& j, const char* key, bool required, const std::string& fallback = "") {
  const json* v = field(j, key);
  if (!v) {
    if (required) fail(std::string("missing field \"") + key + "\"");
    return fallback;
  }
  if (!v->is_string()) fail(std::string("field \"") + key + "\" must be a string");
  return v->get<std::string>();
}

std::optional<std::int64_t> get_int(const json& j, const char* key, std::int64_t min, std::int64_t max) {
  const json* v = field(j, key);
  if (!v) return std::nullopt;
  if (!v->is_number_integer()) fail(std::string("field \"") + key + "\" must be an integer");
  std::int64_t value = v->is_number_unsigned() && v->get<std::uint64_t>() > static_cast<std::uint64_t>(max)
                           ? max + 1
                           : v->get<std::int64_t>();
  if (value < min || value > max)
    fail(std::string("field \"") + key + "\" must be between " + std::to_string(min) + " and " + std::to_string(max));
  return value;
}

std::optional<double> get_double(const json& j, const char* key, double min, double max) {
  const json* v = field(j, key);
  if (!v) return std::nullopt;
  if (!v->is_number()) fail(std::string("field \"") + key + "\" must be a number");
  double value = v->get<double>();
  if (!std::isfinite(value) || value < min || value > max)
    fail(std::string("field \"") + key + "\" must be between " + std::to_string(min) + " and " + std::to_string(max));
  return value;
}

const json& get_object(const json& j, const char* what) {
  if (!j.is_object()) fail(std::string(what) + " must be a JSON object");
  return j;
}

std::int64_t seconds(Millis ms) { return ms / 1000; }

std::string target_string(const JobTarget& t) {
  return (t.kind == JobTarget::Kind::Thing ? "thing/" : "group/") + t.name;
}

JobTarget parse_target(const json& t) {
  JobTarget target;
  if (t.is_string()) {
    std::string s = t.get<std::string>();
    if (s.rfind("thing/", 0) == 0) {
      target = {JobTarget::Kind::Thing, s.substr(6)};
    } else if (s.rfind("group/", 0) == 0) {
      target = {JobTarget::Kind::Group, s.substr(6)};
    } else {
      fail("target \"" + s + "\" must start with thing/ or group/");
    }
  } else if (t.is_object() && t.size() == 1 && (t.contains("thing") || t.contains("group"))) {
    bool thing = t.contains("thing");
    const json& name = t.at(thing ? "thing" : "group");
    if (!name.is_string()) fail("target name must be a string");
    target = {thing ? JobTarget::Kind::Thing : JobTarget::Kind::Group, name.get<std::string>()};
  } else {
    fail("a target is \"thing/NAME\", \"group/NAME\", {\"thing\":NAME} or {\"group\":NAME}");
  }
  if (!is_valid_thing_name(target.name)) fail("invalid target name \"" + target.name + "\"");
  return target;
}

FailureType parse_failure(const json& j, bool allow_rejected) {
  std::string s = get_string(j, "failureType", true);
  auto type = parse_failure_type(s);
  if (!type || (!allow_rejected && *type == FailureType::Rejected))
    fail("unknown failureType \"" + s + (allow_rejected ? "\" (FAILED, REJECTED, TIMED_OUT, ALL)"
                                                        : "\" (FAILED, TIMED_OUT, ALL)"));
  return *type;
}

}  // namespace

json to_json(const StatusDetails& details) {
  json j = json::object();
  for (const auto& [k, v] : details) j[k] = v;
  return j;
}

StatusDetails status_details_from_json(const json& j) {
  if (!j.is_object()) fail("statusDetails must be an object of strings");
  StatusDetails details;
  for (const auto& [k, v] : j.items()) {
    if (!v.is_string()) fail("statusDetails." + k + " must be a string");
    details[k] = v.get<std::string>();
  }
  return details;
}

Attributes attributes_from_json(const json& j) {
  if (j.is_null()) return {};
  if (!j.is_object()) fail("attributes must be an object of strings");
  Attributes attributes;
  for (const auto& [k, v] : j.items()) {
    if (k.empty() || k.size() > 128) fail("attribute names are 1..128 characters");
    if (!v.is_string()) fail("attribute " + k + " must be a string");
    if (v.get_ref<const std::string&>().size() > 800) fail("attribute " + k + " is longer than 800 characters");
    attributes[k] = v.get<std::string>();
  }
  return attributes;
}

json to_json(const Thing& t) {
  json attributes = json::object();
  for (const auto& [k, v] : t.attributes) attributes[k] = v;
  return {{"thingName", t.name},
          {"attributes", attributes},
          {"createdAt", seconds(t.created_at)},
          {"lastUpdatedAt", seconds(t.updated_at)}};
}

json to_json(const ThingGroup& g) {
  return {{"thingGroupName", g.name}, {"description", g.description}, {"createdAt", seconds(g.created_at)}};
}

json to_json(const JobSpec& s) {
  json j;
  j["jobId"] = s.id;
  j["description"] = s.description;
  j["document"] = s.document;
  json targets = json::array();
  for (const auto& t : s.targets) targets.push_back(target_string(t));
  j["targets"] = targets;
  j["targetSelection"] = to_string(s.target_selection);
  json rollout = json::object();
  if (s.rollout.maximum_per_minute) rollout["maximumPerMinute"] = *s.rollout.maximum_per_minute;
  if (s.rollout.exponential_rate) {
    const auto& e = *s.rollout.exponential_rate;
    json criteria = json::object();
    if (e.rate_increase_criteria.number_of_notified_things)
      criteria["numberOfNotifiedThings"] = *e.rate_increase_criteria.number_of_notified_things;
    if (e.rate_increase_criteria.number_of_succeeded_things)
      criteria["numberOfSucceededThings"] = *e.rate_increase_criteria.number_of_succeeded_things;
    rollout["exponentialRate"] = {{"baseRatePerMinute", e.base_rate_per_minute},
                                  {"incrementFactor", e.increment_factor},
                                  {"rateIncreaseCriteria", criteria}};
  }
  j["jobExecutionsRolloutConfig"] = rollout;
  json abort = json::array();
  for (const auto& c : s.abort.criteria)
    abort.push_back({{"failureType", to_string(c.failure_type)},
                     {"action", c.action},
                     {"thresholdPercentage", c.threshold_percentage},
                     {"minNumberOfExecutedThings", c.min_number_of_executed_things}});
  j["abortConfig"] = {{"criteriaList", abort}};
  j["timeoutConfig"] = json::object();
  if (s.timeout.in_progress_timeout_seconds)
    j["timeoutConfig"]["inProgressTimeoutInSeconds"] = *s.timeout.in_progress_timeout_seconds;
  json retry = json::array();
  for (const auto& c : s.retry.criteria)
    retry.push_back({{"failureType", to_string(c.failure_type)}, {"numberOfRetries", c.number_of_retries}});
  j["jobExecutionsRetryConfig"] = {{"criteriaList", retry}};
  return j;
}

JobSpec job_spec_from_json(const json& in) {
  const json& j = get_object(in, "a job");
  JobSpec s;
  s.id = get_string(j, "jobId", true);
  if (!is_valid_job_id(s.id)) fail("jobId must be 1..64 of a-z A-Z 0-9 _ -");
  s.description = get_string(j, "description", false);
  if (s.description.size() > 2028) fail("description is longer than 2028 characters");
  const json* document = field(j, "document");
  if (!document || !document->is_object()) fail("field \"document\" must be a JSON object");
  s.document = *document;
  const json* targets = field(j, "targets");
  if (!targets || !targets->is_array() || targets->empty()) fail("field \"targets\" must be a non-empty array");
  for (const auto& t : *targets) {
    JobTarget target = parse_target(t);
    if (std::find(s.targets.begin(), s.targets.end(), target) == s.targets.end()) s.targets.push_back(target);
  }
  std::string selection = get_string(j, "targetSelection", false, "SNAPSHOT");
  auto parsed = parse_target_selection(selection);
  if (!parsed) fail("targetSelection must be SNAPSHOT or CONTINUOUS");
  s.target_selection = *parsed;

  if (const json* r = field(j, "jobExecutionsRolloutConfig")) {
    get_object(*r, "jobExecutionsRolloutConfig");
    s.rollout.maximum_per_minute = get_int(*r, "maximumPerMinute", 1, 1000);
    if (const json* e = field(*r, "exponentialRate")) {
      get_object(*e, "exponentialRate");
      ExponentialRollout x;
      auto base = get_int(*e, "baseRatePerMinute", 1, 1000);
      if (!base) fail("exponentialRate.baseRatePerMinute is required");
      x.base_rate_per_minute = *base;
      auto factor = get_double(*e, "incrementFactor", 1.1, 5.0);
      if (!factor) fail("exponentialRate.incrementFactor is required");
      x.increment_factor = *factor;
      const json* c = field(*e, "rateIncreaseCriteria");
      if (!c) fail("exponentialRate.rateIncreaseCriteria is required");
      get_object(*c, "rateIncreaseCriteria");
      x.rate_increase_criteria.number_of_notified_things = get_int(*c, "numberOfNotifiedThings", 1, 1000000);
      x.rate_increase_criteria.number_of_succeeded_things = get_int(*c, "numberOfSucceededThings", 1, 1000000);
      if (x.rate_increase_criteria.number_of_notified_things.has_value() ==
          x.rate_increase_criteria.number_of_succeeded_things.has_value())
        fail("rateIncreaseCriteria needs exactly one of numberOfNotifiedThings, numberOfSucceededThings");
      s.rollout.exponential_rate = x;
    }
  }
  if (const json* a = field(j, "abortConfig")) {
    get_object(*a, "abortConfig");
    const json* list = field(*a, "criteriaList");
    if (!list || !list->is_array()) fail("abortConfig.criteriaList must be an array");
    for (const auto& c : *list) {
      get_object(c, "an abort criterion");
      AbortCriterion criterion;
      criterion.failure_type = parse_failure(c, true);
      criterion.action = get_string(c, "action", false, "CANCEL");
      if (criterion.action != "CANCEL") fail("abort action must be CANCEL");
      auto threshold = get_double(c, "thresholdPercentage", 0.0, 100.0);
      if (!threshold) fail("abort criterion needs thresholdPercentage");
      criterion.threshold_percentage = *threshold;
      auto min = get_int(c, "minNumberOfExecutedThings", 1, 1000000);
      if (!min) fail("abort criterion needs minNumberOfExecutedThings");
      criterion.min_number_of_executed_things = *min;
      s.abort.criteria.push_back(criterion);
    }
  }
  if (const json* t = field(j, "timeoutConfig")) {
    get_object(*t, "timeoutConfig");
    auto minutes = get_int(*t, "inProgressTimeoutInMinutes", 1, 10080);
    auto secs = get_int(*t, "inProgressTimeoutInSeconds", 1, 10080 * 60);
    if (minutes && secs) fail("timeoutConfig takes inProgressTimeoutInMinutes or inProgressTimeoutInSeconds, not both");
    if (minutes) s.timeout.in_progress_timeout_seconds = *minutes * 60;
    if (secs) s.timeout.in_progress_timeout_seconds = *secs;
  }
  if (const json* r = field(j, "jobExecutionsRetryConfig")) {
    get_object(*r, "jobExecutionsRetryConfig");
    const json* list = field(*r, "criteriaList");
    if (!list || !list->is_array()) fail("jobExecutionsRetryConfig.criteriaList must be an array");
    for (const auto& c : *list) {
      get_object(c, "a retry criterion");
      RetryCriterion criterion;
      criterion.failure_type = parse_failure(c, false);
      auto n = get_int(c, "numberOfRetries", 0, 10);
      if (!n) fail("retry criterion needs numberOfRetries");
      criterion.number_of_retries = *n;
      s.retry.criteria.push_back(criterion);
    }
  }
  return s;
}

json to_json(const Job& job) {
  json j = to_json(job.spec);
  j["status"] = to_string(job.status);
  if (!job.stream_name.empty()) j["streamName"] = job.stream_name;
  if (!job.reason_code.empty()) j["reasonCode"] = job.reason_code;
  if (!job.comment.empty()) j["comment"] = job.comment;
  j["forceCanceled"] = job.force_canceled;
  j["createdAt"] = seconds(job.created_at);
  j["lastUpdatedAt"] = seconds(job.updated_at);
  if (job.completed_at) j["completedAt"] = seconds(*job.completed_at);
  if (job.rollout_state.current_rate_per_minute > 0)
    j["currentRatePerMinute"] = job.rollout_state.current_rate_per_minute;
  return j;
}

Job job_from_json(const json& j) {
  Job job;
  job.spec = job_spec_from_json(j);
  auto status = parse_job_status(get_string(j, "status", false, "IN_PROGRESS"));
  if (!status) fail("unknown job status");
  job.status = *status;
  job.stream_name = get_string(j, "streamName", false);
  job.reason_code = get_string(j, "reasonCode", false);
  job.comment = get_string(j, "comment", false);
  if (const json* f = field(j, "forceCanceled"); f && f->is_boolean()) job.force_canceled = f->get<bool>();
  job.created_at = get_int(j, "createdAt", 0, INT64_MAX / 1000).value_or(0) * 1000;
  job.updated_at = get_int(j, "lastUpdatedAt", 0, INT64_MAX / 1000).value_or(0) * 1000;
  if (auto c = get_int(j, "completedAt", 0, INT64_MAX / 1000)) job.completed_at = *c * 1000;
  return job;
}

json to_json(const JobExecution& e) {
  json j = {{"jobId", e.job_id},
            {"thingName", e.thing_name},
            {"status", to_string(e.status)},
            {"statusDetails", to_json(e.status_details)},
            {"versionNumber", e.version_number},
            {"executionNumber", e.execution_number},
            {"queuedAt", seconds(e.queued_at)},
            {"lastUpdatedAt", seconds(e.last_updated_at)}};
  if (e.started_at) j["startedAt"] = seconds(*e.started_at);
  if (e.retry_attempt > 0) j["retryAttempt"] = e.retry_attempt;
  return j;
}

json to_json(const ExecutionEvent& e) {
  return {{"seq", e.seq},
          {"jobId", e.job_id},
          {"thingName", e.thing_name},
          {"at", seconds(e.at)},
          {"atMs", e.at},
          {"status", to_string(e.status)},
          {"statusDetails", to_json(e.status_details)},
          {"versionNumber", e.version_number},
          {"executionNumber", e.execution_number}};
}

json to_json(const Stream& s) {
  json files = json::array();
  for (const auto& f : s.files) files.push_back({{"fileId", f.file_id}, {"size", f.size}, {"sourcePath", f.source_path}});
  return {{"streamId", s.id}, {"description", s.description}, {"files", files}, {"createdAt", seconds(s.created_at)}};
}

Stream stream_from_json(const json& in) {
  const json& j = get_object(in, "a stream");
  Stream s;
  s.id = get_string(j, "streamId", true);
  if (!is_valid_stream_id(s.id)) fail("streamId must be 1..128 of a-z A-Z 0-9 _ -");
  s.description = get_string(j, "description", false);
  const json* files = field(j, "files");
  if (!files || !files->is_array() || files->empty()) fail("a stream needs a non-empty \"files\" array");
  std::set<std::int64_t> ids;
  for (const auto& f : *files) {
    get_object(f, "a stream file");
    StreamFile file;
    auto id = get_int(f, "fileId", 0, 255);
    if (!id) fail("a stream file needs fileId (0..255)");
    file.file_id = *id;
    if (!ids.insert(file.file_id).second) fail("duplicate fileId " + std::to_string(file.file_id));
    auto size = get_int(f, "size", 1, INT64_C(1) << 32);
    if (!size) fail("a stream file needs size");
    file.size = *size;
    file.source_path = get_string(f, "sourcePath", true);
    s.files.push_back(file);
  }
  return s;
}

}  // namespace otter::model
