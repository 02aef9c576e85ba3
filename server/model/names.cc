// Names and enum spellings of the domain, as AWS IoT spells them.
#include <algorithm>
#include <array>
#include <utility>

#include "otter/model/job.h"
#include "otter/model/job_execution.h"
#include "otter/model/stream.h"
#include "otter/model/thing.h"

namespace otter::model {
namespace {

bool name_chars(std::string_view s, std::size_t max, bool allow_colon) {
  if (s.empty() || s.size() > max) return false;
  return std::all_of(s.begin(), s.end(), [&](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-' ||
           (allow_colon && c == ':');
  });
}

template <typename E, std::size_t N>
std::optional<E> lookup(const std::array<std::pair<E, std::string_view>, N>& table, std::string_view s) {
  for (const auto& [e, name] : table)
    if (name == s) return e;
  return std::nullopt;
}

template <typename E, std::size_t N>
std::string_view name_of(const std::array<std::pair<E, std::string_view>, N>& table, E e) {
  for (const auto& [v, name] : table)
    if (v == e) return name;
  return "UNKNOWN";
}

constexpr std::array<std::pair<ExecutionStatus, std::string_view>, 8> kExecutionStatus{{
    {ExecutionStatus::Queued, "QUEUED"},
    {ExecutionStatus::InProgress, "IN_PROGRESS"},
    {ExecutionStatus::Succeeded, "SUCCEEDED"},
    {ExecutionStatus::Failed, "FAILED"},
    {ExecutionStatus::TimedOut, "TIMED_OUT"},
    {ExecutionStatus::Rejected, "REJECTED"},
    {ExecutionStatus::Removed, "REMOVED"},
    {ExecutionStatus::Canceled, "CANCELED"},
}};
constexpr std::array<std::pair<JobStatus, std::string_view>, 3> kJobStatus{{
    {JobStatus::InProgress, "IN_PROGRESS"},
    {JobStatus::Canceled, "CANCELED"},
    {JobStatus::Completed, "COMPLETED"},
}};
constexpr std::array<std::pair<TargetSelection, std::string_view>, 2> kTargetSelection{{
    {TargetSelection::Snapshot, "SNAPSHOT"},
    {TargetSelection::Continuous, "CONTINUOUS"},
}};
constexpr std::array<std::pair<FailureType, std::string_view>, 4> kFailureType{{
    {FailureType::Failed, "FAILED"},
    {FailureType::Rejected, "REJECTED"},
    {FailureType::TimedOut, "TIMED_OUT"},
    {FailureType::All, "ALL"},
}};

}  // namespace

bool is_valid_thing_name(std::string_view name) { return name_chars(name, 128, true); }
bool is_valid_job_id(std::string_view id) { return name_chars(id, 64, false); }
bool is_valid_stream_id(std::string_view id) { return name_chars(id, 128, false); }

bool is_terminal(ExecutionStatus s) { return s != ExecutionStatus::Queued && s != ExecutionStatus::InProgress; }

std::string_view to_string(ExecutionStatus s) { return name_of(kExecutionStatus, s); }
std::string_view to_string(JobStatus s) { return name_of(kJobStatus, s); }
std::string_view to_string(TargetSelection s) { return name_of(kTargetSelection, s); }
std::string_view to_string(FailureType s) { return name_of(kFailureType, s); }
std::optional<ExecutionStatus> parse_execution_status(std::string_view s) { return lookup(kExecutionStatus, s); }
std::optional<JobStatus> parse_job_status(std::string_view s) { return lookup(kJobStatus, s); }
std::optional<TargetSelection> parse_target_selection(std::string_view s) { return lookup(kTargetSelection, s); }
std::optional<FailureType> parse_failure_type(std::string_view s) { return lookup(kFailureType, s); }

}  // namespace otter::model
