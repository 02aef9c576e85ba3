#include <sqlite3.h>

#include <filesystem>
#include <random>

#include <gtest/gtest.h>

#include "otter/store/sqlite_store.h"

namespace otter::store {
namespace {

using namespace otter::model;
namespace fs = std::filesystem;

class SqliteStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("otter-store-" + std::to_string(std::random_device{}()));
    fs::create_directories(dir_);
    file_ = dir_ / "otterd.db";
    store_ = open_sqlite_store(file_);
  }
  void TearDown() override {
    store_.reset();
    fs::remove_all(dir_);
  }

  Job job(const std::string& id, const std::string& stream = "") {
    Job j;
    j.spec.id = id;
    j.spec.document = {{"afr_ota", {{"streamname", stream}}}};
    j.spec.targets = {{JobTarget::Kind::Thing, "a"}};
    j.stream_name = stream;
    j.created_at = 1000;
    j.updated_at = 1000;
    return j;
  }

  JobExecution execution(const std::string& job_id, const std::string& thing, Millis queued,
                         ExecutionStatus status = ExecutionStatus::Queued) {
    JobExecution e;
    e.job_id = job_id;
    e.thing_name = thing;
    e.status = status;
    e.queued_at = queued;
    e.last_updated_at = queued;
    return e;
  }

  fs::path dir_;
  fs::path file_;
  std::unique_ptr<Store> store_;
};

TEST_F(SqliteStoreTest, CommittedChangesSurviveReopening) {
  Transaction tx(*store_);
  ASSERT_TRUE(store_->insert_thing({"dev-1", {{"board", "numaker-iot-m487"}}, 1, 1}));
  ASSERT_TRUE(store_->insert_job(job("j1")));
  auto e = execution("j1", "dev-1", 5);
  e.status_details = {{"receive", "1/74"}};
  store_->insert_execution(e);
  tx.commit();
  store_.reset();
  store_ = open_sqlite_store(file_);
  EXPECT_EQ(store_->thing("dev-1")->attributes.at("board"), "numaker-iot-m487");
  EXPECT_EQ(store_->execution("j1", "dev-1")->status_details.at("receive"), "1/74");
  EXPECT_EQ(store_->job("j1")->spec.targets.at(0).name, "a");
}

TEST_F(SqliteStoreTest, RolledBackChangesAreGone) {
  {
    Transaction tx(*store_);
    store_->insert_thing({"dev-1", {}, 1, 1});
  }
  EXPECT_FALSE(store_->thing("dev-1").has_value());
}

TEST_F(SqliteStoreTest, UsesWalJournalAndFullSync) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(file_.c_str(), &db), SQLITE_OK);
  sqlite3_stmt* stmt = nullptr;
  sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &stmt, nullptr);
  ASSERT_EQ(sqlite3_step(stmt), SQLITE_ROW);
  EXPECT_STREQ(reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0)), "wal");
  sqlite3_finalize(stmt);
  sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &stmt, nullptr);
  ASSERT_EQ(sqlite3_step(stmt), SQLITE_ROW);
  EXPECT_EQ(sqlite3_column_int(stmt, 0), sqlite_schema_version());
  sqlite3_finalize(stmt);
  sqlite3_close(db);
}

TEST_F(SqliteStoreTest, RefusesADatabaseFromANewerOtterd) {
  store_.reset();
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(file_.c_str(), &db), SQLITE_OK);
  sqlite3_exec(db, ("PRAGMA user_version = " + std::to_string(sqlite_schema_version() + 1)).c_str(), nullptr, nullptr,
               nullptr);
  sqlite3_close(db);
  EXPECT_THROW(open_sqlite_store(file_), StoreError);
}

TEST_F(SqliteStoreTest, DuplicateThingIsReportedNotThrown) {
  EXPECT_TRUE(store_->insert_thing({"dev-1", {}, 1, 1}));
  EXPECT_FALSE(store_->insert_thing({"dev-1", {}, 2, 2}));
}

