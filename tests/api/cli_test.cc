// The `otter` binary against a live REST API on 127.0.0.1.
#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <fstream>

#include "api_fixture.h"
#include "otter/api/api_token.h"
#include "otter/image/test_image.h"

namespace otter::api::testing {
namespace {

struct CliRun {
  int exit_code = -1;
  std::string out;  // stdout and stderr
};

class CliTest : public ApiTest {
 protected:
  TempDir work;

  // Runs otter with the server's URL and token in the environment.
  CliRun otter(const std::string& args) {
    const std::string command = "cd '" + work.path().string() + "' && OTTER_URL=" + server.url() +
                                " OTTER_TOKEN=" + server.token() + " " + OTTER_CLI_BINARY + " " + args + " 2>&1";
    CliRun run;
    FILE* pipe = ::popen(command.c_str(), "r");
    if (pipe == nullptr) return run;
    std::array<char, 4096> buf{};
    std::size_t n = 0;
    while ((n = std::fread(buf.data(), 1, buf.size(), pipe)) > 0) run.out.append(buf.data(), n);
    const int status = ::pclose(pipe);
    run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return run;
  }

  void write_image(const std::string& file, std::uint32_t seed = 1) {
    const auto image = image::make_test_image({.size = 16 * 1024, .version = {1, 0, 1}, .seed = seed});
    std::ofstream(work.path() / file, std::ios::binary)
        .write(reinterpret_cast<const char*>(image.data()), static_cast<std::streamsize>(image.size()));
  }

