#include "otter/provision/credentials_writer.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include "otter/pki/certificate_authority.h"
#include "otter/pki/files.h"

namespace otter::provision {
namespace {

namespace fs = std::filesystem;

class TempDir {
 public:
  TempDir() {
    std::string pattern = (fs::temp_directory_path() / "otter-provision-XXXXXX").string();
    path_ = ::mkdtemp(pattern.data());
  }
  ~TempDir() { fs::remove_all(path_); }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

std::string slurp(const fs::path& path) { return fs::exists(path) ? pki::read_file(path) : std::string(); }

// Compiles `sources` with `compiler` and runs the program in `dir`; returns
// false (and prints the compiler's complaint) when either step fails.
bool build_and_run(const std::string& compiler, const std::string& flags, const fs::path& dir,
                   const std::vector<std::string>& sources) {
  std::string command = "cd '" + dir.string() + "' && " + compiler + " " + flags + " -o program";
  for (const auto& s : sources) command += " " + s;
  command += " > compile.log 2>&1 && ./program > run.log 2>&1";
  if (std::system(command.c_str()) != 0) {
    ADD_FAILURE() << command << "\n" << slurp(dir / "compile.log") << slurp(dir / "run.log");
    return false;
  }
  return true;
}

// A program that writes each credential array (length bytes) to <symbol>.out.
constexpr const char* kDumpProgram = R"(#include <stdio.h>
#include "otter_credentials.h"
static void dump(const char* name, const char* data, size_t length) {
  FILE* f = fopen(name, "wb");
  if (!f || fwrite(data, 1, length, f) != length) { perror(name); return; }
  fclose(f);
  if (data[length] != '\0') { fprintf(stderr, "%s: not NUL-terminated at length\n", name); }
}
#define DUMP(s) dump(#s ".out", s, s##_length)
int main(void) {
  DUMP(otter_root_ca_pem);
  DUMP(otter_device_certificate_pem);
#if OTTER_HAS_DEVICE_PRIVATE_KEY
  DUMP(otter_device_private_key_pem);
#endif
  DUMP(otter_code_verify_certificate_pem);
  return 0;
}
)";

class CredentialsWriterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto ca = pki::CertificateAuthority::create(dir_.path() / "pki");
    const auto thing = ca.issue_thing_certificate("MY-IOT-OTA-Device");
    credentials_.root_ca_pem = ca.certificate_pem();
    credentials_.device_certificate_pem = thing.certificate_pem;
    credentials_.device_private_key_pem = thing.private_key_pem;
    // Any certificate will do as the code-verify one; it must only survive the trip.
    credentials_.code_verify_certificate_pem = ca.issue_service_certificate().certificate_pem;
    config_ = {"otter.local", 8883, "MY-IOT-OTA-Device", "numaker-iot-m487"};
  }
  fs::path out() const { return dir_.path() / "out"; }

  TempDir dir_;
  DeviceCredentials credentials_;
  DeviceConfig config_;
};

TEST_F(CredentialsWriterTest, GeneratedCHoldsEveryPemByteForByte) {
  write_device_files(out(), credentials_, config_);
  std::ofstream(out() / "main.c") << kDumpProgram;
  ASSERT_TRUE(build_and_run(OTTER_TEST_CC, "-std=c99 -pedantic -Wall -Wextra -Werror", out(),
                            {"main.c", "otter_credentials.c"}));
  EXPECT_EQ(slurp(out() / "otter_root_ca_pem.out"), credentials_.root_ca_pem);
  EXPECT_EQ(slurp(out() / "otter_device_certificate_pem.out"), credentials_.device_certificate_pem);
  EXPECT_EQ(slurp(out() / "otter_device_private_key_pem.out"), *credentials_.device_private_key_pem);
  EXPECT_EQ(slurp(out() / "otter_code_verify_certificate_pem.out"), credentials_.code_verify_certificate_pem);
  EXPECT_EQ(slurp(out() / "run.log"), "");
}

TEST_F(CredentialsWriterTest, GeneratedCCompilesAsCxxWithExternalLinkage) {
  write_device_files(out(), credentials_, config_);
  std::ofstream(out() / "main.cc") << kDumpProgram;
  fs::copy_file(out() / "otter_credentials.c", out() / "otter_credentials.cc");
  ASSERT_TRUE(build_and_run(OTTER_TEST_CXX, "-x c++ -std=c++17 -Wall -Wextra -Werror", out(),
                            {"main.cc", "otter_credentials.cc"}));
  EXPECT_EQ(slurp(out() / "otter_device_certificate_pem.out"), credentials_.device_certificate_pem);
}

