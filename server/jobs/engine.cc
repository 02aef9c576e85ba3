// AWS IoT Jobs semantics over a Store. Every function runs inside the
// caller's transaction; nothing here sleeps, locks or talks to the network.
#include "otter/jobs/engine.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <set>

#include "otter/jobs/ota_document.h"
#include "otter/model/json.h"

namespace otter::jobs {

using namespace otter::model;

namespace {

constexpr std::int64_t kUnlimited = std::numeric_limits<std::int32_t>::max();
constexpr std::size_t kMaxDocumentBytes = 32 * 1024;  // AWS's job document limit
constexpr std::size_t kMaxStatusDetails = 10;
constexpr std::size_t kMaxDetailKey = 128;
constexpr std::size_t kMaxDetailValue = 1024;

bool counts_as(FailureType type, ExecutionStatus status) {
  switch (type) {
    case FailureType::Failed: return status == ExecutionStatus::Failed;
    case FailureType::Rejected: return status == ExecutionStatus::Rejected;
    case FailureType::TimedOut: return status == ExecutionStatus::TimedOut;
    case FailureType::All:
      return status == ExecutionStatus::Failed || status == ExecutionStatus::Rejected ||
             status == ExecutionStatus::TimedOut;
  }
  return false;
}

bool valid_detail_key(std::string_view k) {
  if (k.empty() || k.size() > kMaxDetailKey) return false;
  return std::all_of(k.begin(), k.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-' ||
           c == ':';
  });
}

UpdateOutcome reject(RejectCode code, std::string message, std::optional<JobExecution> execution = std::nullopt,
                     nlohmann::json document = nullptr) {
  UpdateOutcome o;
  o.accepted = false;
  o.code = code;
  o.message = std::move(message);
  o.execution = std::move(execution);
  o.document = std::move(document);
  return o;
}

}  // namespace

std::string_view to_string(RejectCode code) {
  switch (code) {
    case RejectCode::InvalidTopic: return "InvalidTopic";
    case RejectCode::InvalidJson: return "InvalidJson";
    case RejectCode::InvalidRequest: return "InvalidRequest";
    case RejectCode::InvalidStateTransition: return "InvalidStateTransition";
    case RejectCode::ResourceNotFound: return "ResourceNotFound";
    case RejectCode::VersionMismatch: return "VersionMismatch";
    case RejectCode::InternalError: return "InternalError";
    case RejectCode::RequestThrottled: return "RequestThrottled";
    case RejectCode::TerminalStateReached: return "TerminalStateReached";
  }
  return "InternalError";
}

void Effects::touch(store::Store& store, const std::string& thing) {
  if (before_.count(thing)) return;
  auto pending = store.pending_executions_of_thing(thing);
  if (pending.empty()) {
    before_[thing] = std::nullopt;
  } else {
    before_[thing] = std::make_pair(pending.front().job_id, pending.front().execution_number);
  }
}

std::vector<NextExecutionChange> Effects::changes(store::Store& store) const {
  std::vector<NextExecutionChange> out;
  std::map<std::string, nlohmann::json> documents;  // one lookup per job, not per thing
  for (const auto& [thing, before] : before_) {
    auto pending = store.pending_executions_of_thing(thing);
    std::optional<std::pair<std::string, std::int64_t>> after;
    if (!pending.empty()) after = std::make_pair(pending.front().job_id, pending.front().execution_number);
    if (after == before) continue;
    NextExecutionChange change;
    change.thing_name = thing;
    if (!pending.empty()) {
      change.next = pending.front();
      auto doc = documents.find(change.next->job_id);
      if (doc == documents.end()) {
        auto job = store.job(change.next->job_id);
        doc = documents.emplace(change.next->job_id, job ? job->spec.document : nlohmann::json()).first;
      }
      change.document = doc->second;
    }
    out.push_back(std::move(change));
  }
  return out;
}

