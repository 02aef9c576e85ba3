#include "otter/jobs/service.h"

#include <spdlog/spdlog.h>

#include <filesystem>
#include <set>
#include <system_error>

#include "otter/model/json.h"

namespace otter::jobs {

using namespace otter::model;
namespace fs = std::filesystem;

Core::Core(std::unique_ptr<store::Store> store, const Clock& clock, Metrics& metrics)
    : store_(std::move(store)), clock_(clock), metrics_(metrics), engine_(*store_, clock_) {}

namespace {

void require_thing_name(const std::string& name) {
  if (!is_valid_thing_name(name))
    throw JobsError(JobsError::Code::InvalidArgument, "thing and group names are 1..128 of a-z A-Z 0-9 : _ -");
}

// Checks a stream's files on disk so devices never ask for bytes that are not there.
void check_stream_files(const Stream& stream) {
  if (!is_valid_stream_id(stream.id))
    throw JobsError(JobsError::Code::InvalidArgument, "stream ids are 1..128 of a-z A-Z 0-9 _ -");
  if (stream.files.empty()) throw JobsError(JobsError::Code::InvalidArgument, "stream " + stream.id + " has no files");
  std::set<std::int64_t> ids;
  for (const auto& f : stream.files) {
    if (f.file_id < 0 || f.file_id > 255)
      throw JobsError(JobsError::Code::InvalidArgument, "stream file ids are 0..255");
    if (!ids.insert(f.file_id).second)
      throw JobsError(JobsError::Code::InvalidArgument, "duplicate file id " + std::to_string(f.file_id));
    std::error_code ec;
    auto size = fs::file_size(f.source_path, ec);
    if (ec)
      throw JobsError(JobsError::Code::InvalidArgument, "stream file " + f.source_path + ": " + ec.message());
    if (static_cast<std::int64_t>(size) != f.size)
      throw JobsError(JobsError::Code::InvalidArgument, "stream file " + f.source_path + " has " +
                                                            std::to_string(size) + " bytes, not " +
                                                            std::to_string(f.size));
  }
}

}  // namespace

// --- Registry ---------------------------------------------------------------

Thing Registry::create_thing(const std::string& name, const Attributes& attributes) {
  require_thing_name(name);
  return core_.run([&](store::Store& s, JobsEngine&, Effects&) {
    Millis now = core_.clock().now();
    Thing t{name, attributes, now, now};
    if (!s.insert_thing(t)) throw JobsError(JobsError::Code::AlreadyExists, "thing " + name + " already exists");
    spdlog::info("thing {}: created", name);
    return t;
  });
}

Thing Registry::update_thing(const std::string& name, const Attributes& attributes) {
  return core_.run([&](store::Store& s, JobsEngine&, Effects&) {
    auto t = s.thing(name);
    if (!t) throw JobsError(JobsError::Code::NotFound, "no thing " + name);
    t->attributes = attributes;
    t->updated_at = core_.clock().now();
    s.update_thing(*t);
    return *t;
  });
}

void Registry::delete_thing(const std::string& name) {
  core_.run([&](store::Store& s, JobsEngine& engine, Effects& effects) {
    if (!s.thing(name)) throw JobsError(JobsError::Code::NotFound, "no thing " + name);
    engine.thing_deleted(name, effects);
    s.delete_thing(name);
    spdlog::info("thing {}: deleted", name);
  });
}

std::optional<Thing> Registry::thing(const std::string& name) {
  return core_.run([&](store::Store& s, JobsEngine&, Effects&) { return s.thing(name); });
}

std::vector<Thing> Registry::things() {
  return core_.run([&](store::Store& s, JobsEngine&, Effects&) { return s.things(); });
}

ThingGroup Registry::create_group(const std::string& name, const std::string& description,
                                  const std::vector<std::string>& members) {
  require_thing_name(name);
  // No job can target a group before it exists, so new members start none.
  return core_.run([&](store::Store& s, JobsEngine&, Effects&) {
    ThingGroup g{name, description, core_.clock().now()};
    if (!s.insert_group(g)) throw JobsError(JobsError::Code::AlreadyExists, "thing group " + name + " already exists");
    std::size_t added = 0;
    for (const auto& thing : members) {
      // Throwing rolls the whole call back: no half-filled group is left behind.
      if (!s.thing(thing)) throw JobsError(JobsError::Code::NotFound, "no thing " + thing + " (group " + name + " not created)");
      if (!s.add_member(name, thing)) continue;  // listed twice
      ++added;
    }
    spdlog::info("group {}: created with {} members", name, added);
    return g;
  });
}

void Registry::delete_group(const std::string& name) {
  core_.run([&](store::Store& s, JobsEngine& engine, Effects& effects) {
    if (!s.group(name)) throw JobsError(JobsError::Code::NotFound, "no thing group " + name);
    auto members = s.members(name);
    s.delete_group(name);
    for (const auto& m : members) engine.thing_left_group(name, m, effects);
  });
}

std::optional<ThingGroup> Registry::group(const std::string& name) {
  return core_.run([&](store::Store& s, JobsEngine&, Effects&) { return s.group(name); });
}

std::vector<ThingGroup> Registry::groups() {
  return core_.run([&](store::Store& s, JobsEngine&, Effects&) { return s.groups(); });
}

void Registry::add_to_group(const std::string& group, const std::string& thing) {
  core_.run([&](store::Store& s, JobsEngine& engine, Effects& effects) {
    if (!s.group(group)) throw JobsError(JobsError::Code::NotFound, "no thing group " + group);
    if (!s.thing(thing)) throw JobsError(JobsError::Code::NotFound, "no thing " + thing);
    if (!s.add_member(group, thing)) return;
    spdlog::info("group {}: added thing {}", group, thing);
    engine.thing_joined_group(group, thing, effects);
  });
}

void Registry::remove_from_group(const std::string& group, const std::string& thing) {
  core_.run([&](store::Store& s, JobsEngine& engine, Effects& effects) {
    if (!s.group(group)) throw JobsError(JobsError::Code::NotFound, "no thing group " + group);
    if (!s.remove_member(group, thing))
      throw JobsError(JobsError::Code::NotFound, "thing " + thing + " is not in group " + group);
    spdlog::info("group {}: removed thing {}", group, thing);
    engine.thing_left_group(group, thing, effects);
  });
}

std::vector<std::string> Registry::members(const std::string& group) {
  return core_.run([&](store::Store& s, JobsEngine&, Effects&) {
    if (!s.group(group)) throw JobsError(JobsError::Code::NotFound, "no thing group " + group);
    return s.members(group);
  });
}

std::vector<std::string> Registry::groups_of(const std::string& thing) {
  return core_.run([&](store::Store& s, JobsEngine&, Effects&) { return s.groups_of(thing); });
}

// --- JobService ---------------------------------------------------------------

Job JobService::create_job(const JobSpec& spec) {
  return core_.run([&](store::Store&, JobsEngine& engine, Effects& effects) { return engine.create_job(spec, effects); });
}

Job JobService::create_ota_job(const OtaJobSpec& spec) {
  if (spec.files.empty()) throw ModelError("an OTA job needs at least one file");
  Stream stream;
  stream.id = spec.stream_name.empty() ? "otter-" + spec.job.id : spec.stream_name;
  stream.description = "firmware for job " + spec.job.id;
  stream.created_at = core_.clock().now();
  std::vector<OtaFile> files;
  std::int64_t next_id = 0;
  for (const auto& f : spec.files) {
    OtaFile file = f.file;
    if (file.fileid < 0) file.fileid = next_id;
    next_id = std::max(next_id, file.fileid + 1);
    std::error_code ec;
    auto size = fs::file_size(f.source_path, ec);
    if (ec) throw JobsError(JobsError::Code::InvalidArgument, "image file " + f.source_path + ": " + ec.message());
    if (file.filesize == 0) file.filesize = static_cast<std::int64_t>(size);
    stream.files.push_back({file.fileid, file.filesize, f.source_path});
    files.push_back(file);
  }
  check_stream_files(stream);
  JobSpec job = spec.job;
  job.document = build_afr_ota_document(stream.id, files, spec.protocols);
  return core_.run([&](store::Store& s, JobsEngine& engine, Effects& effects) {
    if (auto existing = s.stream(stream.id)) {
      if (to_json(*existing)["files"] != to_json(stream)["files"])
        throw JobsError(JobsError::Code::Conflict, "stream " + stream.id + " exists with other files");
    } else {
      s.put_stream(stream);
    }
    return engine.create_job(job, effects);
  });
}

Job JobService::cancel_job(const std::string& job_id, bool force, const std::string& reason_code,
                           const std::string& comment) {
  return core_.run([&](store::Store&, JobsEngine& engine, Effects& effects) {
    return engine.cancel_job(job_id, force, reason_code, comment, effects);
  });
}

std::optional<Job> JobService::job(const std::string& job_id) {
  return core_.run([&](store::Store& s, JobsEngine&, Effects&) { return s.job(job_id); });
}

std::vector<Job> JobService::jobs() {
  return core_.run([&](store::Store& s, JobsEngine&, Effects&) { return s.jobs(); });
}

JobSummary JobService::summary(const std::string& job_id) {
  return core_.run([&](store::Store& s, JobsEngine&, Effects&) {
    auto job = s.job(job_id);
    if (!job) throw JobsError(JobsError::Code::NotFound, "no job " + job_id);
    JobSummary summary{*job, s.count_pending(job_id), {}};
    for (auto status : {ExecutionStatus::Queued, ExecutionStatus::InProgress, ExecutionStatus::Succeeded,
                        ExecutionStatus::Failed, ExecutionStatus::TimedOut, ExecutionStatus::Rejected,
                        ExecutionStatus::Removed, ExecutionStatus::Canceled})
      summary.executions_by_status.emplace_back(status, s.count_executions(job_id, status));
    return summary;
  });
}

std::optional<JobExecution> JobService::execution(const std::string& job_id, const std::string& thing) {
  return core_.run([&](store::Store& s, JobsEngine&, Effects&) { return s.execution(job_id, thing); });
}

std::vector<JobExecution> JobService::executions_of_job(const std::string& job_id) {
  return core_.run([&](store::Store& s, JobsEngine&, Effects&) {
    if (!s.job(job_id)) throw JobsError(JobsError::Code::NotFound, "no job " + job_id);
    return s.executions_of_job(job_id);
  });
}

std::vector<JobExecution> JobService::executions_of_thing(const std::string& thing) {
  return core_.run([&](store::Store& s, JobsEngine&, Effects&) { return s.executions_of_thing(thing); });
}

std::vector<ExecutionEvent> JobService::events(const std::string& job_id, const std::string& thing) {
  return core_.run([&](store::Store& s, JobsEngine&, Effects&) { return s.events(job_id, thing); });
}

std::vector<ExecutionEvent> JobService::events_after(std::int64_t seq, std::int64_t limit) {
  return core_.run([&](store::Store& s, JobsEngine&, Effects&) { return s.events_after(seq, limit); });
}

std::vector<std::pair<ExecutionStatus, std::int64_t>> JobService::execution_counts() {
  return core_.run([&](store::Store& s, JobsEngine&, Effects&) { return s.execution_counts(); });
}

void JobService::register_stream(const Stream& stream) {
  check_stream_files(stream);
  core_.run([&](store::Store& s, JobsEngine&, Effects&) {
    Stream copy = stream;
    if (copy.created_at == 0) copy.created_at = core_.clock().now();
    s.put_stream(copy);
    spdlog::info("stream {}: registered with {} files", stream.id, stream.files.size());
  });
}

std::optional<Stream> JobService::stream(const std::string& id) {
  return core_.run([&](store::Store& s, JobsEngine&, Effects&) { return s.stream(id); });
}

std::vector<Stream> JobService::streams() {
  return core_.run([&](store::Store& s, JobsEngine&, Effects&) { return s.streams(); });
}

void JobService::delete_stream(const std::string& id) {
  core_.run([&](store::Store& s, JobsEngine&, Effects&) {
    for (const auto& job : s.jobs_in_progress())
      if (job.stream_name == id)
        throw JobsError(JobsError::Code::Conflict, "stream " + id + " is used by job " + job.id() + " in progress");
    if (!s.delete_stream(id)) throw JobsError(JobsError::Code::NotFound, "no stream " + id);
  });
}

bool JobService::may_read_stream(const std::string& thing, const std::string& stream_id) {
  return core_.run([&](store::Store& s, JobsEngine&, Effects&) { return s.may_read_stream(thing, stream_id); });
}

}  // namespace otter::jobs
