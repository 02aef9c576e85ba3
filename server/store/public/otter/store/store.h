#pragma once
// Persistence of otterd's state behind one interface, so the embedded SQLite
// store can be joined by a PostgreSQL one for multi-node deployments (see
// docs/server.md). Not thread-safe: the owner (jobs::Core) serialises access.
// Errors of the database itself throw StoreError; "not found" is an empty
// optional or false, never an exception.
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "otter/model/job.h"
#include "otter/model/job_execution.h"
#include "otter/model/stream.h"
#include "otter/model/thing.h"

namespace otter::store {

struct StoreError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

class Store {
 public:
  virtual ~Store() = default;

  // One transaction at a time; commit makes every change durable before it
  // returns (callers acknowledge to devices only after commit).
  virtual void begin() = 0;
  virtual void commit() = 0;
  virtual void rollback() = 0;

  // Things
  virtual bool insert_thing(const model::Thing&) = 0;  // false: exists
  virtual bool update_thing(const model::Thing&) = 0;  // false: unknown
  virtual bool delete_thing(std::string_view name) = 0;
  virtual std::optional<model::Thing> thing(std::string_view name) = 0;
  virtual std::vector<model::Thing> things() = 0;

  // Groups and membership
  virtual bool insert_group(const model::ThingGroup&) = 0;
  virtual bool delete_group(std::string_view name) = 0;
  virtual std::optional<model::ThingGroup> group(std::string_view name) = 0;
  virtual std::vector<model::ThingGroup> groups() = 0;
  virtual bool add_member(std::string_view group, std::string_view thing) = 0;  // false: already
  virtual bool remove_member(std::string_view group, std::string_view thing) = 0;
  virtual std::vector<std::string> members(std::string_view group) = 0;
  virtual std::vector<std::string> groups_of(std::string_view thing) = 0;

  // Jobs
  virtual bool insert_job(const model::Job&) = 0;  // false: id exists
  virtual void update_job(const model::Job&) = 0;
  virtual std::optional<model::Job> job(std::string_view id) = 0;
  virtual std::vector<model::Job> jobs() = 0;
  virtual std::vector<model::Job> jobs_in_progress() = 0;

  // Targets selected for a job whose executions the rollout has not yet
  // released, in selection order.
  virtual void add_pending(std::string_view job, std::string_view thing) = 0;
  virtual std::vector<std::string> pending(std::string_view job, std::int64_t limit) = 0;
  virtual bool is_pending(std::string_view job, std::string_view thing) = 0;
  virtual void remove_pending(std::string_view job, std::string_view thing) = 0;
  virtual void clear_pending(std::string_view job) = 0;
  virtual std::int64_t count_pending(std::string_view job) = 0;

  // Executions
  virtual void insert_execution(const model::JobExecution&) = 0;
  virtual void update_execution(const model::JobExecution&) = 0;
  virtual std::optional<model::JobExecution> execution(std::string_view job, std::string_view thing) = 0;
  virtual std::vector<model::JobExecution> executions_of_job(std::string_view job) = 0;
  virtual std::vector<model::JobExecution> executions_of_thing(std::string_view thing) = 0;
  // QUEUED or IN_PROGRESS executions of a thing, oldest queued first.
  virtual std::vector<model::JobExecution> pending_executions_of_thing(std::string_view thing) = 0;
  virtual std::vector<model::JobExecution> executions_with_status(std::string_view job,
                                                                  model::ExecutionStatus) = 0;
  virtual std::int64_t count_executions(std::string_view job) = 0;
  virtual std::int64_t count_executions(std::string_view job, model::ExecutionStatus) = 0;
  virtual std::int64_t count_queued_since(std::string_view job, model::Millis since) = 0;
  // IN_PROGRESS executions whose timeout_at <= now.
  virtual std::vector<model::JobExecution> expired_executions(model::Millis now) = 0;
  // Executions by status over all jobs (for /metrics).
  virtual std::vector<std::pair<model::ExecutionStatus, std::int64_t>> execution_counts() = 0;

  virtual void append_event(const model::ExecutionEvent&) = 0;
  virtual std::vector<model::ExecutionEvent> events(std::string_view job, std::string_view thing) = 0;
  virtual std::vector<model::ExecutionEvent> events_after(std::int64_t seq, std::int64_t limit) = 0;

  // Streams
  virtual void put_stream(const model::Stream&) = 0;  // insert or replace
  virtual bool delete_stream(std::string_view id) = 0;
  virtual std::optional<model::Stream> stream(std::string_view id) = 0;
  virtual std::vector<model::Stream> streams() = 0;
  // A thing may read a stream while it has a QUEUED or IN_PROGRESS execution
  // of a job whose document names that stream.
  virtual bool may_read_stream(std::string_view thing, std::string_view stream) = 0;
};

// RAII transaction: rolls back unless committed.
class Transaction {
 public:
  explicit Transaction(Store& store) : store_(store) { store_.begin(); }
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  ~Transaction() {
    if (!done_) {
      try {
        store_.rollback();
      } catch (...) {
        // Nothing sensible to do in a destructor; the connection reports it next time.
      }
    }
  }
  void commit() {
    store_.commit();
    done_ = true;
  }

 private:
  Store& store_;
  bool done_ = false;
};

}  // namespace otter::store