Job JobsEngine::create_job(const JobSpec& spec, Effects& effects) {
  if (!is_valid_job_id(spec.id)) throw ModelError("jobId must be 1..64 of a-z A-Z 0-9 _ -");
  if (!spec.document.is_object()) throw ModelError("the job document must be a JSON object");
  if (spec.document.dump().size() > kMaxDocumentBytes) throw ModelError("the job document is larger than 32 KiB");
  if (spec.targets.empty()) throw ModelError("a job needs at least one target");
  if (store_.job(spec.id)) throw JobsError(JobsError::Code::AlreadyExists, "job " + spec.id + " already exists");

  std::vector<std::string> selected;
  std::set<std::string> seen;
  for (const auto& target : spec.targets) {
    if (target.kind == JobTarget::Kind::Thing) {
      if (!store_.thing(target.name))
        throw JobsError(JobsError::Code::InvalidArgument, "unknown thing " + target.name + " in targets");
      if (seen.insert(target.name).second) selected.push_back(target.name);
    } else {
      if (!store_.group(target.name))
        throw JobsError(JobsError::Code::InvalidArgument, "unknown thing group " + target.name + " in targets");
      for (auto& member : store_.members(target.name))
        if (seen.insert(member).second) selected.push_back(member);
    }
  }

  Job job;
  job.spec = spec;
  job.status = JobStatus::InProgress;
  job.stream_name = stream_name_of(spec.document);
  job.created_at = job.updated_at = clock_.now();
  if (spec.rollout.exponential_rate)
    job.rollout_state.current_rate_per_minute = static_cast<double>(spec.rollout.exponential_rate->base_rate_per_minute);
  if (!store_.insert_job(job)) throw JobsError(JobsError::Code::AlreadyExists, "job " + spec.id + " already exists");
  for (const auto& thing : selected) store_.add_pending(job.id(), thing);
  spdlog::info("job {}: created, {} target things ({})", job.id(), selected.size(), to_string(spec.target_selection));
  release(job, effects);
  check_completion(job);
  store_.update_job(job);
  return job;
}

std::int64_t JobsEngine::release_budget(Job& job) {
  double rate = static_cast<double>(kUnlimited);
  if (job.spec.rollout.maximum_per_minute) rate = static_cast<double>(*job.spec.rollout.maximum_per_minute);
  if (job.spec.rollout.exponential_rate) rate = std::min(rate, job.rollout_state.current_rate_per_minute);
  auto per_minute = static_cast<std::int64_t>(std::floor(rate));
  if (per_minute >= kUnlimited) return kUnlimited;
  std::int64_t recent = store_.count_queued_since(job.id(), clock_.now() - kMinute);
  return std::max<std::int64_t>(0, per_minute - recent);
}

void JobsEngine::release(Job& job, Effects& effects) {
  if (job.status != JobStatus::InProgress) return;
  std::int64_t budget = release_budget(job);
  if (budget <= 0) return;
  Millis now = clock_.now();
  for (const auto& thing : store_.pending(job.id(), budget)) {
    store_.remove_pending(job.id(), thing);
    effects.touch(store_, thing);
    auto existing = store_.execution(job.id(), thing);
    JobExecution e;
    if (existing) {
      if (!is_terminal(existing->status)) continue;
      e = *existing;  // a thing that re-joined a continuous job's group runs it again
      e.execution_number += 1;
    }
    e.job_id = job.id();
    e.thing_name = thing;
    e.status = ExecutionStatus::Queued;
    e.status_details.clear();
    e.version_number = 1;
    e.queued_at = e.last_updated_at = now;
    e.started_at.reset();
    e.timeout_at.reset();
    if (existing) {
      store_.update_execution(e);
    } else {
      store_.insert_execution(e);
    }
    store_.append_event({0, e.job_id, thing, now, e.status, {}, e.version_number, e.execution_number});
    spdlog::info("job {} thing {}: QUEUED (execution {})", job.id(), thing, e.execution_number);
  }
}

void JobsEngine::grow_rollout_rate(Job& job) {
  if (!job.spec.rollout.exponential_rate || job.status != JobStatus::InProgress) return;
  const auto& x = *job.spec.rollout.exponential_rate;
  double cap = job.spec.rollout.maximum_per_minute ? static_cast<double>(*job.spec.rollout.maximum_per_minute)
                                                   : static_cast<double>(kUnlimited);
  auto& state = job.rollout_state;
  auto grow = [&] {
    double before = state.current_rate_per_minute;
    state.current_rate_per_minute = std::min(cap, std::ceil(state.current_rate_per_minute * x.increment_factor));
    if (state.current_rate_per_minute != before)
      spdlog::info("job {}: rollout rate {} -> {} per minute", job.id(), before, state.current_rate_per_minute);
  };
  if (auto n = x.rate_increase_criteria.number_of_notified_things) {
    std::int64_t notified = store_.count_executions(job.id());
    while (notified - state.notified_at_last_increase >= *n) {
      state.notified_at_last_increase += *n;
      grow();
    }
  }
  if (auto n = x.rate_increase_criteria.number_of_succeeded_things) {
    std::int64_t succeeded = store_.count_executions(job.id(), ExecutionStatus::Succeeded);
    while (succeeded - state.succeeded_at_last_increase >= *n) {
      state.succeeded_at_last_increase += *n;
      grow();
    }
  }
}

