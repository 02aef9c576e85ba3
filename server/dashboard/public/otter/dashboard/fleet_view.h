// The fleet as an operator looks at it: each thing with its board, the
// firmware version it last reported and when it was last heard from. The
// registry stores neither version nor presence; both are derived from the
// thing's job executions (a device is only heard from through the Jobs and
// stream protocol) unless the thing's attributes state them.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "otter/jobs/service.h"
#include "otter/model/job_execution.h"
#include "otter/model/thing.h"

namespace otter::dashboard {

struct FleetEntry {
  std::string thing_name;
  std::string board;             // attribute "board", empty when unknown
  std::string firmware_version;  // "1.0.1", empty when unknown
  std::string firmware_source;   // "attribute", "job <id>" or ""
  std::optional<model::Millis> last_seen;
  std::optional<model::JobExecution> latest_execution;
  std::vector<std::string> groups;
};

// "1.0.1" from a SUCCEEDED execution's statusDetails ("reason": "accepted  v1.0.1"),
// or nullopt.
std::optional<std::string> version_from_status_details(const model::StatusDetails& details);

// Joins a thing with its executions (any order).
FleetEntry fleet_entry(const model::Thing& thing, const std::vector<model::JobExecution>& executions,
                       std::vector<std::string> groups);

nlohmann::json to_json(const FleetEntry& entry);

struct FleetQuery {
  std::string prefix;  // names starting with this
  std::string group;   // members of this group only
  std::size_t offset = 0;
  std::size_t limit = 100;
};

// One page: {"things": [...], "total", "offset", "limit", "nextOffset"?}.
// Only the page's things are joined with their executions, so the cost is per
// page, not per fleet. Throws jobs::JobsError NotFound for an unknown group.
nlohmann::json fleet_page(jobs::Registry& registry, jobs::JobService& jobs, const FleetQuery& query);

}  // namespace otter::dashboard
