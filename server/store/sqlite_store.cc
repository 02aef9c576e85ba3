// The embedded store. Durability: WAL journal with synchronous=FULL, so a
// committed transaction is on disk (the WAL is fsynced at every commit) before
// commit() returns; otterd acknowledges device updates only after commit.
// Throughput comes from batching (the MQTT side commits a batch of device
// messages per transaction), not from weakening fsync.
#include <map>
#include <memory>

#include <nlohmann/json.hpp>

#include "otter/model/json.h"
#include "otter/store/sqlite_store.h"
#include "sqlite.h"

namespace otter::store {
namespace {

using namespace otter::model;
using nlohmann::json;
using sqlite::Database;

// Append-only: a released schema is never edited, a new step is added.
const char* const kMigrations[] = {
    // 1: initial schema
    R"sql(
CREATE TABLE things(
  name TEXT PRIMARY KEY, attributes TEXT NOT NULL,
  created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE thing_groups(
  name TEXT PRIMARY KEY, description TEXT NOT NULL, created_at INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE group_members(
  group_name TEXT NOT NULL, thing_name TEXT NOT NULL,
  PRIMARY KEY(group_name, thing_name)) WITHOUT ROWID;
CREATE INDEX group_members_by_thing ON group_members(thing_name);
CREATE TABLE jobs(
  seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE, spec TEXT NOT NULL,
  status TEXT NOT NULL, stream_name TEXT NOT NULL, reason_code TEXT NOT NULL, comment TEXT NOT NULL,
  force_canceled INTEGER NOT NULL, rollout_rate REAL NOT NULL, rollout_notified INTEGER NOT NULL,
  rollout_succeeded INTEGER NOT NULL, created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL,
  completed_at INTEGER);
CREATE INDEX jobs_by_status ON jobs(status);
CREATE TABLE job_pending(
  seq INTEGER PRIMARY KEY AUTOINCREMENT, job_id TEXT NOT NULL, thing_name TEXT NOT NULL,
  UNIQUE(job_id, thing_name));
CREATE TABLE executions(
  job_id TEXT NOT NULL, thing_name TEXT NOT NULL, job_seq INTEGER NOT NULL,
  status TEXT NOT NULL, status_details TEXT NOT NULL,
  version_number INTEGER NOT NULL, execution_number INTEGER NOT NULL, retry_attempt INTEGER NOT NULL,
  queued_at INTEGER NOT NULL, started_at INTEGER, last_updated_at INTEGER NOT NULL, timeout_at INTEGER,
  PRIMARY KEY(job_id, thing_name)) WITHOUT ROWID;
CREATE INDEX executions_by_thing ON executions(thing_name, status, queued_at, job_seq);
CREATE INDEX executions_by_job_status ON executions(job_id, status, queued_at);
CREATE INDEX executions_timeouts ON executions(timeout_at) WHERE status = 'IN_PROGRESS';
CREATE TABLE execution_events(
  seq INTEGER PRIMARY KEY AUTOINCREMENT, job_id TEXT NOT NULL, thing_name TEXT NOT NULL,
  at INTEGER NOT NULL, status TEXT NOT NULL, status_details TEXT NOT NULL,
  version_number INTEGER NOT NULL, execution_number INTEGER NOT NULL);
CREATE INDEX execution_events_by_execution ON execution_events(job_id, thing_name);
CREATE TABLE streams(
  id TEXT PRIMARY KEY, description TEXT NOT NULL, files TEXT NOT NULL, created_at INTEGER NOT NULL) WITHOUT ROWID;
)sql",
};
constexpr int kSchemaVersion = static_cast<int>(std::size(kMigrations));

const char* const kExecutionColumns =
    "job_id, thing_name, status, status_details, version_number, execution_number, retry_attempt, "
    "queued_at, started_at, last_updated_at, timeout_at";

const char* const kJobColumns =
    "spec, status, stream_name, reason_code, comment, force_canceled, rollout_rate, rollout_notified, "
    "rollout_succeeded, created_at, updated_at, completed_at";

std::string details_text(const StatusDetails& d) { return to_json(d).dump(); }

StatusDetails details_of(const std::string& text) {
  json j = json::parse(text, nullptr, false);
  if (j.is_discarded()) throw StoreError("corrupt statusDetails in database");
  return status_details_from_json(j);
}

ExecutionStatus status_of(const std::string& text) {
  auto s = parse_execution_status(text);
  if (!s) throw StoreError("corrupt execution status in database: " + text);
  return *s;
}

class SqliteStore final : public Store {
 public:
  explicit SqliteStore(const std::filesystem::path& file) : db_(file.string()) {
    db_.exec("PRAGMA journal_mode=WAL");
    db_.exec("PRAGMA synchronous=FULL");
    db_.exec("PRAGMA foreign_keys=OFF");
    migrate();
  }

  void begin() override { db_.exec("BEGIN IMMEDIATE"); }
  void commit() override { db_.exec("COMMIT"); }
  void rollback() override { db_.exec("ROLLBACK"); }

  bool insert_thing(const Thing& t) override {
    auto q = db_.query(
        "INSERT INTO things(name, attributes, created_at, updated_at) VALUES(?,?,?,?) ON CONFLICT DO NOTHING");
    q->bind(1, t.name).bind(2, attributes_text(t.attributes)).bind(3, t.created_at).bind(4, t.updated_at).run();
    return db_.changes() == 1;
  }
  bool update_thing(const Thing& t) override {
    auto q = db_.query("UPDATE things SET attributes = ?, updated_at = ? WHERE name = ?");
    q->bind(1, attributes_text(t.attributes)).bind(2, t.updated_at).bind(3, t.name).run();
    return db_.changes() == 1;
  }
  bool delete_thing(std::string_view name) override {
    auto q = db_.query("DELETE FROM things WHERE name = ?");
    q->bind(1, name).run();
    bool deleted = db_.changes() == 1;
    auto m = db_.query("DELETE FROM group_members WHERE thing_name = ?");
    m->bind(1, name).run();
    auto p = db_.query("DELETE FROM job_pending WHERE thing_name = ?");
    p->bind(1, name).run();
    return deleted;
  }
  std::optional<Thing> thing(std::string_view name) override {
    auto q = db_.query("SELECT name, attributes, created_at, updated_at FROM things WHERE name = ?");
    q->bind(1, name);
    if (!q->step()) return std::nullopt;
    return thing_row(*q);
  }
  std::vector<Thing> things() override {
    auto q = db_.query("SELECT name, attributes, created_at, updated_at FROM things ORDER BY name");
    std::vector<Thing> out;
    while (q->step()) out.push_back(thing_row(*q));
    return out;
  }

  bool insert_group(const ThingGroup& g) override {
    auto q = db_.query(
        "INSERT INTO thing_groups(name, description, created_at) VALUES(?,?,?) ON CONFLICT DO NOTHING");
    q->bind(1, g.name).bind(2, g.description).bind(3, g.created_at).run();
    return db_.changes() == 1;
  }
  bool delete_group(std::string_view name) override {
    auto q = db_.query("DELETE FROM thing_groups WHERE name = ?");
    q->bind(1, name).run();
    bool deleted = db_.changes() == 1;
    auto m = db_.query("DELETE FROM group_members WHERE group_name = ?");
    m->bind(1, name).run();
    return deleted;
  }
  std::optional<ThingGroup> group(std::string_view name) override {
    auto q = db_.query("SELECT name, description, created_at FROM thing_groups WHERE name = ?");
    q->bind(1, name);
    if (!q->step()) return std::nullopt;
    return ThingGroup{q->text(0), q->text(1), q->integer(2)};
  }
  std::vector<ThingGroup> groups() override {
    auto q = db_.query("SELECT name, description, created_at FROM thing_groups ORDER BY name");
    std::vector<ThingGroup> out;
    while (q->step()) out.push_back({q->text(0), q->text(1), q->integer(2)});
    return out;
  }
  bool add_member(std::string_view group, std::string_view thing) override {
    auto q = db_.query("INSERT INTO group_members(group_name, thing_name) VALUES(?,?) ON CONFLICT DO NOTHING");
    q->bind(1, group).bind(2, thing).run();
    return db_.changes() == 1;
  }
  bool remove_member(std::string_view group, std::string_view thing) override {
    auto q = db_.query("DELETE FROM group_members WHERE group_name = ? AND thing_name = ?");
    q->bind(1, group).bind(2, thing).run();
    return db_.changes() == 1;
  }
  std::vector<std::string> members(std::string_view group) override {
    return strings("SELECT thing_name FROM group_members WHERE group_name = ? ORDER BY thing_name", group);
  }
  std::vector<std::string> groups_of(std::string_view thing) override {
    return strings("SELECT group_name FROM group_members WHERE thing_name = ? ORDER BY group_name", thing);
  }

  bool insert_job(const Job& job) override {
    auto q = db_.query(std::string("INSERT INTO jobs(id, ") + kJobColumns +
                       ") VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?) ON CONFLICT DO NOTHING");
    q->bind(1, job.id());
    bind_job(*q, job, 2);
    q->run();
    return db_.changes() == 1;
  }
  void update_job(const Job& job) override {
    auto q = db_.query(
        "UPDATE jobs SET spec=?, status=?, stream_name=?, reason_code=?, comment=?, force_canceled=?, "
        "rollout_rate=?, rollout_notified=?, rollout_succeeded=?, created_at=?, updated_at=?, completed_at=? "
        "WHERE id=?");
    bind_job(*q, job, 1);
    q->bind(13, job.id()).run();
    if (db_.changes() != 1) throw StoreError("update of unknown job " + job.id());
  }
  std::optional<Job> job(std::string_view id) override {
    auto q = db_.query(std::string("SELECT ") + kJobColumns + " FROM jobs WHERE id = ?");
    q->bind(1, id);
    if (!q->step()) return std::nullopt;
    return job_row(*q);
  }
  std::vector<Job> jobs() override {
    auto q = db_.query(std::string("SELECT ") + kJobColumns + " FROM jobs ORDER BY seq");
    std::vector<Job> out;
    while (q->step()) out.push_back(job_row(*q));
    return out;
  }
  std::vector<Job> jobs_in_progress() override {
    auto q = db_.query(std::string("SELECT ") + kJobColumns + " FROM jobs WHERE status = 'IN_PROGRESS' ORDER BY seq");
    std::vector<Job> out;
    while (q->step()) out.push_back(job_row(*q));
    return out;
  }

  void add_pending(std::string_view job, std::string_view thing) override {
    auto q = db_.query("INSERT INTO job_pending(job_id, thing_name) VALUES(?,?) ON CONFLICT DO NOTHING");
    q->bind(1, job).bind(2, thing).run();
  }
  std::vector<std::string> pending(std::string_view job, std::int64_t limit) override {
    auto q = db_.query("SELECT thing_name FROM job_pending WHERE job_id = ? ORDER BY seq LIMIT ?");
    q->bind(1, job).bind(2, limit);
    std::vector<std::string> out;
    while (q->step()) out.push_back(q->text(0));
    return out;
  }
  bool is_pending(std::string_view job, std::string_view thing) override {
    auto q = db_.query("SELECT 1 FROM job_pending WHERE job_id = ? AND thing_name = ?");
    q->bind(1, job).bind(2, thing);
    return q->step();
  }
  void remove_pending(std::string_view job, std::string_view thing) override {
    auto q = db_.query("DELETE FROM job_pending WHERE job_id = ? AND thing_name = ?");
    q->bind(1, job).bind(2, thing).run();
  }
  void clear_pending(std::string_view job) override {
    auto q = db_.query("DELETE FROM job_pending WHERE job_id = ?");
    q->bind(1, job).run();
  }
  std::int64_t count_pending(std::string_view job) override {
    return count("SELECT count(*) FROM job_pending WHERE job_id = ?", job);
  }

  void insert_execution(const JobExecution& e) override {
    auto q = db_.query(std::string("INSERT INTO executions(job_seq, ") + kExecutionColumns +
                       ") VALUES((SELECT seq FROM jobs WHERE id = ?1),?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11)");
    bind_execution(*q, e);
    q->run();
  }
  void update_execution(const JobExecution& e) override {
    auto q = db_.query(
        "UPDATE executions SET status=?3, status_details=?4, version_number=?5, execution_number=?6, "
        "retry_attempt=?7, queued_at=?8, started_at=?9, last_updated_at=?10, timeout_at=?11 "
        "WHERE job_id=?1 AND thing_name=?2");
    bind_execution(*q, e);
    q->run();
    if (db_.changes() != 1) throw StoreError("update of unknown execution " + e.job_id + "/" + e.thing_name);
  }
  std::optional<JobExecution> execution(std::string_view job, std::string_view thing) override {
    auto q = db_.query(std::string("SELECT ") + kExecutionColumns +
                       " FROM executions WHERE job_id = ? AND thing_name = ?");
    q->bind(1, job).bind(2, thing);
    if (!q->step()) return std::nullopt;
    return execution_row(*q);
  }
  std::vector<JobExecution> executions_of_job(std::string_view job) override {
    return executions(std::string("SELECT ") + kExecutionColumns +
                          " FROM executions WHERE job_id = ? ORDER BY queued_at, thing_name",
                      job);
  }
  std::vector<JobExecution> executions_of_thing(std::string_view thing) override {
    return executions(std::string("SELECT ") + kExecutionColumns +
                          " FROM executions WHERE thing_name = ? ORDER BY queued_at, job_seq",
                      thing);
  }
  std::vector<JobExecution> pending_executions_of_thing(std::string_view thing) override {
    return executions(std::string("SELECT ") + kExecutionColumns +
                          " FROM executions WHERE thing_name = ? AND status IN ('QUEUED','IN_PROGRESS') "
                          "ORDER BY queued_at, job_seq",
                      thing);
  }
  std::vector<JobExecution> executions_with_status(std::string_view job, ExecutionStatus status) override {
    auto q = db_.query(std::string("SELECT ") + kExecutionColumns +
                       " FROM executions WHERE job_id = ? AND status = ? ORDER BY queued_at, thing_name");
    q->bind(1, job).bind(2, to_string(status));
    std::vector<JobExecution> out;
    while (q->step()) out.push_back(execution_row(*q));
    return out;
  }
  std::int64_t count_executions(std::string_view job) override {
    return count("SELECT count(*) FROM executions WHERE job_id = ?", job);
  }
  std::int64_t count_executions(std::string_view job, ExecutionStatus status) override {
    auto q = db_.query("SELECT count(*) FROM executions WHERE job_id = ? AND status = ?");
    q->bind(1, job).bind(2, to_string(status));
    q->step();
    return q->integer(0);
  }
  std::int64_t count_queued_since(std::string_view job, Millis since) override {
    auto q = db_.query("SELECT count(*) FROM executions WHERE job_id = ? AND queued_at > ?");
    q->bind(1, job).bind(2, since);
    q->step();
    return q->integer(0);
  }
  std::vector<JobExecution> expired_executions(Millis now) override {
    auto q = db_.query(std::string("SELECT ") + kExecutionColumns +
                       " FROM executions WHERE status = 'IN_PROGRESS' AND timeout_at <= ? ORDER BY timeout_at");
    q->bind(1, now);
    std::vector<JobExecution> out;
    while (q->step()) out.push_back(execution_row(*q));
    return out;
  }
  std::vector<std::pair<ExecutionStatus, std::int64_t>> execution_counts() override {
    auto q = db_.query("SELECT status, count(*) FROM executions GROUP BY status ORDER BY status");
    std::vector<std::pair<ExecutionStatus, std::int64_t>> out;
    while (q->step()) out.emplace_back(status_of(q->text(0)), q->integer(1));
    return out;
  }

  void append_event(const ExecutionEvent& e) override {
    auto q = db_.query(
        "INSERT INTO execution_events(job_id, thing_name, at, status, status_details, version_number, "
        "execution_number) VALUES(?,?,?,?,?,?,?)");
    q->bind(1, e.job_id)
        .bind(2, e.thing_name)
        .bind(3, e.at)
        .bind(4, to_string(e.status))
        .bind(5, details_text(e.status_details))
        .bind(6, e.version_number)
        .bind(7, e.execution_number)
        .run();
  }
  std::vector<ExecutionEvent> events(std::string_view job, std::string_view thing) override {
    auto q = db_.query(
        "SELECT seq, job_id, thing_name, at, status, status_details, version_number, execution_number "
        "FROM execution_events WHERE job_id = ? AND thing_name = ? ORDER BY seq");
    q->bind(1, job).bind(2, thing);
    std::vector<ExecutionEvent> out;
    while (q->step()) out.push_back(event_row(*q));
    return out;
  }
  std::vector<ExecutionEvent> events_after(std::int64_t seq, std::int64_t limit) override {
    auto q = db_.query(
        "SELECT seq, job_id, thing_name, at, status, status_details, version_number, execution_number "
        "FROM execution_events WHERE seq > ? ORDER BY seq LIMIT ?");
    q->bind(1, seq).bind(2, limit);
    std::vector<ExecutionEvent> out;
    while (q->step()) out.push_back(event_row(*q));
    return out;
  }

  void put_stream(const Stream& s) override {
    json files = to_json(s)["files"];
    auto q = db_.query(
        "INSERT INTO streams(id, description, files, created_at) VALUES(?,?,?,?) "
        "ON CONFLICT(id) DO UPDATE SET description=excluded.description, files=excluded.files");
    q->bind(1, s.id).bind(2, s.description).bind(3, files.dump()).bind(4, s.created_at).run();
  }
  bool delete_stream(std::string_view id) override {
    auto q = db_.query("DELETE FROM streams WHERE id = ?");
    q->bind(1, id).run();
    return db_.changes() == 1;
  }
  std::optional<Stream> stream(std::string_view id) override {
    auto q = db_.query("SELECT id, description, files, created_at FROM streams WHERE id = ?");
    q->bind(1, id);
    if (!q->step()) return std::nullopt;
    return stream_row(*q);
  }
  std::vector<Stream> streams() override {
    auto q = db_.query("SELECT id, description, files, created_at FROM streams ORDER BY id");
    std::vector<Stream> out;
    while (q->step()) out.push_back(stream_row(*q));
    return out;
  }
  bool may_read_stream(std::string_view thing, std::string_view stream) override {
    auto q = db_.query(
        "SELECT 1 FROM executions e JOIN jobs j ON j.id = e.job_id WHERE e.thing_name = ? "
        "AND e.status IN ('QUEUED','IN_PROGRESS') AND j.stream_name = ? LIMIT 1");
    q->bind(1, thing).bind(2, stream);
    return q->step();
  }

 private:
  void migrate() {
    int version = 0;
    {
      auto q = db_.query("PRAGMA user_version");
      if (q->step()) version = static_cast<int>(q->integer(0));
    }
    if (version > kSchemaVersion)
      throw StoreError("database schema version " + std::to_string(version) + " is newer than this otterd (" +
                       std::to_string(kSchemaVersion) + "); upgrade otterd");
    for (int v = version; v < kSchemaVersion; ++v) {
      db_.exec("BEGIN IMMEDIATE");
      try {
        db_.exec(kMigrations[v]);
        db_.exec("PRAGMA user_version = " + std::to_string(v + 1));
        db_.exec("COMMIT");
      } catch (...) {
        db_.exec("ROLLBACK");
        throw;
      }
    }
  }

  static std::string attributes_text(const Attributes& a) {
    json j = json::object();
    for (const auto& [k, v] : a) j[k] = v;
    return j.dump();
  }

  static Thing thing_row(sqlite::Statement& s) {
    Thing t;
    t.name = s.text(0);
    json a = json::parse(s.text(1), nullptr, false);
    if (a.is_discarded()) throw StoreError("corrupt attributes of thing " + t.name);
    t.attributes = attributes_from_json(a);
    t.created_at = s.integer(2);
    t.updated_at = s.integer(3);
    return t;
  }

  static void bind_job(sqlite::Statement& s, const Job& job, int first) {
    s.bind(first, to_json(job.spec).dump())
        .bind(first + 1, to_string(job.status))
        .bind(first + 2, job.stream_name)
        .bind(first + 3, job.reason_code)
        .bind(first + 4, job.comment)
        .bind(first + 5, std::int64_t{job.force_canceled ? 1 : 0})
        .bind(first + 6, job.rollout_state.current_rate_per_minute)
        .bind(first + 7, job.rollout_state.notified_at_last_increase)
        .bind(first + 8, job.rollout_state.succeeded_at_last_increase)
        .bind(first + 9, job.created_at)
        .bind(first + 10, job.updated_at)
        .bind(first + 11, job.completed_at);
  }

  Job job_row(sqlite::Statement& s) {
    Job job;
    // A job's spec (with possibly thousands of targets) is read on every device
    // update; parse each distinct text once.
    std::string text = s.text(0);
    auto cached = spec_cache_.find(text);
    if (cached == spec_cache_.end()) {
      json spec = json::parse(text, nullptr, false);
      if (spec.is_discarded()) throw StoreError("corrupt job spec in database");
      if (spec_cache_.size() > 256) spec_cache_.clear();
      cached = spec_cache_.emplace(std::move(text), std::make_shared<const JobSpec>(job_spec_from_json(spec))).first;
    }
    job.spec = *cached->second;
    auto status = parse_job_status(s.text(1));
    if (!status) throw StoreError("corrupt job status in database");
    job.status = *status;
    job.stream_name = s.text(2);
    job.reason_code = s.text(3);
    job.comment = s.text(4);
    job.force_canceled = s.integer(5) != 0;
    job.rollout_state.current_rate_per_minute = s.real(6);
    job.rollout_state.notified_at_last_increase = s.integer(7);
    job.rollout_state.succeeded_at_last_increase = s.integer(8);
    job.created_at = s.integer(9);
    job.updated_at = s.integer(10);
    job.completed_at = s.optional_integer(11);
    return job;
  }

  static void bind_execution(sqlite::Statement& s, const JobExecution& e) {
    s.bind(1, e.job_id)
        .bind(2, e.thing_name)
        .bind(3, to_string(e.status))
        .bind(4, details_text(e.status_details))
        .bind(5, e.version_number)
        .bind(6, e.execution_number)
        .bind(7, e.retry_attempt)
        .bind(8, e.queued_at)
        .bind(9, e.started_at)
        .bind(10, e.last_updated_at)
        .bind(11, e.timeout_at);
  }

  static JobExecution execution_row(sqlite::Statement& s) {
    JobExecution e;
    e.job_id = s.text(0);
    e.thing_name = s.text(1);
    e.status = status_of(s.text(2));
    e.status_details = details_of(s.text(3));
    e.version_number = s.integer(4);
    e.execution_number = s.integer(5);
    e.retry_attempt = s.integer(6);
    e.queued_at = s.integer(7);
    e.started_at = s.optional_integer(8);
    e.last_updated_at = s.integer(9);
    e.timeout_at = s.optional_integer(10);
    return e;
  }

  static ExecutionEvent event_row(sqlite::Statement& s) {
    ExecutionEvent e;
    e.seq = s.integer(0);
    e.job_id = s.text(1);
    e.thing_name = s.text(2);
    e.at = s.integer(3);
    e.status = status_of(s.text(4));
    e.status_details = details_of(s.text(5));
    e.version_number = s.integer(6);
    e.execution_number = s.integer(7);
    return e;
  }

  static Stream stream_row(sqlite::Statement& s) {
    json files = json::parse(s.text(2), nullptr, false);
    if (files.is_discarded()) throw StoreError("corrupt stream files in database");
    json j = {{"streamId", s.text(0)}, {"description", s.text(1)}, {"files", files}};
    Stream stream = stream_from_json(j);
    stream.created_at = s.integer(3);
    return stream;
  }

  std::vector<JobExecution> executions(const std::string& sql, std::string_view key) {
    auto q = db_.query(sql);
    q->bind(1, key);
    std::vector<JobExecution> out;
    while (q->step()) out.push_back(execution_row(*q));
    return out;
  }

  std::vector<std::string> strings(const std::string& sql, std::string_view key) {
    auto q = db_.query(sql);
    q->bind(1, key);
    std::vector<std::string> out;
    while (q->step()) out.push_back(q->text(0));
    return out;
  }

  std::int64_t count(const std::string& sql, std::string_view key) {
    auto q = db_.query(sql);
    q->bind(1, key);
    q->step();
    return q->integer(0);
  }

  Database db_;
  std::map<std::string, std::shared_ptr<const JobSpec>, std::less<>> spec_cache_;
};

}  // namespace

std::unique_ptr<Store> open_sqlite_store(const std::filesystem::path& file) {
  return std::make_unique<SqliteStore>(file);
}

int sqlite_schema_version() { return kSchemaVersion; }

}  // namespace otter::store
