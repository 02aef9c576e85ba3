// otterd end to end over MQTT: a real Mosquitto with mutual TLS, otterd's
// Server in this process, and real devices (libmosquitto) with certificates
// from the Otter CA.
#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <set>

#include "harness.h"
#include "otter/otterd/server.h"

namespace otter::testing {
namespace {

using model::ExecutionStatus;
using nlohmann::json;

class OtterdOverMqtt : public ::testing::Test {
 protected:
  void SetUp() override {
    otterd::ServerConfig config;
    config.data_dir = stack_.data_dir();
    config.broker_port = stack_.port();
    config.tls = stack_.otterd_tls();
    config.gateway.tick_interval = std::chrono::milliseconds(100);
    server_ = std::make_unique<otterd::Server>(config);
    ASSERT_TRUE(eventually([&] { return server_->connected(); })) << "otterd did not connect to the broker";
  }

  // A registered thing, connected and subscribed like a device of Otter's (all answer topics).
  std::unique_ptr<TestDevice> device(const std::string& name, bool register_thing = true) {
    if (register_thing) server_->registry().create_thing(name);
    auto d = std::make_unique<TestDevice>(stack_.device(name), stack_.port());
    d->subscribe("$aws/things/" + name + "/jobs/notify-next");
    d->subscribe("$aws/things/" + name + "/jobs/$next/get/+");
    d->subscribe("$aws/things/" + name + "/jobs/+/get/+");
    d->subscribe("$aws/things/" + name + "/jobs/+/update/+");
    d->subscribe("$aws/things/" + name + "/streams/+/data/+");
    d->subscribe("$aws/things/" + name + "/streams/+/rejected/+");
    return d;
  }

  jobs::OtaJobSpec ota(const std::string& id, std::vector<std::string> things, std::size_t size = 10000) {
    image_ = stack_.image(id, size);
    jobs::OtaJobSpec spec;
    spec.job.id = id;
    for (auto& t : things) spec.job.targets.push_back({model::JobTarget::Kind::Thing, t});
    jobs::OtaJobFile f;
    f.file.filepath = "fw.bin";
    f.file.fileid = 0;
    f.file.certfile = "Code_Verify_Key";
    f.file.signature_base64 = "MEUCIQ==";
    f.source_path = image_.string();
    spec.files.push_back(f);
    return spec;
  }

  std::vector<std::uint8_t> image_bytes() {
    std::ifstream in(image_, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), {}};
  }

  ExecutionStatus status(const std::string& job, const std::string& thing) {
    return server_->jobs().execution(job, thing).value().status;
  }