void JobsEngine::set_status(JobExecution& e, ExecutionStatus status, const StatusDetails& sent) {
  Millis now = clock_.now();
  ExecutionStatus before = e.status;
  e.status = status;
  e.version_number += 1;
  e.last_updated_at = now;
  if (before == ExecutionStatus::Queued && status == ExecutionStatus::InProgress) e.started_at = now;
  if (is_terminal(status)) e.timeout_at.reset();
  store_.update_execution(e);
  store_.append_event({0, e.job_id, e.thing_name, now, status, sent, e.version_number, e.execution_number});
  if (before != status) {
    spdlog::info("job {} thing {}: {} -> {} (version {})", e.job_id, e.thing_name, to_string(before), to_string(status),
                 e.version_number);
  } else {
    spdlog::debug("job {} thing {}: {} (version {})", e.job_id, e.thing_name, to_string(status), e.version_number);
  }
}

UpdateOutcome JobsEngine::update_execution(std::string_view thing, std::string_view job_id,
                                           const UpdateRequest& request, Effects& effects) {
  auto job = store_.job(job_id);
  auto execution = job ? store_.execution(job_id, thing) : std::nullopt;
  if (!job || !execution)
    return reject(RejectCode::ResourceNotFound,
                  "no execution of job " + std::string(job_id) + " for thing " + std::string(thing));
  auto status = parse_execution_status(request.status);
  if (!status || (*status != ExecutionStatus::InProgress && *status != ExecutionStatus::Succeeded &&
                  *status != ExecutionStatus::Failed && *status != ExecutionStatus::Rejected))
    return reject(RejectCode::InvalidRequest, "status must be IN_PROGRESS, SUCCEEDED, FAILED or REJECTED", execution,
                  job->spec.document);
  if (request.execution_number && *request.execution_number != execution->execution_number)
    return reject(RejectCode::ResourceNotFound,
                  "execution number " + std::to_string(*request.execution_number) + " not found (current is " +
                      std::to_string(execution->execution_number) + ")",
                  execution, job->spec.document);
  if (request.expected_version && *request.expected_version != execution->version_number)
    return reject(RejectCode::VersionMismatch,
                  "expected version " + std::to_string(*request.expected_version) + ", current is " +
                      std::to_string(execution->version_number),
                  execution, job->spec.document);
  if (is_terminal(execution->status))
    return reject(RejectCode::InvalidStateTransition,
                  "execution is " + std::string(to_string(execution->status)) + " and cannot change to " +
                      request.status,
                  execution, job->spec.document);
  if (request.step_timeout_minutes && *request.step_timeout_minutes != -1 &&
      (*request.step_timeout_minutes < 1 || *request.step_timeout_minutes > 10080))
    return reject(RejectCode::InvalidRequest, "stepTimeoutInMinutes must be 1..10080 or -1", execution,
                  job->spec.document);

  StatusDetails sent = request.status_details.value_or(StatusDetails{});
  StatusDetails merged = execution->status_details;
  for (const auto& [k, v] : sent) {
    if (!valid_detail_key(k))
      return reject(RejectCode::InvalidRequest, "statusDetails keys are 1..128 of a-z A-Z 0-9 _ - :", execution,
                    job->spec.document);
    if (v.empty() || v.size() > kMaxDetailValue)
      return reject(RejectCode::InvalidRequest, "statusDetails values are 1..1024 characters", execution,
                    job->spec.document);
    merged[k] = v;
  }
  if (merged.size() > kMaxStatusDetails)
    return reject(RejectCode::InvalidRequest, "statusDetails holds at most 10 entries", execution, job->spec.document);

  effects.touch(store_, std::string(thing));
  JobExecution& e = *execution;
  bool starting = e.status == ExecutionStatus::Queued && *status == ExecutionStatus::InProgress;
  e.status_details = std::move(merged);
  Millis now = clock_.now();
  if (starting && job->spec.timeout.in_progress_timeout_seconds)
    e.timeout_at = now + *job->spec.timeout.in_progress_timeout_seconds * kSecond;
  if (request.step_timeout_minutes) {
    if (*request.step_timeout_minutes == -1) {
      e.timeout_at = job->spec.timeout.in_progress_timeout_seconds && e.started_at
                         ? std::optional<Millis>(*e.started_at + *job->spec.timeout.in_progress_timeout_seconds * kSecond)
                         : std::nullopt;
    } else {
      e.timeout_at = now + *request.step_timeout_minutes * kMinute;
    }
  }
  set_status(e, *status, sent);
  if (is_terminal(e.status)) finish_execution(*job, e, effects);

  UpdateOutcome o;
  o.accepted = true;
  o.execution = e;
  o.document = job->spec.document;
  return o;
}

