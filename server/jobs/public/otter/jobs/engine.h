#pragma once
// The jobs engine: AWS IoT Jobs semantics as pure logic over a Store and a
// Clock. No threads, sockets or sleeps; the caller owns the transaction and
// publishes the notifications the engine reports (see Effects).
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "otter/jobs/clock.h"
#include "otter/model/job.h"
#include "otter/model/job_execution.h"
#include "otter/store/store.h"

namespace otter::jobs {

// AWS IoT Jobs error codes used in `…/rejected` responses.
enum class RejectCode {
  InvalidTopic,
  InvalidJson,
  InvalidRequest,
  InvalidStateTransition,
  ResourceNotFound,
  VersionMismatch,
  InternalError,
  RequestThrottled,
  TerminalStateReached,
};
std::string_view to_string(RejectCode);

// UpdateJobExecution as a device sends it.
struct UpdateRequest {
  std::string status;
  std::optional<model::StatusDetails> status_details;
  std::optional<std::int64_t> expected_version;
  std::optional<std::int64_t> execution_number;
  std::optional<std::int64_t> step_timeout_minutes;
  bool include_job_execution_state = false;
  bool include_job_document = false;
};

struct UpdateOutcome {
  bool accepted = false;
  RejectCode code = RejectCode::InternalError;  // when rejected
  std::string message;
  std::optional<model::JobExecution> execution;  // state after (or at) the request
  nlohmann::json document;                       // the job's document when known
};

// A thing whose next pending execution changed (notify-next must be sent).
struct NextExecutionChange {
  std::string thing_name;
  std::optional<model::JobExecution> next;  // absent: nothing pending
  nlohmann::json document;                  // next's job document
};

// What one engine call changed that the outside world must hear about.
class Effects {
 public:
  // Remembers a thing's next pending job before the engine changes it.
  void touch(store::Store& store, const std::string& thing);
  std::vector<NextExecutionChange> changes(store::Store& store) const;
  bool empty() const { return before_.empty(); }

 private:
  std::map<std::string, std::optional<std::pair<std::string, std::int64_t>>> before_;
};

class JobsEngine {
 public:
  JobsEngine(store::Store& store, const Clock& clock) : store_(store), clock_(clock) {}

  // Validates the spec, selects targets and releases as many executions as
  // the rollout allows now. Throws model::ModelError for a bad spec and
  // JobsError (below) for unknown targets or a duplicate id.
  model::Job create_job(const model::JobSpec& spec, Effects& effects);

  // Cancels a job: not-yet-started executions are CANCELED and never start;
  // with force, IN_PROGRESS ones too.
  model::Job cancel_job(std::string_view job_id, bool force, std::string reason_code, std::string comment,
                        Effects& effects);

  UpdateOutcome update_execution(std::string_view thing, std::string_view job_id, const UpdateRequest& request,
                                 Effects& effects);

  // The oldest QUEUED or IN_PROGRESS execution of the thing.
  std::optional<model::JobExecution> next_execution(std::string_view thing);

  // Rollout releases, in-progress timeouts, job completion. Call often.
  void tick(Effects& effects);

  // Continuous jobs follow group membership.
  void thing_joined_group(std::string_view group, std::string_view thing, Effects& effects);
  void thing_left_group(std::string_view group, std::string_view thing, Effects& effects);
  // Pending executions of a deleted thing become REMOVED.
  void thing_deleted(std::string_view thing, Effects& effects);

 private:
  void release(model::Job& job, Effects& effects);
  std::int64_t release_budget(model::Job& job);
  void grow_rollout_rate(model::Job& job);
  void finish_execution(model::Job& job, model::JobExecution& execution, Effects& effects);
  bool maybe_retry(const model::Job& job, model::JobExecution& execution);
  void check_abort(model::Job& job, Effects& effects);
  void check_completion(model::Job& job);
  void cancel_remaining(model::Job& job, bool force, Effects& effects);
  void set_status(model::JobExecution& execution, model::ExecutionStatus status, const model::StatusDetails& sent);
  bool targets_thing(const model::Job& job, std::string_view thing);

  store::Store& store_;
  const Clock& clock_;
};

// Errors of service calls, mapped by the REST API to HTTP statuses.
struct JobsError : std::runtime_error {
  enum class Code { NotFound, AlreadyExists, InvalidArgument, Conflict };
  JobsError(Code c, const std::string& message) : std::runtime_error(message), code(c) {}
  Code code;
};

}  // namespace otter::jobs