TEST_F(CredentialsWriterTest, ArbitraryBytesIncludingTrigraphsRoundTrip) {
  std::string bytes = "??=??/??'??(??)??!??<??>??- \"quoted\" back\\slash \\\" \n\r\t";
  bytes += std::string("\0" "7" "\x01" "77" "\xff" "f", 7);  // escapes followed by digits
  std::mt19937 random(7);
  for (int i = 0; i < 4096; ++i) bytes += static_cast<char>(random() & 0xff);
  for (int i = 0; i < 256; ++i) bytes += static_cast<char>(i);
  std::ofstream(dir_.path() / "blob.c") << "#include <stdio.h>\nstatic const char blob[] = "
                                        << c_string_literal(bytes) << ";\n"
                                        << "int main(void) { FILE* f = fopen(\"blob.out\", \"wb\");\n"
                                        << "  fwrite(blob, 1, sizeof(blob) - 1, f); fclose(f);\n"
                                        << "  return sizeof(blob) == " << bytes.size() + 1 << "u ? 0 : 1; }\n";
  // -trigraphs: the compiler replaces any "??x" a careless escaper left.
  ASSERT_TRUE(build_and_run(OTTER_TEST_CC, "-std=c11 -trigraphs -Wall -Wextra -Werror", dir_.path(), {"blob.c"}));
  EXPECT_EQ(slurp(dir_.path() / "blob.out"), bytes);
}

TEST_F(CredentialsWriterTest, ConfigHeaderNamesEndpointPortThingAndBoard) {
  write_device_files(out(), credentials_, config_);
  std::ofstream(out() / "cfg.c") << "#include <stdio.h>\n#include \"otter_config.h\"\n"
                                 << "int main(void) { printf(\"%s|%d|%s|%s|%s\", OTTER_MQTT_ENDPOINT, OTTER_MQTT_PORT,\n"
                                 << "  OTTER_THING_NAME, OTTER_CLIENT_IDENTIFIER, OTTER_BOARD_NAME); return 0; }\n";
  ASSERT_TRUE(build_and_run(OTTER_TEST_CC, "-std=c99 -Wall -Wextra -Werror", out(), {"cfg.c"}));
  EXPECT_EQ(slurp(out() / "run.log"), "otter.local|8883|MY-IOT-OTA-Device|MY-IOT-OTA-Device|numaker-iot-m487");
}

TEST_F(CredentialsWriterTest, SeedNamesAreAvailableOnRequest) {
  write_device_files(out(), credentials_, config_);
  std::ofstream(out() / "seed.c") << "#define OTTER_AWS_CREDENTIAL_NAMES\n#include \"otter_credentials.h\"\n"
                                  << "int main(void) { return aws_rootCACrt[0] == '-' && aws_deviceCrt[0] == '-' &&\n"
                                  << "  aws_devicePvtKey[0] == '-' && aws_codeVerCrt[0] == '-' ? 0 : 1; }\n";
  EXPECT_TRUE(build_and_run(OTTER_TEST_CC, "-std=c99 -Wall -Wextra -Werror", out(), {"seed.c", "otter_credentials.c"}));
}

TEST_F(CredentialsWriterTest, CredentialsWithAPrivateKeyAreReadableOnlyByTheOwner) {
  write_device_files(out(), credentials_, config_);
  struct stat st{};
  ASSERT_EQ(::stat((out() / "otter_credentials.c").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
}

TEST_F(CredentialsWriterTest, CsrProvisionedDeviceGetsNoKeyDefinition) {
  credentials_.device_private_key_pem.reset();
  const auto files = render_device_files(credentials_, config_);
  EXPECT_NE(files.credentials_h.find("#define OTTER_HAS_DEVICE_PRIVATE_KEY 0"), std::string::npos);
  EXPECT_EQ(files.credentials_c.find("otter_device_private_key_pem"), std::string::npos);
  EXPECT_EQ(files.credentials_c.find("PRIVATE KEY"), std::string::npos);
  write_device_files(out(), credentials_, config_);
  std::ofstream(out() / "main.c") << kDumpProgram;
  EXPECT_TRUE(build_and_run(OTTER_TEST_CC, "-std=c99 -Wall -Wextra -Werror", out(), {"main.c", "otter_credentials.c"}));
}

TEST_F(CredentialsWriterTest, RefusesInputsThatAreNotWhatTheyClaim) {
  auto expect_error = [&](DeviceCredentials c, DeviceConfig cfg, const std::string& mention) {
    try {
      render_device_files(c, cfg);
      ADD_FAILURE() << "accepted input that should mention " << mention;
    } catch (const ProvisionError& e) {
      EXPECT_NE(std::string(e.what()).find(mention), std::string::npos) << e.what();
    }
  };
  auto c = credentials_;
  c.root_ca_pem = "not a pem";
  expect_error(c, config_, "root CA");
  c = credentials_;
  c.device_private_key_pem = credentials_.root_ca_pem;
  expect_error(c, config_, "private key");
  c = credentials_;
  c.code_verify_certificate_pem.clear();
  expect_error(c, config_, "code-verify");
  auto cfg = config_;
  cfg.thing_name = "a/b";
  expect_error(credentials_, cfg, "thing name");
  cfg = config_;
  cfg.endpoint = "evil\"host";
  expect_error(credentials_, cfg, "endpoint");
  cfg = config_;
  cfg.port = 0;
  expect_error(credentials_, cfg, "port");
  cfg = config_;
  cfg.board = "";
  expect_error(credentials_, cfg, "board");
  EXPECT_FALSE(fs::exists(out()));
}

}  // namespace
}  // namespace otter::provision
