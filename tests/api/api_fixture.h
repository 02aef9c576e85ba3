// A real REST API on 127.0.0.1 over real components: SQLite store, jobs core,
// Otter CA, firmware store. Tests talk to it with cpp-httplib's client.
#pragma once

#include <gtest/gtest.h>
#include <httplib.h>

#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "otter/api/certificate_ledger.h"
#include "otter/api/rest_api.h"
#include "otter/firmware/firmware_service.h"
#include "otter/firmware/sqlite_firmware_catalog.h"
#include "otter/jobs/clock.h"
#include "otter/jobs/service.h"
#include "otter/pki/certificate_authority.h"

namespace otter::api::testing {

class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

// Everything otterd would own, built in a temp data dir.
class ApiServerHarness {
 public:
  ApiServerHarness();
  ~ApiServerHarness();

  std::uint16_t port() const { return port_; }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  const std::string& token() const { return token_; }
  const std::filesystem::path& data_dir() const { return dir_.path(); }
  RestApi& api() { return *api_; }
  jobs::JobService& jobs() { return *jobs_; }
  jobs::Registry& registry() { return *registry_; }
  pki::CertificateAuthority& ca() { return *ca_; }
  model::Metrics& metrics() { return metrics_; }
  int revocations_reported() const { return revocations_; }
  // What otterd's MQTT side does when a device sends an execution update.
  jobs::UpdateOutcome device_update(const std::string& thing, const std::string& job, const std::string& status,
                                    const model::StatusDetails& details);

 private:
  TempDir dir_;
  jobs::SystemClock clock_;
  model::Metrics metrics_;
  std::unique_ptr<jobs::Core> core_;
  std::unique_ptr<jobs::Registry> registry_;
  std::unique_ptr<jobs::JobService> jobs_;
  std::unique_ptr<pki::CertificateAuthority> ca_;
  std::unique_ptr<firmware::ImageFiles> files_;
  std::unique_ptr<firmware::SigningProfiles> profiles_;
  std::unique_ptr<firmware::SqliteFirmwareCatalog> catalog_;
  std::unique_ptr<firmware::FirmwareService> firmware_;
  std::unique_ptr<CertificateLedger> ledger_;
  std::unique_ptr<RestApi> api_;
  std::string token_;
  std::uint16_t port_ = 0;
  int revocations_ = 0;
};

class ApiTest : public ::testing::Test {
 protected:
  ApiServerHarness server;
  httplib::Client client{"127.0.0.1", server.port()};
  httplib::Headers auth{{"Authorization", "Bearer " + server.token()}};

  httplib::Result get(const std::string& path) { return client.Get(path.c_str(), auth); }
  httplib::Result post(const std::string& path, const nlohmann::json& body) {
    return client.Post(path.c_str(), auth, body.dump(), "application/json");
  }
  httplib::Result post_raw(const std::string& path, const std::string& body, const char* type) {
    return client.Post(path.c_str(), auth, body, type);
  }
  httplib::Result put(const std::string& path) { return client.Put(path.c_str(), auth, "", "application/json"); }
  httplib::Result patch(const std::string& path, const nlohmann::json& body) {
    return client.Patch(path.c_str(), auth, body.dump(), "application/json");
  }
  httplib::Result del(const std::string& path) { return client.Delete(path.c_str(), auth); }

  // Status and parsed JSON body of a response (fails the test on transport errors).
  static nlohmann::json body_of(const httplib::Result& res);

  // Uploads a signed test image (server-side profile "release") and returns its id.
  std::string upload_signed_firmware(std::uint32_t seed = 1);
  void create_thing(const std::string& name);
};

}  // namespace otter::api::testing
