#pragma once
// One job on one thing, with AWS IoT Jobs' states and counters.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "otter/model/time.h"

namespace otter::model {

enum class ExecutionStatus { Queued, InProgress, Succeeded, Failed, TimedOut, Rejected, Removed, Canceled };

using StatusDetails = std::map<std::string, std::string>;

struct JobExecution {
  std::string job_id;
  std::string thing_name;
  ExecutionStatus status = ExecutionStatus::Queued;
  StatusDetails status_details;
  std::int64_t version_number = 1;    // +1 on every change
  std::int64_t execution_number = 1;  // +1 on every retry
  std::int64_t retry_attempt = 0;
  Millis queued_at = 0;
  std::optional<Millis> started_at;
  Millis last_updated_at = 0;
  std::optional<Millis> timeout_at;  // when IN_PROGRESS turns TIMED_OUT
};

// Every change of an execution exactly as recorded (the audit trail that
// `job watch` and the durability test read).
struct ExecutionEvent {
  std::int64_t seq = 0;
  std::string job_id;
  std::string thing_name;
  Millis at = 0;
  ExecutionStatus status = ExecutionStatus::Queued;
  StatusDetails status_details;  // as sent by the device (not merged)
  std::int64_t version_number = 0;
  std::int64_t execution_number = 0;
};

bool is_terminal(ExecutionStatus);
std::string_view to_string(ExecutionStatus);
std::optional<ExecutionStatus> parse_execution_status(std::string_view);

}  // namespace otter::model
