// The agent's download, checks and hand-over, against the fake service.
#include <algorithm>
#include <random>

#include "device_fixture.h"

namespace otter::agent_test {
namespace {

using agent::AgentState;

TEST_F(DeviceTest, DownloadsVerifiesAndHandsTheImageToTheBootloader) {
  const JobSpec j = job();
  service_.add_job(j);
  boot();
  ASSERT_TRUE(run_until([&] { return app_.resets_requested > 0; }));
  EXPECT_EQ(agent_->state(), AgentState::kReadyToReset);
  EXPECT_TRUE(staged_equals(j.image));
  ASSERT_TRUE(bootloader_.installed.has_value());
  EXPECT_EQ(bootloader_.installed->image_size, j.image.size());
  EXPECT_EQ(bootloader_.installed->version, (Version{1, 0, 1}));
  EXPECT_EQ(app_.resets_requested, 1);
  const auto last = service_.last_update(j.job_id);
  ASSERT_TRUE(last.has_value());
  EXPECT_EQ(last->dump(), R"({"status":"IN_PROGRESS","statusDetails":{"self_test":"ready","updatedBy":"0x01000000"}})");
  EXPECT_TRUE(service_.protocol_errors.empty()) << service_.protocol_errors.front();
  EXPECT_TRUE(app_.logged("job accepted"));
  EXPECT_TRUE(app_.logged("signature verified"));
  EXPECT_TRUE(app_.logged("rebooting"));
}

TEST_F(DeviceTest, FetchesEachBlockOnceOnACleanLink) {
  const JobSpec j = job();
  service_.add_job(j);
  boot();
  ASSERT_TRUE(run_until_state(AgentState::kReadyToReset));
  const std::uint32_t blocks = static_cast<std::uint32_t>((j.image.size() + config_.block_size - 1) / config_.block_size);
  EXPECT_EQ(service_.served.size(), blocks);
  EXPECT_EQ(service_.blocks_sent, blocks);
  EXPECT_EQ(agent_->stats().request_retries, 0u);
}

TEST_F(DeviceTest, KeepsTheConfiguredNumberOfRequestsInFlight) {
  config_.blocks_per_request = 4;
  config_.requests_in_flight = 3;
  service_.add_job(job());
  boot();
  // Before any data arrives, exactly the window has been asked for.
  ASSERT_TRUE(run_until([&] { return !service_.stream_requests.empty() && service_.inbox.size() == 12; }, 50));
  EXPECT_EQ(service_.stream_requests.size(), 3u);
  for (const auto& r : service_.stream_requests) EXPECT_EQ(r["n"], 4);
}

TEST_F(DeviceTest, AwsBaselineAsksOneBlockPerRequestWithOneInFlight) {
  config_ = agent::AgentConfig::aws_baseline(kThing);
  const JobSpec j = job(40 * 1024 + 5);
  service_.add_job(j);
  boot();
  std::size_t max_outstanding = 0;
  ASSERT_TRUE(run_until([&] {
    const auto blocks = std::count_if(service_.inbox.begin(), service_.inbox.end(),
                                      [](const Message& m) { return m.topic.ends_with("/data/cbor"); });
    max_outstanding = std::max(max_outstanding, static_cast<std::size_t>(blocks));
    return agent_->state() == AgentState::kReadyToReset;
  }));
  for (const auto& r : service_.stream_requests) {
    EXPECT_EQ(r["n"], 1);
    EXPECT_EQ(r["l"], 4096);
  }
  EXPECT_EQ(service_.stream_requests.size(), 11u);
  EXPECT_LE(max_outstanding, 1u);
  EXPECT_TRUE(staged_equals(j.image));
}

TEST_F(DeviceTest, DownloadsOverTheJsonStreamVariant) {
  config_.format = protocol::StreamFormat::kJson;
  const JobSpec j = job(20 * 1024 + 1);
  service_.add_job(j);
  boot();
  ASSERT_TRUE(run_until_state(AgentState::kReadyToReset));
  EXPECT_TRUE(staged_equals(j.image));
  EXPECT_TRUE(service_.protocol_errors.empty()) << service_.protocol_errors.front();
}

TEST_F(DeviceTest, WorksWithBlockSizesFrom256BytesTo128KiB) {
  for (const std::uint32_t size : {256u, 1024u, 4096u, 128u * 1024}) {
    SCOPED_TRACE(size);
    config_.block_size = size;
    config_.blocks_per_request = size >= 32 * 1024 ? 1 : 4;
    JobSpec j = job(300 * 1024 + 3, {1, 0, 1}, image::kHardwareNumakerIotM487, size);
    j.job_id = "job-" + std::to_string(size);
    service_.jobs.clear();
    service_.add_job(j);
    bootloader_.status_ = {};
    bootloader_.status_.running = {1, 0, 0};
    boot();
    ASSERT_TRUE(run_until_state(AgentState::kReadyToReset));
    EXPECT_TRUE(staged_equals(j.image));
  }
}

TEST_F(DeviceTest, ReportsProgressAtTheFirstBlockAndEveryNBlocks) {
  config_.progress_every = 10;
  const JobSpec j = job(50 * 2048);
  service_.add_job(j);
  boot();
  ASSERT_TRUE(run_until_state(AgentState::kReadyToReset));
  std::vector<std::string> receive;
  for (const auto& u : service_.updates_for(j.job_id)) {
    if (u["statusDetails"].contains("receive")) receive.push_back(u["statusDetails"]["receive"]);
  }
  const std::vector<std::string> expected = {"1/50", "11/50", "21/50", "31/50", "41/50", "50/50"};
  EXPECT_EQ(receive, expected);
}

TEST_F(DeviceTest, ToleratesDuplicatedAndReorderedBlocks) {
  std::mt19937 rng(7);
  service_.mangle = [&](std::vector<Message>& burst) {
    const std::size_t n = burst.size();
    for (std::size_t i = 0; i < n; ++i) burst.push_back(burst[i]);
    std::shuffle(burst.begin(), burst.end(), rng);
  };
  const JobSpec j = job();
  service_.add_job(j);
  boot();
  ASSERT_TRUE(run_until_state(AgentState::kReadyToReset));
  EXPECT_TRUE(staged_equals(j.image));
  EXPECT_GT(agent_->stats().blocks_duplicate, 0u);
  EXPECT_EQ(medium_.flash.refused_programs, 0u);
}

TEST_F(DeviceTest, RetriesLostBlocksWithBackoffUntilComplete) {
  std::mt19937 rng(11);
  service_.mangle = [&](std::vector<Message>& burst) {
    std::erase_if(burst, [&](const Message&) { return rng() % 10 < 3; });
  };
  const JobSpec j = job();
  service_.add_job(j);
  boot();
  ASSERT_TRUE(run_until_state(AgentState::kReadyToReset));
  EXPECT_TRUE(staged_equals(j.image));
  EXPECT_GT(agent_->stats().request_retries, 0u);
  EXPECT_TRUE(app_.logged("asking again"));
}

TEST_F(DeviceTest, FailsTheJobWhenTheStreamStaysSilent) {
  service_.mangle = [](std::vector<Message>& burst) { burst.clear(); };
  config_.max_request_retries = 3;
  const JobSpec j = job();
  service_.add_job(j);
  boot();
  ASSERT_TRUE(run_until([&] { return service_.jobs.empty(); }));
  const auto last = service_.last_update(j.job_id);
  ASSERT_TRUE(last.has_value());
  EXPECT_EQ((*last)["status"], "FAILED");
  EXPECT_EQ((*last)["statusDetails"]["reason"], "download timed out: 0x00000000");
  EXPECT_FALSE(bootloader_.installed.has_value());
}

TEST_F(DeviceTest, ResumesAfterDisconnectsAtRandomBlocks) {
  std::mt19937 rng(3);
  const JobSpec j = job(200 * 1024);
  service_.add_job(j);
  boot();
  // After a random one of the blocks the device receives, the connection drops.
  std::uint32_t seen = 0;
  int handled = 0;
  ASSERT_TRUE(run_until([&] {
    if (agent_->blocks_received() != seen) {
      seen = agent_->blocks_received();
      if (rng() % 15 == 0) {
        ++handled;
        service_.disconnect(*agent_);
        clock_.now += 5000;
        service_.reconnect(*agent_);
      }
    }
    return agent_->state() == AgentState::kReadyToReset;
  }));
  EXPECT_GT(handled, 3);
  EXPECT_TRUE(staged_equals(j.image));
}

// A download cut off by a disconnect while requests are in flight (their
// blocks still queued at the service).
class ReconnectTest : public DeviceTest {
 protected:
  JobSpec download_then_disconnect() {
    JobSpec j = job(100 * 1024);
    service_.add_job(j);
    boot();
    EXPECT_TRUE(run_until([&] { return agent_->blocks_received() >= 5; }));
    service_.disconnect(*agent_);
    return j;
  }
};

TEST_F(ReconnectTest, ReRequestsTheBlocksInFlightAtOnceWhenTheConnectionComesBack) {
  const JobSpec j = download_then_disconnect();
  const std::uint32_t missing = agent_->blocks_total() - agent_->blocks_received();
  const std::size_t requests_before = service_.stream_requests.size();
  const std::uint64_t reconnected_at = clock_.now;
  service_.reconnect(*agent_);
  // Asked again as soon as the service answered the reconnect's $next/get:
  // no timer ran, the window is asked for exactly once.
  ASSERT_TRUE(run_until([&] { return service_.stream_requests.size() > requests_before; }));
  EXPECT_EQ(clock_.now, reconnected_at);
  std::uint32_t asked = 0;
  for (std::size_t i = requests_before; i < service_.stream_requests.size(); ++i)
    asked += service_.stream_requests[i]["n"].get<std::uint32_t>();
  EXPECT_EQ(asked, std::min(missing, config_.window_blocks()));
  ASSERT_TRUE(run_until_state(AgentState::kReadyToReset));
  EXPECT_EQ(agent_->stats().request_retries, 0u);
  EXPECT_TRUE(staged_equals(j.image));
}

TEST_F(ReconnectTest, ReRequestsAtOnceWhenTheServiceReconnectsAfterTheDevice) {
  const JobSpec j = download_then_disconnect();
  // A broker restart: the device is back first; the service follows later.
  service_.service_away = true;
  service_.reconnect(*agent_);
  ASSERT_TRUE(run_until([&] { return service_.inbox.empty(); }, 100));
  clock_.now += 2000;
  service_.service_returns();
  const std::uint64_t service_back = clock_.now;
  ASSERT_TRUE(run_until([&] { return agent_->blocks_received() >= 6; }));
  // The stream requests that went nowhere are not left to the 10 s timer.
  EXPECT_LT(clock_.now - service_back, config_.request_timeout_ms);
  ASSERT_TRUE(run_until_state(AgentState::kReadyToReset));
  EXPECT_EQ(agent_->stats().request_retries, 0u);
  EXPECT_TRUE(staged_equals(j.image));
}

TEST_F(ReconnectTest, AsksForTheBlocksAnywayWhenTheReconnectsJobRequestGoesUnanswered) {
  const JobSpec j = download_then_disconnect();
  service_.service_away = true;
  service_.reconnect(*agent_);
  service_.held.clear();  // the $next/get is lost as well
  service_.service_away = false;
  const std::uint64_t reconnected_at = clock_.now;
  ASSERT_TRUE(run_until_state(AgentState::kReadyToReset));
  EXPECT_GE(clock_.now - reconnected_at, config_.job_request_timeout_ms);
  EXPECT_TRUE(staged_equals(j.image));
}

TEST_F(DeviceTest, RefusesHostileDataMessagesAndStillCompletes) {
  const JobSpec j = job(30 * 1024);
  const std::string data = service_.topic("streams/" + j.stream + "/data/cbor");
  const std::vector<std::uint8_t> block(2048, 0xAB);
  std::vector<std::vector<std::uint8_t>> hostile = {
      cbor_block(0, 3, std::span(block).first(100), 100),           // wrong size
      cbor_block(0, 15, block, 2048),                               // offset past the file (15 blocks: 0..14)
      cbor_block(0, 0xFFFFFFFF, block, 2048),                       // huge block number
      cbor_block(7, 2, block, 2048),                                // wrong file id
      cbor_block(0, 2, std::span(block).first(2047), 2048),         // length disagrees with payload
  };
  auto truncated = cbor_block(0, 4, block, 2048);
  truncated.resize(truncated.size() - 10);
  hostile.push_back(truncated);                                     // truncated CBOR
  hostile.push_back({0xBF, 0x61, 'f', 0x00, 0xFF});                 // indefinite-length map
  hostile.push_back({});                                            // empty
  bool injected = false;
  service_.mangle = [&](std::vector<Message>& burst) {
    if (injected) return;
    injected = true;
    for (auto& h : hostile) burst.insert(burst.begin(), Message{data, h});
    // The right block on the wrong stream.
    burst.insert(burst.begin(), Message{service_.topic("streams/other/data/cbor"), cbor_block(0, 0, block, 2048)});
  };
  service_.add_job(j);
  boot();
  (void)service_.subscribe(service_.topic("streams/other/data/cbor"));  // as if a stale subscription
  ASSERT_TRUE(run_until_state(AgentState::kReadyToReset));
  EXPECT_TRUE(staged_equals(j.image));
  EXPECT_EQ(agent_->stats().blocks_refused, hostile.size() + 1);
}

TEST_F(DeviceTest, NeverAcceptsAnImageCorruptedInTransit) {
  const JobSpec j = job();
  bool corrupted = false;
  service_.mangle = [&](std::vector<Message>& burst) {
    if (corrupted || burst.empty()) return;
    corrupted = true;
    burst[0].payload[burst[0].payload.size() - 100] ^= 0x01;
  };
  service_.add_job(j);
  boot();
  ASSERT_TRUE(run_until([&] { return service_.jobs.empty(); }));
  EXPECT_FALSE(bootloader_.installed.has_value());
  EXPECT_EQ(app_.resets_requested, 0);
  const auto last = service_.last_update(j.job_id);
  ASSERT_TRUE(last.has_value());
  EXPECT_EQ((*last)["status"], "FAILED");
  EXPECT_EQ((*last)["statusDetails"]["reason"].get<std::string>().rfind("signature check failed", 0), 0u);
}

TEST_F(DeviceTest, NeverAcceptsAnImageSignedWithAnotherKey) {
  JobSpec j = job();
  image::TestSigner other;
  j.signature_base64 = other.sign_base64(j.image);
  service_.add_job(j);
  boot();
  ASSERT_TRUE(run_until([&] { return service_.jobs.empty(); }));
  EXPECT_FALSE(bootloader_.installed.has_value());
  EXPECT_EQ((*service_.last_update(j.job_id))["status"], "FAILED");
}

TEST_F(DeviceTest, RejectsAnImageForAnotherBoardBeforeDownloadingIt) {
  const JobSpec j = job(200 * 1024, {1, 0, 1}, image::kHardwareNumakerM2354);
  service_.add_job(j);
  boot();
  ASSERT_TRUE(run_until([&] { return service_.jobs.empty(); }));
  const auto last = service_.last_update(j.job_id);
  EXPECT_EQ((*last)["status"], "REJECTED");
  EXPECT_EQ((*last)["statusDetails"]["reason"], "wrong board: 0x23541001");
  EXPECT_LT(service_.blocks_sent, 100u / 2);
  EXPECT_EQ(bootloader_.verifications, 0);
}

TEST_F(DeviceTest, RejectsADowngrade) {
  bootloader_.status_.running = {1, 2, 0};
  const JobSpec j = job(20 * 1024, {1, 1, 9});
  service_.add_job(j);
  boot();
  ASSERT_TRUE(run_until([&] { return service_.jobs.empty(); }));
  const auto last = service_.last_update(j.job_id);
  EXPECT_EQ((*last)["status"], "REJECTED");
  EXPECT_EQ((*last)["statusDetails"]["reason"], "downgrade not allowed: 0x01010009");
}

TEST_F(DeviceTest, RejectsTheVersionAlreadyRunning) {
  const JobSpec j = job(20 * 1024, {1, 0, 0});
  service_.add_job(j);
  boot();
  ASSERT_TRUE(run_until([&] { return service_.jobs.empty(); }));
  EXPECT_EQ((*service_.last_update(j.job_id))["statusDetails"]["reason"], "same version: 0x01000000");
}

TEST_F(DeviceTest, InstallsADowngradeTheJobExplicitlyAllows) {
  bootloader_.status_.running = {1, 2, 0};
  JobSpec j = job(20 * 1024, {1, 1, 9});
  j.allow_downgrade = true;
  service_.add_job(j);
  boot();
  ASSERT_TRUE(run_until_state(AgentState::kReadyToReset));
  EXPECT_EQ(bootloader_.installed->version, (Version{1, 1, 9}));
}

TEST_F(DeviceTest, RefusesADowngradeBelowTheAntiRollbackFloorEvenWhenAllowed) {
  bootloader_.status_.running = {1, 2, 0};
  bootloader_.status_.min_version = Version{1, 2, 0}.encoded();
  JobSpec j = job(20 * 1024, {1, 1, 9});
  j.allow_downgrade = true;
  service_.add_job(j);
  boot();
  ASSERT_TRUE(run_until([&] { return service_.jobs.empty(); }));
  EXPECT_EQ((*service_.last_update(j.job_id))["statusDetails"]["reason"], "below anti-rollback floor: 0x01010009");
}

TEST_F(DeviceTest, RejectsAnImageLargerThanTheBankWithoutDownloading) {
  JobSpec j = job(20 * 1024);
  j.image.resize(kStagingSize + 1);
  service_.add_job(j);
  boot();
  ASSERT_TRUE(run_until([&] { return service_.jobs.empty(); }));
  EXPECT_EQ((*service_.last_update(j.job_id))["statusDetails"]["reason"], "image too large: 0x00080001");
  EXPECT_EQ(service_.blocks_sent, 0u);
}

TEST_F(DeviceTest, RejectsAJobWhoseSizeDisagreesWithTheImageDescriptor) {
  JobSpec j = job(20 * 1024);
  j.image.resize(24 * 1024, 0);  // the service serves a longer file than the descriptor records
  j.signature_base64 = signer_.sign_base64(j.image);
  service_.add_job(j);
  boot();
  ASSERT_TRUE(run_until([&] { return service_.jobs.empty(); }));
  EXPECT_EQ((*service_.last_update(j.job_id))["statusDetails"]["reason"], "image size differs from job: 0x00005000");
}

TEST_F(DeviceTest, StopsDownloadingWhenTheJobIsCancelled) {
  const JobSpec j = job(200 * 1024);
  service_.add_job(j);
  boot();
  ASSERT_TRUE(run_until([&] { return agent_->blocks_received() >= 10; }));
  service_.jobs.clear();
  service_.inbox.clear();
  service_.notify_next();
  ASSERT_TRUE(run_until_state(AgentState::kWaitingForJob));
  EXPECT_FALSE(service_.subscribed(service_.topic("streams/" + j.stream + "/data/cbor")));
  EXPECT_FALSE(bootloader_.installed.has_value());
}

TEST_F(DeviceTest, IgnoresRepeatedNotificationsOfTheJobInHand) {
  const JobSpec j = job(60 * 1024);
  service_.add_job(j);
  service_.answer_on_notify_next = true;
  boot();
  ASSERT_TRUE(run_until([&] { return agent_->blocks_received() >= 5; }));
  service_.notify_next();
  service_.notify_next();
  ASSERT_TRUE(run_until_state(AgentState::kReadyToReset));
  EXPECT_EQ(service_.served.size(), service_.blocks_sent);
  EXPECT_TRUE(staged_equals(j.image));
}

TEST_F(DeviceTest, RejectsAJobDocumentWithoutMqtt) {
  service_.add_job(job(20 * 1024));
  boot();
  // Replace the answer with an HTTP-only document.
  service_.inbox.clear();
  const std::string doc =
      R"({"execution":{"jobId":"http-job","status":"QUEUED","versionNumber":1,"executionNumber":1,)"
      R"("jobDocument":{"afr_ota":{"protocols":["HTTP"],"files":[{"filepath":"f","filesize":1000,"fileid":0,)"
      R"("certfile":"c","update_data_url":"https://example.invalid/f","auth_scheme":"aws.s3.presigned",)"
      R"("sig-sha256-ecdsa":"MEUCIQ=="}]}}}})";
  service_.send(service_.topic("jobs/notify-next"), {doc.begin(), doc.end()});
  ASSERT_TRUE(run_until([&] { return !service_.updates_for("http-job").empty(); }));
  const auto last = service_.last_update("http-job");
  EXPECT_EQ((*last)["status"], "REJECTED");
  EXPECT_EQ((*last)["statusDetails"]["reason"], "no MQTT protocol: 0x00000000");
}

}  // namespace
}  // namespace otter::agent_test
