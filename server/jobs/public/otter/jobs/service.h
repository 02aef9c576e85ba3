#pragma once
// The thread-safe services the rest of otterd calls (REST API, MQTT side,
// otterd main). One Core owns the store, the engine and a mutex; Registry and
// JobService are its faces. Every mutating call runs in one store transaction
// that is committed (durable) before the call returns, then the notify-next
// changes are handed to the NotificationSink (the MQTT side publishes them).
//
// Errors: JobsError (NotFound, AlreadyExists, InvalidArgument, Conflict) and
// model::ModelError (malformed input, treat as InvalidArgument).
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "otter/jobs/clock.h"
#include "otter/jobs/engine.h"
#include "otter/jobs/ota_document.h"
#include "otter/model/job.h"
#include "otter/model/job_execution.h"
#include "otter/model/metrics.h"
#include "otter/model/stream.h"
#include "otter/model/thing.h"
#include "otter/store/store.h"

namespace otter::jobs {

using NotificationSink = std::function<void(const std::vector<NextExecutionChange>&)>;

class Core {
 public:
  Core(std::unique_ptr<store::Store> store, const Clock& clock, model::Metrics& metrics);

  // Set once at wiring time, before traffic.
  void set_notification_sink(NotificationSink sink) { sink_ = std::move(sink); }

  // Runs fn(store, engine, effects) in one transaction under the lock, then
  // publishes the effects. Exceptions roll back and propagate.
  template <typename Fn>
  auto run(Fn&& fn) {
    std::vector<NextExecutionChange> changes;
    if constexpr (std::is_void_v<decltype(fn(std::declval<store::Store&>(), std::declval<JobsEngine&>(),
                                             std::declval<Effects&>()))>) {
      {
        std::lock_guard lock(mutex_);
        Effects effects;
        store::Transaction tx(*store_);
        fn(*store_, engine_, effects);
        changes = effects.changes(*store_);
        tx.commit();
        ++metrics_.store_transactions;
      }
      notify(changes);
    } else {
      decltype(fn(*store_, engine_, std::declval<Effects&>())) result;
      {
        std::lock_guard lock(mutex_);
        Effects effects;
        store::Transaction tx(*store_);
        result = fn(*store_, engine_, effects);
        changes = effects.changes(*store_);
        tx.commit();
        ++metrics_.store_transactions;
      }
      notify(changes);
      return result;
    }
  }

  const Clock& clock() const { return clock_; }
  model::Metrics& metrics() { return metrics_; }

 private:
  void notify(const std::vector<NextExecutionChange>& changes) {
    if (sink_ && !changes.empty()) sink_(changes);
  }

  std::mutex mutex_;
  std::unique_ptr<store::Store> store_;
  const Clock& clock_;
  model::Metrics& metrics_;
  JobsEngine engine_;
  NotificationSink sink_;
};

// Things, groups and membership.
class Registry {
 public:
  explicit Registry(Core& core) : core_(core) {}

  model::Thing create_thing(const std::string& name, const model::Attributes& attributes = {});
  model::Thing update_thing(const std::string& name, const model::Attributes& attributes);
  void delete_thing(const std::string& name);  // pending executions become REMOVED
  std::optional<model::Thing> thing(const std::string& name);
  std::vector<model::Thing> things();

  // The group and its first members in one transaction (one commit for a
  // 10,000-thing fleet): all of it, or nothing when a member is unknown.
  model::ThingGroup create_group(const std::string& name, const std::string& description = "",
                                 const std::vector<std::string>& members = {});
  void delete_group(const std::string& name);
  std::optional<model::ThingGroup> group(const std::string& name);
  std::vector<model::ThingGroup> groups();
  // Continuous jobs targeting the group pick the thing up (or drop it).
  void add_to_group(const std::string& group, const std::string& thing);
  void remove_from_group(const std::string& group, const std::string& thing);
  std::vector<std::string> members(const std::string& group);
  std::vector<std::string> groups_of(const std::string& thing);

 private:
  Core& core_;
};

// A stream file for create_ota_job: what the device sees plus where the bytes are.
struct OtaJobFile {
  OtaFile file;             // fileid is assigned (0, 1, ...) when left at -1
  std::string source_path;  // image bytes on the server (the firmware store's file)
};

struct OtaJobSpec {
  model::JobSpec job;  // document is built; leave it empty
  std::vector<OtaJobFile> files;
  std::string stream_name;  // default "otter-<jobId>"
  std::vector<std::string> protocols = {"MQTT"};
};

struct JobSummary {
  model::Job job;
  std::int64_t pending = 0;  // selected, not yet released by the rollout
  std::vector<std::pair<model::ExecutionStatus, std::int64_t>> executions_by_status;
};

class JobService {
 public:
  explicit JobService(Core& core) : core_(core) {}

  model::Job create_job(const model::JobSpec& spec);
  // Registers the stream (files must exist with the stated sizes), builds
  // the afr_ota document and creates the job, atomically.
  model::Job create_ota_job(const OtaJobSpec& spec);
  model::Job cancel_job(const std::string& job_id, bool force, const std::string& reason_code = "",
                        const std::string& comment = "");
  std::optional<model::Job> job(const std::string& job_id);
  std::vector<model::Job> jobs();
  JobSummary summary(const std::string& job_id);  // throws NotFound

  std::optional<model::JobExecution> execution(const std::string& job_id, const std::string& thing);
  std::vector<model::JobExecution> executions_of_job(const std::string& job_id);
  std::vector<model::JobExecution> executions_of_thing(const std::string& thing);
  std::vector<model::ExecutionEvent> events(const std::string& job_id, const std::string& thing);
  // Every execution change after `seq` (for `job watch` polling).
  std::vector<model::ExecutionEvent> events_after(std::int64_t seq, std::int64_t limit = 1000);
  std::vector<std::pair<model::ExecutionStatus, std::int64_t>> execution_counts();

  void register_stream(const model::Stream& stream);  // checks files exist and sizes match
  std::optional<model::Stream> stream(const std::string& id);
  std::vector<model::Stream> streams();
  void delete_stream(const std::string& id);  // Conflict while an unfinished job uses it
  // True while the thing has a QUEUED or IN_PROGRESS execution of a job using the stream.
  bool may_read_stream(const std::string& thing, const std::string& stream_id);

 private:
  Core& core_;
};

}  // namespace otter::jobs
