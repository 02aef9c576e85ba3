#pragma once
// JSON forms of the domain types, with AWS IoT Jobs field names (camelCase,
// timestamps in seconds since the epoch). The REST API and the store use them.
// Parsing functions throw ModelError with a message fit for a user.
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "otter/model/job.h"
#include "otter/model/job_execution.h"
#include "otter/model/stream.h"
#include "otter/model/thing.h"

namespace otter::model {

struct ModelError : std::invalid_argument {
  using std::invalid_argument::invalid_argument;
};

nlohmann::json to_json(const Thing&);
nlohmann::json to_json(const ThingGroup&);
nlohmann::json to_json(const JobSpec&);
nlohmann::json to_json(const Job&);  // spec fields plus status, timestamps
nlohmann::json to_json(const JobExecution&);
nlohmann::json to_json(const ExecutionEvent&);
nlohmann::json to_json(const Stream&);
nlohmann::json to_json(const StatusDetails&);

// CreateJob body: {"jobId", "description", "document", "targets":[{"thing":N}|{"group":N}],
// "targetSelection", "jobExecutionsRolloutConfig", "abortConfig",
// "timeoutConfig", "jobExecutionsRetryConfig"}. Targets may also be plain
// strings "thing/NAME" or "group/NAME".
JobSpec job_spec_from_json(const nlohmann::json&);
Job job_from_json(const nlohmann::json&);  // inverse of to_json(Job)
Stream stream_from_json(const nlohmann::json&);
StatusDetails status_details_from_json(const nlohmann::json&);
Attributes attributes_from_json(const nlohmann::json&);

}  // namespace otter::model