TEST_F(SqliteStoreTest, PendingTargetsComeBackInSelectionOrder) {
  store_->add_pending("j1", "c");
  store_->add_pending("j1", "a");
  store_->add_pending("j1", "b");
  store_->add_pending("j1", "a");  // duplicate ignored
  EXPECT_EQ(store_->pending("j1", 2), (std::vector<std::string>{"c", "a"}));
  EXPECT_EQ(store_->count_pending("j1"), 3);
  store_->remove_pending("j1", "c");
  EXPECT_EQ(store_->pending("j1", 10), (std::vector<std::string>{"a", "b"}));
}

TEST_F(SqliteStoreTest, PendingExecutionsOfAThingAreOldestFirstAndSkipTerminalOnes) {
  store_->insert_job(job("old"));
  store_->insert_job(job("new"));
  store_->insert_job(job("done"));
  store_->insert_execution(execution("new", "t", 20));
  store_->insert_execution(execution("old", "t", 10, ExecutionStatus::InProgress));
  store_->insert_execution(execution("done", "t", 5, ExecutionStatus::Succeeded));
  auto pending = store_->pending_executions_of_thing("t");
  ASSERT_EQ(pending.size(), 2u);
  EXPECT_EQ(pending[0].job_id, "old");
  EXPECT_EQ(pending[1].job_id, "new");
}

TEST_F(SqliteStoreTest, ExpiredExecutionsAreInProgressOnesPastTheirTimeout) {
  store_->insert_job(job("j"));
  auto a = execution("j", "a", 1, ExecutionStatus::InProgress);
  a.timeout_at = 100;
  auto b = execution("j", "b", 1, ExecutionStatus::InProgress);
  b.timeout_at = 300;
  auto c = execution("j", "c", 1, ExecutionStatus::Queued);
  c.timeout_at = 50;
  store_->insert_execution(a);
  store_->insert_execution(b);
  store_->insert_execution(c);
  auto expired = store_->expired_executions(200);
  ASSERT_EQ(expired.size(), 1u);
  EXPECT_EQ(expired[0].thing_name, "a");
}

TEST_F(SqliteStoreTest, AThingMayReadTheStreamOfItsUnfinishedJobOnly) {
  store_->insert_job(job("j", "s1"));
  store_->insert_execution(execution("j", "a", 1));
  store_->insert_execution(execution("j", "b", 1, ExecutionStatus::Succeeded));
  EXPECT_TRUE(store_->may_read_stream("a", "s1"));
  EXPECT_FALSE(store_->may_read_stream("a", "s2"));
  EXPECT_FALSE(store_->may_read_stream("b", "s1"));
  EXPECT_FALSE(store_->may_read_stream("c", "s1"));
}

TEST_F(SqliteStoreTest, EventsAreKeptInOrderWithTheDetailsAsSent) {
  store_->append_event({0, "j", "a", 1, ExecutionStatus::InProgress, {{"receive", "1/2"}}, 2, 1});
  store_->append_event({0, "j", "a", 2, ExecutionStatus::Succeeded, {{"reason", "accepted  v0.9.3"}}, 3, 1});
  auto events = store_->events("j", "a");
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[1].status_details.at("reason"), "accepted  v0.9.3");
  EXPECT_LT(events[0].seq, events[1].seq);
  EXPECT_EQ(store_->events_after(events[0].seq, 10).size(), 1u);
}

TEST_F(SqliteStoreTest, GroupMembershipWorksBothWays) {
  store_->insert_group({"g", "d", 1});
  EXPECT_TRUE(store_->add_member("g", "a"));
  EXPECT_FALSE(store_->add_member("g", "a"));
  EXPECT_EQ(store_->members("g"), std::vector<std::string>{"a"});
  EXPECT_EQ(store_->groups_of("a"), std::vector<std::string>{"g"});
  store_->delete_group("g");
  EXPECT_TRUE(store_->groups_of("a").empty());
}

TEST_F(SqliteStoreTest, StreamsRoundTrip) {
  store_->put_stream({"s", "fw", {{0, 1234, "/tmp/x.bin"}}, 7});
  auto s = store_->stream("s");
  ASSERT_TRUE(s);
  EXPECT_EQ(s->files.at(0).size, 1234);
  EXPECT_EQ(s->files.at(0).source_path, "/tmp/x.bin");
  EXPECT_TRUE(store_->delete_stream("s"));
  EXPECT_FALSE(store_->stream("s"));
}

}  // namespace
}  // namespace otter::store
