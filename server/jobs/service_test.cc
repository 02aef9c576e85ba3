#include "otter/jobs/service.h"

#include <filesystem>
#include <fstream>
#include <random>

#include <gtest/gtest.h>

#include "otter/model/json.h"
#include "otter/store/sqlite_store.h"

namespace otter::jobs {
namespace {

using namespace otter::model;
namespace fs = std::filesystem;

class ServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("otter-service-" + std::to_string(std::random_device{}()));
    fs::create_directories(dir_);
    core_ = std::make_unique<Core>(store::open_sqlite_store(dir_ / "otterd.db"), clock_, metrics_);
    core_->set_notification_sink([this](const std::vector<NextExecutionChange>& c) {
      notified_.insert(notified_.end(), c.begin(), c.end());
    });
    image_ = dir_ / "fw.bin";
    std::ofstream(image_, std::ios::binary) << std::string(5000, 'x');
  }
  void TearDown() override {
    core_.reset();
    fs::remove_all(dir_);
  }

  OtaJobSpec ota_job(const std::string& id, const std::string& thing) {
    OtaJobSpec spec;
    spec.job.id = id;
    spec.job.targets = {{JobTarget::Kind::Thing, thing}};
    OtaJobFile f;
    f.file.filepath = "fw.bin";
    f.file.fileid = -1;
    f.file.certfile = "Code_Verify_Key";
    f.file.signature_base64 = "MEUCIQ==";
    f.source_path = image_.string();
    spec.files.push_back(f);
    return spec;
  }

  fs::path dir_;
  fs::path image_;
  ManualClock clock_;
  Metrics metrics_;
  std::unique_ptr<Core> core_;
  std::vector<NextExecutionChange> notified_;
};

TEST_F(ServiceTest, AnOtaJobRegistersItsStreamAndNotifiesTheTarget) {
  Registry registry(*core_);
  JobService jobs(*core_);
  registry.create_thing("dev-1");
  Job job = jobs.create_ota_job(ota_job("j1", "dev-1"));
  EXPECT_EQ(job.stream_name, "otter-j1");
  auto stream = jobs.stream("otter-j1");
  ASSERT_TRUE(stream);
  EXPECT_EQ(stream->files.at(0).size, 5000);
  EXPECT_EQ(job.spec.document["afr_ota"]["files"][0]["filesize"], 5000);
  ASSERT_EQ(notified_.size(), 1u);
  EXPECT_EQ(notified_[0].thing_name, "dev-1");
  EXPECT_EQ(notified_[0].next->job_id, "j1");
}

TEST_F(ServiceTest, AStreamWhoseFileSizeDiffersIsRefused) {
  JobService jobs(*core_);
  Stream s{"s1", "", {{0, 4999, image_.string()}}, 0};
  EXPECT_THROW(jobs.register_stream(s), JobsError);
  s.files[0].source_path = (dir_ / "missing.bin").string();
  EXPECT_THROW(jobs.register_stream(s), JobsError);
  EXPECT_FALSE(jobs.stream("s1"));
}

TEST_F(ServiceTest, AFailedCallChangesNothing) {
  Registry registry(*core_);
  JobService jobs(*core_);
  registry.create_thing("dev-1");
  auto spec = ota_job("j1", "dev-1");
  spec.job.targets.push_back({JobTarget::Kind::Thing, "ghost"});
  EXPECT_THROW(jobs.create_ota_job(spec), JobsError);
  EXPECT_FALSE(jobs.stream("otter-j1"));  // the stream registration rolled back with the job
  EXPECT_TRUE(jobs.jobs().empty());
  EXPECT_TRUE(notified_.empty());
}

TEST_F(ServiceTest, AddingAThingToAGroupStartsTheContinuousJob) {
  Registry registry(*core_);
  JobService jobs(*core_);
  registry.create_thing("dev-1");
  registry.create_group("fleet");
  auto spec = ota_job("j1", "dev-1");
  spec.job.targets = {{JobTarget::Kind::Group, "fleet"}};
  spec.job.target_selection = TargetSelection::Continuous;
  jobs.create_ota_job(spec);
  EXPECT_TRUE(notified_.empty());
  registry.add_to_group("fleet", "dev-1");
  ASSERT_EQ(notified_.size(), 1u);
  EXPECT_EQ(jobs.execution("j1", "dev-1")->status, ExecutionStatus::Queued);
}

TEST_F(ServiceTest, AGroupIsCreatedWithAllItsMembersInOneTransaction) {
  Registry registry(*core_);
  for (const char* t : {"dev-1", "dev-2", "dev-3"}) registry.create_thing(t);
  const auto before = metrics_.store_transactions.load();
  registry.create_group("fleet", "all", {"dev-1", "dev-2", "dev-3", "dev-2"});
  EXPECT_EQ(metrics_.store_transactions.load(), before + 1);
  EXPECT_EQ(registry.members("fleet"), (std::vector<std::string>{"dev-1", "dev-2", "dev-3"}));
}

TEST_F(ServiceTest, AGroupWithAnUnknownMemberIsNotCreatedAtAll) {
  Registry registry(*core_);
  registry.create_thing("dev-1");
  try {
    registry.create_group("fleet", "", {"dev-1", "ghost"});
    FAIL() << "an unknown member was accepted";
  } catch (const JobsError& e) {
    EXPECT_EQ(e.code, JobsError::Code::NotFound);
    EXPECT_NE(std::string(e.what()).find("ghost"), std::string::npos);
  }
  EXPECT_FALSE(registry.group("fleet"));
  EXPECT_TRUE(registry.groups_of("dev-1").empty());
}

TEST_F(ServiceTest, RegistryErrorsNameTheProblem) {
  Registry registry(*core_);
  registry.create_thing("dev-1");
  try {
    registry.create_thing("dev-1");
    FAIL();
  } catch (const JobsError& e) {
    EXPECT_EQ(e.code, JobsError::Code::AlreadyExists);
  }
  EXPECT_THROW(registry.create_thing("bad name"), JobsError);
  EXPECT_THROW(registry.add_to_group("nogroup", "dev-1"), JobsError);
  EXPECT_THROW(registry.delete_thing("ghost"), JobsError);
}

TEST_F(ServiceTest, SummaryCountsExecutionsByStatus) {
  Registry registry(*core_);
  JobService jobs(*core_);
  registry.create_thing("dev-1");
  jobs.create_ota_job(ota_job("j1", "dev-1"));
  auto summary = jobs.summary("j1");
  EXPECT_EQ(summary.executions_by_status.at(0).first, ExecutionStatus::Queued);
  EXPECT_EQ(summary.executions_by_status.at(0).second, 1);
  EXPECT_THROW(jobs.summary("nope"), JobsError);
}

}  // namespace
}  // namespace otter::jobs