  TestStack stack_;
  std::unique_ptr<otterd::Server> server_;
  std::filesystem::path image_;
};

TEST_F(OtterdOverMqtt, AnAgentListeningOnlyOnNotifyNextFindsItsJobThroughNextGet) {
  server_->registry().create_thing("aws-agent");
  server_->jobs().create_ota_job(ota("j1", {"aws-agent"}));
  // Subscribed to notify-next only, like AWS's agent; the job existed before it connected.
  TestDevice agent(stack_.device("aws-agent"), stack_.port());
  agent.subscribe(agent.jobs("notify-next"));
  agent.publish(agent.jobs("$next/get"), R"({"clientToken":":aws-agent"})");
  auto m = agent.next(agent.jobs("notify-next"));
  ASSERT_TRUE(m);
  json execution = m->json().at("execution");
  EXPECT_EQ(execution["jobId"], "j1");
  EXPECT_EQ(execution["status"], "QUEUED");
  EXPECT_EQ(execution["jobDocument"]["afr_ota"]["streamname"], "otter-j1");
  EXPECT_EQ(execution["jobDocument"]["afr_ota"]["files"][0]["filesize"], 10000);
}

TEST_F(OtterdOverMqtt, NextGetIsAnsweredOnAcceptedWithTheClientToken) {
  auto d = device("dev-1");
  server_->jobs().create_ota_job(ota("j1", {"dev-1"}));
  d->take(d->jobs("notify-next"));
  d->publish(d->jobs("$next/get"), R"({"clientToken":"7:dev-1"})");
  auto m = d->next(d->jobs("$next/get/accepted"));
  ASSERT_TRUE(m);
  EXPECT_EQ(m->json()["clientToken"], "7:dev-1");
  EXPECT_EQ(m->json()["execution"]["versionNumber"], 1);
}

TEST_F(OtterdOverMqtt, ANewJobIsPushedOnNotifyNext) {
  auto d = device("dev-1");
  server_->jobs().create_ota_job(ota("j1", {"dev-1"}));
  auto m = d->next(d->jobs("notify-next"));
  ASSERT_TRUE(m);
  EXPECT_EQ(m->json()["execution"]["jobId"], "j1");
}

TEST_F(OtterdOverMqtt, UpdatesAreAcceptedAndRecordedExactly) {
  auto d = device("dev-1");
  server_->jobs().create_ota_job(ota("j1", {"dev-1"}));
  d->publish(d->jobs("j1/update"), R"({"status":"IN_PROGRESS","statusDetails":{"self_test":"ready","updatedBy":"0x00090002"}})");
  ASSERT_TRUE(d->next(d->jobs("j1/update/accepted")));
  d->publish(d->jobs("j1/update"),
             R"({"status":"SUCCEEDED","statusDetails":{"reason":"accepted  v0.9.3","updatedBy":"  v0.9.2"}})");
  ASSERT_TRUE(d->next(d->jobs("j1/update/accepted")));
  auto events = server_->jobs().events("j1", "dev-1");
  ASSERT_EQ(events.size(), 3u);
  EXPECT_EQ(events[2].status, ExecutionStatus::Succeeded);
  EXPECT_EQ(events[2].status_details,
            (model::StatusDetails{{"reason", "accepted  v0.9.3"}, {"updatedBy", "  v0.9.2"}}));
  // The finished job leaves nothing pending: notify-next says so.
  bool told = eventually([&] {
    for (auto& m : d->take(d->jobs("notify-next")))
      if (!m.json().contains("execution")) return true;
    return false;
  });
  EXPECT_TRUE(told);
}

TEST_F(OtterdOverMqtt, AStaleExpectedVersionIsRejectedWithVersionMismatch) {
  auto d = device("dev-1");
  server_->jobs().create_ota_job(ota("j1", {"dev-1"}));
  d->publish(d->jobs("j1/update"), R"({"status":"IN_PROGRESS","expectedVersion":1,"clientToken":"a"})");
  ASSERT_TRUE(d->next(d->jobs("j1/update/accepted")));
  d->publish(d->jobs("j1/update"), R"({"status":"IN_PROGRESS","expectedVersion":1,"clientToken":"b"})");
  auto m = d->next(d->jobs("j1/update/rejected"));
  ASSERT_TRUE(m);
  EXPECT_EQ(m->json()["code"], "VersionMismatch");
  EXPECT_EQ(m->json()["clientToken"], "b");
  EXPECT_EQ(m->json()["executionState"]["versionNumber"], 2);
}

TEST_F(OtterdOverMqtt, UpdatingAFinishedExecutionIsAnInvalidStateTransition) {
  auto d = device("dev-1");
  server_->jobs().create_ota_job(ota("j1", {"dev-1"}));
  d->publish(d->jobs("j1/update"), R"({"status":"FAILED","statusDetails":{"reason":"0x1: 0x2"}})");
  ASSERT_TRUE(d->next(d->jobs("j1/update/accepted")));
  d->publish(d->jobs("j1/update"), R"({"status":"IN_PROGRESS"})");
  auto m = d->next(d->jobs("j1/update/rejected"));
  ASSERT_TRUE(m);
  EXPECT_EQ(m->json()["code"], "InvalidStateTransition");
}

TEST_F(OtterdOverMqtt, MalformedRequestsAreRejectedAndOtterdCarriesOn) {
  auto d = device("dev-1");
  server_->jobs().create_ota_job(ota("j1", {"dev-1"}));
  d->publish(d->jobs("j1/update"), std::string("{\"status\":"));
  auto m = d->next(d->jobs("j1/update/rejected"));
  ASSERT_TRUE(m);
  EXPECT_EQ(m->json()["code"], "InvalidJson");
  d->publish(d->jobs("j1/update"), std::vector<std::uint8_t>{0xFF, 0xFE, 0x00, 0x7B});
  ASSERT_TRUE(d->next(d->jobs("j1/update/rejected")));
  d->publish(d->jobs("j1/update"), R"({"status":"DONE"})");
  m = d->next(d->jobs("j1/update/rejected"));
  ASSERT_TRUE(m);
  EXPECT_EQ(m->json()["code"], "InvalidRequest");
  d->publish(d->jobs("j1/update"), R"({"status":"IN_PROGRESS"})");
  EXPECT_TRUE(d->next(d->jobs("j1/update/accepted")));
}

struct BlockCase {
  std::uint64_t block_size;
  std::uint64_t n;
  std::optional<std::vector<std::uint8_t>> bitmap;
  std::uint64_t offset;
  std::vector<std::uint64_t> expected;
};

TEST_F(OtterdOverMqtt, StreamRequestsGetTheWantedBlocksForVariousSizesAndBitmaps) {
  auto d = device("dev-1");
  server_->jobs().create_ota_job(ota("j1", {"dev-1"}, 10000));
  auto image = image_bytes();
  std::vector<BlockCase> cases = {
      {4096, 8, std::vector<std::uint8_t>{0x07}, 0, {0, 1, 2}},         // AWS agent: whole file, last block short
      {1024, 3, std::vector<std::uint8_t>{0b10100100, 0x01}, 0, {2, 5, 7}},  // n caps the burst
      {256, 2, std::nullopt, 38, {38, 39}},                               // no bitmap: n from the offset
      {2048, 1, std::vector<std::uint8_t>{0x01}, 4, {4}},                  // bitmap relative to the offset
  };
  std::string data = d->streams("otter-j1", "data/cbor");
  for (const auto& c : cases) {
    d->publish(d->streams("otter-j1", "get/cbor"), encode_request("rdy", 0, c.block_size, c.offset, c.n, c.bitmap));
    std::set<std::uint64_t> got;
    for (std::size_t k = 0; k < c.expected.size(); ++k) {
      auto m = d->next(data);
      ASSERT_TRUE(m) << "block size " << c.block_size;
      auto block = decode_block(m->payload);
      ASSERT_TRUE(block);
      std::size_t start = block->i * c.block_size;
      std::size_t len = std::min<std::size_t>(c.block_size, image.size() - start);
      EXPECT_EQ(block->l, len);
      EXPECT_EQ(block->p, std::vector<std::uint8_t>(image.begin() + static_cast<std::ptrdiff_t>(start),
                                                    image.begin() + static_cast<std::ptrdiff_t>(start + len)));
      got.insert(block->i);
    }
    EXPECT_EQ(got, std::set<std::uint64_t>(c.expected.begin(), c.expected.end())) << "block size " << c.block_size;
  }
  EXPECT_FALSE(d->next(data, std::chrono::milliseconds(300))) << "more blocks than asked for";
}

TEST_F(OtterdOverMqtt, TheJsonStreamVariantCarriesBase64Payloads) {
  auto d = device("dev-1");
  server_->jobs().create_ota_job(ota("j1", {"dev-1"}, 3000));
  auto image = image_bytes();
  d->publish(d->streams("otter-j1", "get/json"), R"({"c":"j","f":0,"l":1024,"o":2,"n":1})");
  auto m = d->next(d->streams("otter-j1", "data/json"));
  ASSERT_TRUE(m);
  json block = m->json();
  EXPECT_EQ(block["i"], 2);
  EXPECT_EQ(block["l"], 3000 - 2048);
  EXPECT_EQ(block["p"].get<std::string>().size(), (952 + 2) / 3 * 4);
}

TEST_F(OtterdOverMqtt, BadStreamRequestsGetRejectedWithAReason) {
  auto d = device("dev-1");
  server_->jobs().create_ota_job(ota("j1", {"dev-1"}, 5000));
  std::string rejected = d->streams("otter-j1", "rejected/cbor");
  auto code_of = [&](const std::string& stream, const std::vector<std::uint8_t>& request) -> std::string {
    d->publish(d->streams(stream, "get/cbor"), request);
    auto m = d->next(d->streams(stream, "rejected/cbor"));
    if (!m) return "no answer";
    // {"o": code, ...}: a text value right after the first key.
    auto& p = m->payload;
    if (p.size() < 4 || p[1] != 0x61 || p[2] != 'o') return "unexpected";
    std::size_t len = p[3] & 0x1F;
    std::size_t start = 4;
    if (len == 24) len = p[start++];  // one-byte length for codes of 24+ characters
    return std::string(p.begin() + static_cast<std::ptrdiff_t>(start),
                       p.begin() + static_cast<std::ptrdiff_t>(start + len));
  };
  EXPECT_EQ(code_of("otter-j1", encode_request("t", 0, 1024, 5, 1, std::nullopt)), "OffsetOutOfBounds");
  EXPECT_EQ(code_of("otter-j1", encode_request("t", 0, 16, 0, 1, std::nullopt)), "BlockSizeOutOfBounds");
  EXPECT_EQ(code_of("otter-j1", encode_request("t", 0, 4096, 0, 1000, std::nullopt)), "BlockCountLimitExceeded");
  EXPECT_EQ(code_of("otter-j1", encode_request("t", 9, 1024, 0, 1, std::nullopt)), "ResourceNotFoundException");
  EXPECT_EQ(code_of("nope", encode_request("t", 0, 1024, 0, 1, std::nullopt)), "ResourceNotFoundException");
  EXPECT_EQ(code_of("otter-j1", {0xA5, 0x61}), "InvalidCbor");
  EXPECT_EQ(code_of("otter-j1", std::vector<std::uint8_t>(std::vector<std::uint8_t>(128, 0xFF))), "InvalidCbor");
  // Still serving.
  d->publish(d->streams("otter-j1", "get/cbor"), encode_request("t", 0, 1024, 0, 1, std::nullopt));
  EXPECT_TRUE(d->next(d->streams("otter-j1", "data/cbor")));
}

TEST_F(OtterdOverMqtt, AThingWithoutTheJobCannotReadItsStream) {
  auto a = device("dev-a");
  auto b = device("dev-b");
  server_->jobs().create_ota_job(ota("j1", {"dev-a"}, 5000));
  b->publish(b->streams("otter-j1", "get/cbor"), encode_request("t", 0, 1024, 0, 1, std::nullopt));
  EXPECT_TRUE(b->next(b->streams("otter-j1", "rejected/cbor")));
  EXPECT_FALSE(b->next(b->streams("otter-j1", "data/cbor"), std::chrono::milliseconds(300)));
}

TEST_F(OtterdOverMqtt, AContinuousJobReachesAThingAddedToItsGroupLater) {
  server_->registry().create_group("fleet");
  auto early = device("early");
  server_->registry().add_to_group("fleet", "early");
  auto spec = ota("j1", {});
  spec.job.targets = {{model::JobTarget::Kind::Group, "fleet"}};
  spec.job.target_selection = model::TargetSelection::Continuous;
  server_->jobs().create_ota_job(spec);
  ASSERT_TRUE(early->next(early->jobs("notify-next")));
  auto late = device("late");
  EXPECT_FALSE(late->next(late->jobs("notify-next"), std::chrono::milliseconds(200)));
  server_->registry().add_to_group("fleet", "late");
  auto m = late->next(late->jobs("notify-next"));
  ASSERT_TRUE(m);
  EXPECT_EQ(m->json()["execution"]["jobId"], "j1");
}

TEST_F(OtterdOverMqtt, TheRolloutReleasesNoMoreThanMaximumPerMinute) {
  std::vector<std::unique_ptr<TestDevice>> devices;
  std::vector<std::string> names;
  for (int i = 0; i < 5; ++i) {
    names.push_back("r" + std::to_string(i));
    devices.push_back(device(names.back()));
  }
  auto spec = ota("j1", names);
  spec.job.rollout.maximum_per_minute = 2;
  server_->jobs().create_ota_job(spec);
  ASSERT_TRUE(eventually([&] { return server_->jobs().executions_of_job("j1").size() == 2; }));
  // Several ticks later (100 ms apart) the minute's budget is still spent.
  std::this_thread::sleep_for(std::chrono::milliseconds(700));
  int notified = 0;
  for (auto& d : devices) notified += static_cast<int>(d->take(d->jobs("notify-next")).size());
  EXPECT_EQ(notified, 2);
  EXPECT_EQ(server_->jobs().executions_of_job("j1").size(), 2u);
  EXPECT_EQ(server_->jobs().summary("j1").pending, 3);
}

TEST_F(OtterdOverMqtt, ReachingTheAbortThresholdCancelsTheRemainingExecutions) {
  std::vector<std::unique_ptr<TestDevice>> devices;
  std::vector<std::string> names;
  for (int i = 0; i < 4; ++i) {
    names.push_back("a" + std::to_string(i));
    devices.push_back(device(names.back()));
  }
  auto spec = ota("j1", names);
  spec.job.abort.criteria.push_back({model::FailureType::Failed, "CANCEL", 50.0, 2});
  server_->jobs().create_ota_job(spec);
  for (auto& d : devices) ASSERT_TRUE(d->next(d->jobs("notify-next")));
  for (int i = 0; i < 2; ++i) {
    auto& d = devices[static_cast<std::size_t>(i)];
    d->publish(d->jobs("j1/update"), R"({"status":"FAILED","statusDetails":{"reason":"0x2: 0x0"}})");
    ASSERT_TRUE(d->next(d->jobs("j1/update/accepted")));
  }
  EXPECT_EQ(server_->jobs().job("j1")->status, model::JobStatus::Canceled);
  EXPECT_EQ(server_->jobs().job("j1")->reason_code, "ABORTED");
  for (int i = 2; i < 4; ++i) {
    auto& d = devices[static_cast<std::size_t>(i)];
    EXPECT_EQ(status("j1", d->name()), ExecutionStatus::Canceled);
    auto m = d->next(d->jobs("notify-next"));
    ASSERT_TRUE(m);
    EXPECT_FALSE(m->json().contains("execution"));
    d->publish(d->jobs("j1/update"), R"({"status":"IN_PROGRESS"})");
    auto r = d->next(d->jobs("j1/update/rejected"));
    ASSERT_TRUE(r);
    EXPECT_EQ(r->json()["code"], "InvalidStateTransition");
  }
}

TEST_F(OtterdOverMqtt, AnExecutionInProgressPastItsTimeoutIsTimedOut) {
  auto d = device("dev-1");
  auto spec = ota("j1", {"dev-1"});
  spec.job.timeout.in_progress_timeout_seconds = 1;
  server_->jobs().create_ota_job(spec);
  ASSERT_TRUE(d->next(d->jobs("notify-next")));
  d->publish(d->jobs("j1/update"), R"({"status":"IN_PROGRESS","statusDetails":{"receive":"1/3"}})");
  ASSERT_TRUE(d->next(d->jobs("j1/update/accepted")));
  auto m = d->next(d->jobs("notify-next"));  // the timeout ends it: nothing pending any more
  ASSERT_TRUE(m);
  EXPECT_FALSE(m->json().contains("execution"));
  EXPECT_EQ(status("j1", "dev-1"), ExecutionStatus::TimedOut);
}

TEST_F(OtterdOverMqtt, CancellingAJobTellsItsDevices) {
  auto d = device("dev-1");
  server_->jobs().create_ota_job(ota("j1", {"dev-1"}));
  ASSERT_TRUE(d->next(d->jobs("notify-next")));
  server_->jobs().cancel_job("j1", false, "", "operator stop");
  auto m = d->next(d->jobs("notify-next"));
  ASSERT_TRUE(m);
  EXPECT_FALSE(m->json().contains("execution"));
}

TEST_F(OtterdOverMqtt, DescribeJobAnswersWithTheExecutionOrResourceNotFound) {
  auto d = device("dev-1");
  server_->jobs().create_ota_job(ota("j1", {"dev-1"}));
  d->publish(d->jobs("j1/get"), R"({"clientToken":"g","includeJobDocument":false})");
  auto m = d->next(d->jobs("j1/get/accepted"));
  ASSERT_TRUE(m);
  EXPECT_EQ(m->json()["execution"]["status"], "QUEUED");
  EXPECT_FALSE(m->json()["execution"].contains("jobDocument"));
  d->publish(d->jobs("other/get"), "{}");
  m = d->next(d->jobs("other/get/rejected"));
  ASSERT_TRUE(m);
  EXPECT_EQ(m->json()["code"], "ResourceNotFound");
}

}  // namespace
}  // namespace otter::testing
