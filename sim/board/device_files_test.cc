#include "otter/simboard/device_files.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "otter/provision/credentials_writer.h"

namespace otter::simboard {
namespace {

TEST(DeviceFiles, DecodesCEscapes) {
  EXPECT_EQ(decode_c_string_literals(R"("a\n" "b\"c\\d\?\x41\101\0z")"), std::string("a\nb\"c\\d?AA\0z", 12));
}

TEST(DeviceFiles, RejectsWhatIsNotAStringLiteral) {
  for (const char* bad : {"abc", "\"open", R"("bad \q escape")", R"("a" junk)", R"("\x")"}) {
    EXPECT_THROW(decode_c_string_literals(bad), DeviceFilesError) << bad;
  }
}

// The writer of host/provision and this reader are independent; every byte
// a PEM may hold must survive the round trip.
TEST(DeviceFiles, ReadsBackWhatProvisionWrites) {
  std::string tricky = "-----BEGIN CERTIFICATE-----\nMIIB?" "?=\"\\\t\x01\x7f\xff\n-----END CERTIFICATE-----\n";
  provision::DeviceCredentials creds;
  creds.root_ca_pem = "-----BEGIN CERTIFICATE-----\nROOT\n-----END CERTIFICATE-----\n";
  creds.device_certificate_pem = tricky;
  creds.device_private_key_pem = "-----BEGIN PRIVATE KEY-----\nKEY?" "?/\n-----END PRIVATE KEY-----\n";
  creds.code_verify_certificate_pem = "-----BEGIN CERTIFICATE-----\nCODE\n-----END CERTIFICATE-----\n";
  provision::DeviceConfig config{"127.0.0.1", 18883, "MY-IOT-OTA-Device", "numaker-iot-m487"};
  const auto dir = std::filesystem::temp_directory_path() / ("otter-devfiles-" + std::to_string(::getpid()));
  provision::write_device_files(dir, creds, config);
  const auto f = load_device_files(dir);
  EXPECT_EQ(f.root_ca_pem, creds.root_ca_pem);
  EXPECT_EQ(f.device_certificate_pem, tricky);
  EXPECT_EQ(f.device_private_key_pem, *creds.device_private_key_pem);
  EXPECT_EQ(f.code_verify_certificate_pem, creds.code_verify_certificate_pem);
  EXPECT_EQ(f.endpoint, "127.0.0.1");
  EXPECT_EQ(f.port, 18883);
  EXPECT_EQ(f.thing_name, "MY-IOT-OTA-Device");
  EXPECT_EQ(f.board, "numaker-iot-m487");
  std::filesystem::remove_all(dir);
}

TEST(DeviceFiles, PemFolderNamedAfterTheThing) {
  const auto dir = std::filesystem::temp_directory_path() / ("otter-pems-" + std::to_string(::getpid())) / "dev-007";
  std::filesystem::create_directories(dir);
  for (const char* name : {"ca.pem", "cert.pem", "key.pem", "code_verify.pem"}) {
    std::ofstream(dir / name) << name;
  }
  const auto f = load_device_files(dir);
  EXPECT_EQ(f.thing_name, "dev-007");
  EXPECT_EQ(f.root_ca_pem, "ca.pem");
  EXPECT_EQ(f.device_private_key_pem, "key.pem");
  EXPECT_EQ(f.code_verify_certificate_pem, "code_verify.pem");
  std::filesystem::remove_all(dir.parent_path());
}

TEST(DeviceFiles, MissingDirectoryNamesTheFile) {
  try {
    (void)load_device_files("/nonexistent-otter-dir");
    FAIL();
  } catch (const DeviceFilesError& e) {
    EXPECT_NE(std::string(e.what()).find("otter_credentials.c"), std::string::npos);
  }
}

}  // namespace
}  // namespace otter::simboard