bool JobsEngine::maybe_retry(const Job& job, JobExecution& e) {
  if (job.status != JobStatus::InProgress) return false;
  for (const auto& c : job.spec.retry.criteria) {
    if (!counts_as(c.failure_type, e.status) || e.retry_attempt >= c.number_of_retries) continue;
    Millis now = clock_.now();
    e.status = ExecutionStatus::Queued;
    e.execution_number += 1;
    e.retry_attempt += 1;
    e.version_number = 1;
    e.status_details.clear();
    e.queued_at = e.last_updated_at = now;
    e.started_at.reset();
    e.timeout_at.reset();
    store_.update_execution(e);
    store_.append_event({0, e.job_id, e.thing_name, now, e.status, {}, e.version_number, e.execution_number});
    spdlog::info("job {} thing {}: retry {} of {} (execution {})", job.id(), e.thing_name, e.retry_attempt,
                 c.number_of_retries, e.execution_number);
    return true;
  }
  return false;
}

void JobsEngine::finish_execution(Job& job, JobExecution& e, Effects& effects) {
  if (maybe_retry(job, e)) return;
  grow_rollout_rate(job);
  check_abort(job, effects);
  release(job, effects);
  check_completion(job);
  job.updated_at = clock_.now();
  store_.update_job(job);
}

void JobsEngine::check_abort(Job& job, Effects& effects) {
  if (job.status != JobStatus::InProgress || job.spec.abort.criteria.empty()) return;
  std::int64_t failed = store_.count_executions(job.id(), ExecutionStatus::Failed);
  std::int64_t rejected = store_.count_executions(job.id(), ExecutionStatus::Rejected);
  std::int64_t timed_out = store_.count_executions(job.id(), ExecutionStatus::TimedOut);
  std::int64_t succeeded = store_.count_executions(job.id(), ExecutionStatus::Succeeded);
  std::int64_t executed = failed + rejected + timed_out + succeeded;
  for (const auto& c : job.spec.abort.criteria) {
    std::int64_t n = 0;
    switch (c.failure_type) {
      case FailureType::Failed: n = failed; break;
      case FailureType::Rejected: n = rejected; break;
      case FailureType::TimedOut: n = timed_out; break;
      case FailureType::All: n = failed + rejected + timed_out; break;
    }
    if (executed < c.min_number_of_executed_things || n == 0) continue;
    if (static_cast<double>(n) * 100.0 < c.threshold_percentage * static_cast<double>(executed)) continue;
    job.status = JobStatus::Canceled;
    job.reason_code = "ABORTED";
    job.comment = std::string(to_string(c.failure_type)) + " reached " + std::to_string(n) + " of " +
                  std::to_string(executed) + " executed things (threshold " + fmt::format("{:g}", c.threshold_percentage) +
                  "% after " + std::to_string(c.min_number_of_executed_things) + ")";
    job.completed_at = clock_.now();
    spdlog::warn("job {}: aborted: {}", job.id(), job.comment);
    cancel_remaining(job, false, effects);
    return;
  }
}

void JobsEngine::check_completion(Job& job) {
  if (job.status != JobStatus::InProgress || job.spec.target_selection != TargetSelection::Snapshot) return;
  if (store_.count_pending(job.id()) > 0) return;
  if (store_.count_executions(job.id(), ExecutionStatus::Queued) > 0) return;
  if (store_.count_executions(job.id(), ExecutionStatus::InProgress) > 0) return;
  job.status = JobStatus::Completed;
  job.completed_at = clock_.now();
  spdlog::info("job {}: completed", job.id());
}

void JobsEngine::cancel_remaining(Job& job, bool force, Effects& effects) {
  store_.clear_pending(job.id());
  auto cancel = [&](ExecutionStatus status) {
    for (auto& e : store_.executions_with_status(job.id(), status)) {
      effects.touch(store_, e.thing_name);
      set_status(e, ExecutionStatus::Canceled, {});
    }
  };
  cancel(ExecutionStatus::Queued);
  if (force) cancel(ExecutionStatus::InProgress);
}

