#pragma once
// Jobs: what to run on which things, and how fast (rollout), when to give up
// (abort), how long a device may take (timeout), and how often to retry.
// Field names follow the AWS IoT Jobs API (CreateJob).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "otter/model/time.h"

namespace otter::model {

enum class JobStatus { InProgress, Canceled, Completed };
enum class TargetSelection { Snapshot, Continuous };
// The execution outcomes that abort and retry criteria count.
enum class FailureType { Failed, Rejected, TimedOut, All };

struct JobTarget {
  enum class Kind { Thing, Group };
  Kind kind = Kind::Thing;
  std::string name;
  friend bool operator==(const JobTarget&, const JobTarget&) = default;
};

struct RateIncreaseCriteria {
  // Exactly one is set: raise the rate after this many more things were
  // notified (execution released) or succeeded.
  std::optional<std::int64_t> number_of_notified_things;
  std::optional<std::int64_t> number_of_succeeded_things;
};

struct ExponentialRollout {
  std::int64_t base_rate_per_minute = 1;
  double increment_factor = 2.0;
  RateIncreaseCriteria rate_increase_criteria;
};

struct RolloutConfig {
  // Executions released per minute; absent = all at once.
  std::optional<std::int64_t> maximum_per_minute;
  std::optional<ExponentialRollout> exponential_rate;
};

struct AbortCriterion {
  FailureType failure_type = FailureType::Failed;
  // AWS knows one action, CANCEL; kept as a string for the wire.
  std::string action = "CANCEL";
  double threshold_percentage = 100.0;
  std::int64_t min_number_of_executed_things = 1;
};

struct AbortConfig {
  std::vector<AbortCriterion> criteria;
};

struct TimeoutConfig {
  // AWS takes minutes (inProgressTimeoutInMinutes); Otter stores seconds so
  // tests can use short timeouts. JSON accepts either field.
  std::optional<std::int64_t> in_progress_timeout_seconds;
};

struct RetryCriterion {
  FailureType failure_type = FailureType::Failed;  // Failed, TimedOut or All
  std::int64_t number_of_retries = 0;
};

struct RetryConfig {
  std::vector<RetryCriterion> criteria;
};

// What a user asks for.
struct JobSpec {
  std::string id;
  std::string description;
  nlohmann::json document;  // the job document devices receive
  std::vector<JobTarget> targets;
  TargetSelection target_selection = TargetSelection::Snapshot;
  RolloutConfig rollout;
  AbortConfig abort;
  TimeoutConfig timeout;
  RetryConfig retry;
};

// Rollout progress the engine keeps for exponential rates.
struct RolloutState {
  double current_rate_per_minute = 0;  // 0 = unlimited
  std::int64_t notified_at_last_increase = 0;
  std::int64_t succeeded_at_last_increase = 0;
};

struct Job {
  JobSpec spec;
  JobStatus status = JobStatus::InProgress;
  std::string stream_name;  // afr_ota.streamname, "" when the document has none
  std::string reason_code;  // e.g. "ABORTED", or the user's on cancel
  std::string comment;
  bool force_canceled = false;
  RolloutState rollout_state;
  Millis created_at = 0;
  Millis updated_at = 0;
  std::optional<Millis> completed_at;
  const std::string& id() const { return spec.id; }
};

// AWS job ids: 1..64 of [a-zA-Z0-9_-].
bool is_valid_job_id(std::string_view id);

std::string_view to_string(JobStatus);
std::string_view to_string(TargetSelection);
std::string_view to_string(FailureType);
std::optional<JobStatus> parse_job_status(std::string_view);
std::optional<TargetSelection> parse_target_selection(std::string_view);
std::optional<FailureType> parse_failure_type(std::string_view);

}  // namespace otter::model