  void make_profile() {
    const auto run = otter("firmware profile create release --common-name 'Release Signer'");
    ASSERT_EQ(run.exit_code, 0) << run.out;
  }
};

TEST_F(CliTest, ThingCreateWritesHeadersThatCompile) {
  make_profile();
  auto run = otter("thing create MY-IOT-OTA-Device --board numaker-iot-m487 --out device");
  ASSERT_EQ(run.exit_code, 0) << run.out;
  const auto dir = work.path() / "device";
  for (const char* f : {"otter_credentials.c", "otter_credentials.h", "otter_config.h"}) {
    EXPECT_TRUE(std::filesystem::exists(dir / f)) << f;
  }
  std::ofstream(dir / "main.c") << "#include \"otter_config.h\"\n#include \"otter_credentials.h\"\nint main(void) { return 0; }\n";
  const std::string compile = "cd '" + dir.string() + "' && gcc -std=c11 -Wall -Werror -o check main.c otter_credentials.c 2>&1";
  EXPECT_EQ(std::system(compile.c_str()), 0);
  std::ifstream config(dir / "otter_config.h");
  const std::string text((std::istreambuf_iterator<char>(config)), {});
  EXPECT_NE(text.find("MY-IOT-OTA-Device"), std::string::npos);
  EXPECT_NE(text.find(std::to_string(18883)), std::string::npos);
}

TEST_F(CliTest, ThingCreateWithoutAnyCodeVerifyCertificateCreatesNothing) {
  auto run = otter("thing create dev1");
  EXPECT_EQ(run.exit_code, 2) << run.out;
  EXPECT_NE(run.out.find("signing profile"), std::string::npos) << run.out;
  EXPECT_EQ(get("/api/v1/things/dev1")->status, 404);
}

TEST_F(CliTest, ThingListShowDelete) {
  make_profile();
  ASSERT_EQ(otter("thing create dev1 --no-files").exit_code, 0);
  auto list = otter("thing list --json");
  ASSERT_EQ(list.exit_code, 0) << list.out;
  EXPECT_EQ(nlohmann::json::parse(list.out)[0]["thingName"], "dev1");
  EXPECT_NE(otter("thing show dev1").out.find("ACTIVE"), std::string::npos);
  EXPECT_EQ(otter("thing delete dev1").exit_code, 0);
  EXPECT_EQ(otter("thing show dev1").exit_code, 5);
}

TEST_F(CliTest, GroupCommandsManageMembers) {
  make_profile();
  ASSERT_EQ(otter("thing create a --no-files").exit_code, 0);
  ASSERT_EQ(otter("thing create b --no-files").exit_code, 0);
  ASSERT_EQ(otter("group create fleet --things a").exit_code, 0);
  ASSERT_EQ(otter("group add fleet b").exit_code, 0);
  ASSERT_EQ(otter("group remove fleet a").exit_code, 0);
  const auto show = otter("group show fleet --json");
  EXPECT_EQ(nlohmann::json::parse(show.out)["members"], nlohmann::json::array({"b"}));
}

TEST_F(CliTest, JobCreateListShowCancel) {
  make_profile();
  ASSERT_EQ(otter("thing create dev1 --no-files").exit_code, 0);
  write_image("fw_v1.0.1.bin");
  auto create = otter("job create --targets dev1 --file fw_v1.0.1.bin --sign-with-profile --job-id update-1 --timeout 600");
  ASSERT_EQ(create.exit_code, 0) << create.out;
  EXPECT_NE(create.out.find("job update-1 created"), std::string::npos) << create.out;

  auto list = otter("job list --json");
  ASSERT_EQ(list.exit_code, 0) << list.out;
  EXPECT_EQ(nlohmann::json::parse(list.out)[0]["jobId"], "update-1");

  auto show = otter("job show update-1 --json");
  ASSERT_EQ(show.exit_code, 0) << show.out;
  const auto job = nlohmann::json::parse(show.out);
  EXPECT_EQ(job["executionCounts"]["QUEUED"], 1);
  EXPECT_EQ(job["timeoutConfig"]["inProgressTimeoutInSeconds"], 600);
  EXPECT_EQ(job["executions"][0]["thingName"], "dev1");

  auto cancel = otter("job cancel update-1 --reason wrong-build");
  ASSERT_EQ(cancel.exit_code, 0) << cancel.out;
  EXPECT_EQ(body_of(get("/api/v1/jobs/update-1"))["status"], "CANCELED");
}

TEST_F(CliTest, JobCreateWithASignatureFileVerifiesItOnUpload) {
  ASSERT_EQ(post("/api/v1/signing-profiles", {{"name", "release"}})->status, 201);
  ASSERT_EQ(otter("thing create dev1 --no-files").exit_code, 0);
  write_image("fw.bin", 1);
  image::TestSigner signer;
  const auto other = image::make_test_image({.size = 16 * 1024, .version = {1, 0, 1}, .seed = 2});
  std::ofstream(work.path() / "fw.bin.sig") << signer.sign_base64(other);
  std::ofstream(work.path() / "signer.pem") << signer.certificate_pem();
  auto run = otter("job create --targets dev1 --file fw.bin --sig fw.bin.sig --cert signer.pem");
  EXPECT_EQ(run.exit_code, 1) << run.out;
  EXPECT_NE(run.out.find("does not verify"), std::string::npos) << run.out;
  EXPECT_EQ(body_of(get("/api/v1/jobs"))["total"], 0);
}

TEST_F(CliTest, ContinuousJobsWithRolloutAndAbortConfig) {
  make_profile();
  ASSERT_EQ(otter("thing create dev1 --no-files").exit_code, 0);
  ASSERT_EQ(otter("group create fleet --things dev1").exit_code, 0);
  write_image("fw.bin");
  auto run = otter("job create --groups fleet --continuous --file fw.bin --sign-with-profile release --job-id c1 "
                   "--rollout-per-minute 10 --rollout-increase 2 --abort-failure-percent 20 --abort-min 5 --json");
  ASSERT_EQ(run.exit_code, 0) << run.out;
  const auto job = body_of(get("/api/v1/jobs/c1"));
  EXPECT_EQ(job["targetSelection"], "CONTINUOUS");
  EXPECT_EQ(job["jobExecutionsRolloutConfig"]["exponentialRate"]["baseRatePerMinute"], 10);
  EXPECT_EQ(job["abortConfig"]["criteriaList"][0]["minNumberOfExecutedThings"], 5);
}

TEST_F(CliTest, WatchExitsZeroWhenEveryDeviceSucceeded) {
  make_profile();
  ASSERT_EQ(otter("thing create dev1 --no-files").exit_code, 0);
  write_image("fw.bin");
  ASSERT_EQ(otter("job create --targets dev1 --file fw.bin --sign-with-profile --job-id w1").exit_code, 0);
  ASSERT_TRUE(server.device_update("dev1", "w1", "IN_PROGRESS", {{"receive", "4/4"}}).accepted);
  ASSERT_TRUE(server.device_update("dev1", "w1", "SUCCEEDED", {{"reason", "accepted  v1.0.1"}}).accepted);
  auto run = otter("job watch w1 --interval 0.1 --timeout 30");
  EXPECT_EQ(run.exit_code, 0) << run.out;
  EXPECT_NE(run.out.find("dev1 SUCCEEDED"), std::string::npos) << run.out;
}

TEST_F(CliTest, WatchExitsOneWhenADeviceFailed) {
  make_profile();
  ASSERT_EQ(otter("thing create dev1 --no-files").exit_code, 0);
  write_image("fw.bin");
  ASSERT_EQ(otter("job create --targets dev1 --file fw.bin --sign-with-profile --job-id w2").exit_code, 0);
  ASSERT_TRUE(server.device_update("dev1", "w2", "FAILED", {{"reason", "bad signature: 0x0000000b"}}).accepted);
  auto run = otter("job watch w2 --interval 0.1 --timeout 30 --json");
  EXPECT_EQ(run.exit_code, 1) << run.out;
  EXPECT_NE(run.out.find("\"success\":false"), std::string::npos) << run.out;
}

TEST_F(CliTest, WatchTimesOutWith124WhileDevicesAreStillWorking) {
  make_profile();
  ASSERT_EQ(otter("thing create dev1 --no-files").exit_code, 0);
  write_image("fw.bin");
  ASSERT_EQ(otter("job create --targets dev1 --file fw.bin --sign-with-profile --job-id w3").exit_code, 0);
  ASSERT_TRUE(server.device_update("dev1", "w3", "IN_PROGRESS", {{"receive", "1/4"}}).accepted);
  auto run = otter("job watch w3 --interval 0.1 --timeout 0.3 --plain");
  EXPECT_EQ(run.exit_code, 124) << run.out;
  EXPECT_NE(run.out.find("receive=1/4"), std::string::npos) << run.out;
}

TEST_F(CliTest, AWrongTokenExitsWithTheServerErrorCode) {
  const std::string command = std::string(OTTER_CLI_BINARY) + " thing list --url " + server.url() +
                              " --token wrong-token-000000 >/dev/null 2>&1";
  const int status = std::system(command.c_str());
  EXPECT_EQ(WEXITSTATUS(status), 4);
}

TEST_F(CliTest, AnUnreachableServerExitsWithTheServerErrorCode) {
  const std::string command =
      std::string(OTTER_CLI_BINARY) + " job list --url http://127.0.0.1:1 --token x >/dev/null 2>&1";
  EXPECT_EQ(WEXITSTATUS(std::system(command.c_str())), 4);
}

TEST_F(CliTest, DataDirConfigSuppliesUrlAndToken) {
  write_cli_config(server.data_dir(), server.url(), server.token());
  const std::string command = std::string(OTTER_CLI_BINARY) + " thing list --data-dir " + server.data_dir().string() +
                              " >/dev/null 2>&1";
  EXPECT_EQ(WEXITSTATUS(std::system(command.c_str())), 0);
}

TEST_F(CliTest, UnknownJobExitsNotFound) { EXPECT_EQ(otter("job show nope").exit_code, 5); }

}  // namespace
}  // namespace otter::api::testing