Job JobsEngine::cancel_job(std::string_view job_id, bool force, std::string reason_code, std::string comment,
                           Effects& effects) {
  auto job = store_.job(job_id);
  if (!job) throw JobsError(JobsError::Code::NotFound, "no job " + std::string(job_id));
  if (job->status == JobStatus::Completed)
    throw JobsError(JobsError::Code::Conflict, "job " + job->id() + " is already COMPLETED");
  if (job->status == JobStatus::Canceled && (!force || job->force_canceled)) return *job;
  if (job->status != JobStatus::Canceled) {
    job->status = JobStatus::Canceled;
    job->reason_code = reason_code.empty() ? "CANCELED" : std::move(reason_code);
    job->comment = std::move(comment);
    job->completed_at = clock_.now();
  }
  job->force_canceled = force;
  job->updated_at = clock_.now();
  spdlog::info("job {}: canceled{}", job->id(), force ? " (force)" : "");
  cancel_remaining(*job, force, effects);
  store_.update_job(*job);
  return *job;
}

std::optional<JobExecution> JobsEngine::next_execution(std::string_view thing) {
  auto pending = store_.pending_executions_of_thing(thing);
  if (pending.empty()) return std::nullopt;
  return pending.front();
}

void JobsEngine::tick(Effects& effects) {
  for (auto& e : store_.expired_executions(clock_.now())) {
    auto job = store_.job(e.job_id);
    if (!job) continue;
    effects.touch(store_, e.thing_name);
    spdlog::warn("job {} thing {}: in-progress timeout", e.job_id, e.thing_name);
    set_status(e, ExecutionStatus::TimedOut, {});
    finish_execution(*job, e, effects);
  }
  for (auto& job : store_.jobs_in_progress()) {
    RolloutState before = job.rollout_state;
    grow_rollout_rate(job);
    release(job, effects);
    check_completion(job);
    if (job.status != JobStatus::InProgress || before.current_rate_per_minute != job.rollout_state.current_rate_per_minute ||
        before.notified_at_last_increase != job.rollout_state.notified_at_last_increase ||
        before.succeeded_at_last_increase != job.rollout_state.succeeded_at_last_increase) {
      job.updated_at = clock_.now();
      store_.update_job(job);
    }
  }
}

bool JobsEngine::targets_thing(const Job& job, std::string_view thing) {
  auto groups = store_.groups_of(thing);
  for (const auto& t : job.spec.targets) {
    if (t.kind == JobTarget::Kind::Thing && t.name == thing) return true;
    if (t.kind == JobTarget::Kind::Group && std::find(groups.begin(), groups.end(), t.name) != groups.end())
      return true;
  }
  return false;
}

void JobsEngine::thing_joined_group(std::string_view group, std::string_view thing, Effects& effects) {
  for (auto& job : store_.jobs_in_progress()) {
    if (job.spec.target_selection != TargetSelection::Continuous) continue;
    bool targets_group = std::any_of(job.spec.targets.begin(), job.spec.targets.end(), [&](const JobTarget& t) {
      return t.kind == JobTarget::Kind::Group && t.name == group;
    });
    if (!targets_group || store_.is_pending(job.id(), thing)) continue;
    auto existing = store_.execution(job.id(), thing);
    if (existing && existing->status != ExecutionStatus::Removed) continue;
    store_.add_pending(job.id(), thing);
    spdlog::info("job {} thing {}: selected (joined group {})", job.id(), thing, group);
    release(job, effects);
  }
}

void JobsEngine::thing_left_group(std::string_view group, std::string_view thing, Effects& effects) {
  for (auto& job : store_.jobs_in_progress()) {
    if (job.spec.target_selection != TargetSelection::Continuous) continue;
    bool targets_group = std::any_of(job.spec.targets.begin(), job.spec.targets.end(), [&](const JobTarget& t) {
      return t.kind == JobTarget::Kind::Group && t.name == group;
    });
    if (!targets_group || targets_thing(job, thing)) continue;
    store_.remove_pending(job.id(), thing);
    auto e = store_.execution(job.id(), thing);
    if (e && e->status == ExecutionStatus::Queued) {
      effects.touch(store_, std::string(thing));
      set_status(*e, ExecutionStatus::Removed, {});
    }
  }
}

void JobsEngine::thing_deleted(std::string_view thing, Effects& effects) {
  for (auto& e : store_.pending_executions_of_thing(thing)) {
    effects.touch(store_, std::string(thing));
    set_status(e, ExecutionStatus::Removed, {});
    if (auto job = store_.job(e.job_id)) {
      check_completion(*job);
      store_.update_job(*job);
    }
  }
}

}  // namespace otter::jobs
