#include "otter/dashboard/fleet_view.h"

#include <algorithm>

#include "otter/jobs/engine.h"
#include "otter/model/json.h"

namespace otter::dashboard {
namespace {

std::int64_t seconds_of(model::Millis ms) { return ms / 1000; }

bool is_version_text(std::string_view text) {
  if (text.empty()) return false;
  int dots = 0;
  for (char c : text) {
    if (c == '.') ++dots;
    else if (c < '0' || c > '9') return false;
  }
  return dots == 2 && text.front() != '.' && text.back() != '.';
}

}  // namespace

std::optional<std::string> version_from_status_details(const model::StatusDetails& details) {
  const auto reason = details.find("reason");
  if (reason == details.end()) return std::nullopt;
  const std::string& text = reason->second;
  // AWS's agent writes "accepted  v1.0.1" (two spaces), Otter's "accepted v1.0.1".
  if (text.rfind("accepted", 0) != 0) return std::nullopt;
  const std::size_t v = text.find('v', 8);
  if (v == std::string::npos) return std::nullopt;
  std::string version = text.substr(v + 1);
  const std::size_t space = version.find(' ');
  if (space != std::string::npos) version.resize(space);
  if (!is_version_text(version)) return std::nullopt;
  return version;
}

FleetEntry fleet_entry(const model::Thing& thing, const std::vector<model::JobExecution>& executions,
                       std::vector<std::string> groups) {
  FleetEntry entry;
  entry.thing_name = thing.name;
  entry.groups = std::move(groups);
  if (auto board = thing.attributes.find("board"); board != thing.attributes.end()) entry.board = board->second;
  for (const char* key : {"firmwareVersion", "version"}) {
    if (auto v = thing.attributes.find(key); v != thing.attributes.end() && !v->second.empty()) {
      entry.firmware_version = v->second;
      entry.firmware_source = "attribute";
      break;
    }
  }
  const model::JobExecution* latest = nullptr;
  const model::JobExecution* latest_success = nullptr;
  for (const auto& e : executions) {
    if (latest == nullptr || e.last_updated_at > latest->last_updated_at) latest = &e;
    if (e.status == model::ExecutionStatus::Succeeded && version_from_status_details(e.status_details) &&
        (latest_success == nullptr || e.last_updated_at > latest_success->last_updated_at)) {
      latest_success = &e;
    }
    // Only the device moves an execution out of QUEUED; a queued one says
    // nothing about when the device was last heard from.
    if (e.status != model::ExecutionStatus::Queued && e.started_at) {
      const model::Millis heard =
          (e.status == model::ExecutionStatus::Canceled || e.status == model::ExecutionStatus::Removed ||
           e.status == model::ExecutionStatus::TimedOut)
              ? *e.started_at
              : e.last_updated_at;
      if (!entry.last_seen || heard > *entry.last_seen) entry.last_seen = heard;
    }
  }
  if (latest != nullptr) entry.latest_execution = *latest;
  // A version the device reported after an update is newer knowledge than an attribute set at registration.
  if (latest_success != nullptr) {
    entry.firmware_version = *version_from_status_details(latest_success->status_details);
    entry.firmware_source = "job " + latest_success->job_id;
  }
  return entry;
}

nlohmann::json to_json(const FleetEntry& entry) {
  nlohmann::json j{{"thingName", entry.thing_name},
                   {"board", entry.board},
                   {"firmwareVersion", entry.firmware_version},
                   {"firmwareSource", entry.firmware_source},
                   {"groups", entry.groups},
                   {"lastSeen", nullptr}};
  if (entry.last_seen) j["lastSeen"] = seconds_of(*entry.last_seen);
  if (entry.latest_execution) j["latestExecution"] = model::to_json(*entry.latest_execution);
  return j;
}

nlohmann::json fleet_page(jobs::Registry& registry, jobs::JobService& jobs, const FleetQuery& query) {
  std::vector<std::string> names;
  if (!query.group.empty()) {
    if (!registry.group(query.group)) {
      throw jobs::JobsError(jobs::JobsError::Code::NotFound, "no thing group named \"" + query.group + "\"");
    }
    names = registry.members(query.group);
  } else {
    for (const auto& thing : registry.things()) names.push_back(thing.name);
  }
  if (!query.prefix.empty()) {
    std::erase_if(names, [&](const std::string& n) { return n.rfind(query.prefix, 0) != 0; });
  }
  std::sort(names.begin(), names.end());
  nlohmann::json items = nlohmann::json::array();
  for (std::size_t i = query.offset; i < names.size() && i < query.offset + query.limit; ++i) {
    auto thing = registry.thing(names[i]);
    if (!thing) continue;  // deleted between the two calls
    items.push_back(to_json(fleet_entry(*thing, jobs.executions_of_thing(names[i]), registry.groups_of(names[i]))));
  }
  nlohmann::json page{{"things", items}, {"total", names.size()}, {"offset", query.offset}, {"limit", query.limit}};
  if (query.offset + query.limit < names.size()) page["nextOffset"] = query.offset + query.limit;
  return page;
}

}  // namespace otter::dashboard
