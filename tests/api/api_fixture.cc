#include "api_fixture.h"

#include <stdlib.h>

#include "otter/api/api_token.h"
#include "otter/image/test_image.h"
#include "otter/store/sqlite_store.h"

namespace otter::api::testing {

TempDir::TempDir() {
  std::string pattern = (std::filesystem::temp_directory_path() / "otter-api-test-XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  path_ = pattern;
}

TempDir::~TempDir() {
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

ApiServerHarness::ApiServerHarness() {
  const auto& d = dir_.path();
  core_ = std::make_unique<jobs::Core>(store::open_sqlite_store(d / "otter.db"), clock_, metrics_);
  registry_ = std::make_unique<jobs::Registry>(*core_);
  jobs_ = std::make_unique<jobs::JobService>(*core_);
  ca_ = std::make_unique<pki::CertificateAuthority>(pki::CertificateAuthority::create(d / "pki"));
  files_ = std::make_unique<firmware::ImageFiles>(d / "firmware");
  profiles_ = std::make_unique<firmware::SigningProfiles>(d / "signing");
  catalog_ = std::make_unique<firmware::SqliteFirmwareCatalog>(d / "firmware" / "catalog.db");
  firmware_ = std::make_unique<firmware::FirmwareService>(*files_, *profiles_, *catalog_, [] { return 1'800'000'000; });
  ledger_ = std::make_unique<CertificateLedger>(d / "certificates.db");
  token_ = ensure_api_token(d);
  ApiContext context{*registry_, *jobs_, metrics_, *firmware_, *ledger_, ca_.get(),
                     BrokerEndpoint{"127.0.0.1", 18883}, [this] { ++revocations_; }, {}};
  api_ = std::make_unique<RestApi>(std::move(context), token_);
  port_ = api_->start("127.0.0.1", 0);
}

ApiServerHarness::~ApiServerHarness() { api_->stop(); }

jobs::UpdateOutcome ApiServerHarness::device_update(const std::string& thing, const std::string& job,
                                                    const std::string& status, const model::StatusDetails& details) {
  jobs::UpdateRequest request;
  request.status = status;
  request.status_details = details;
  return core_->run([&](store::Store&, jobs::JobsEngine& engine, jobs::Effects& effects) {
    return engine.update_execution(thing, job, request, effects);
  });
}

nlohmann::json ApiTest::body_of(const httplib::Result& res) {
  if (!res) {
    ADD_FAILURE() << "request failed: " << httplib::to_string(res.error());
    return nullptr;
  }
  if (res->body.empty()) return nullptr;
  try {
    return nlohmann::json::parse(res->body);
  } catch (const nlohmann::json::exception&) {
    return res->body;
  }
}

std::string ApiTest::upload_signed_firmware(std::uint32_t seed) {
  auto profile = get("/api/v1/signing-profiles/release");
  if (profile && profile->status == 404) {
    auto created = post("/api/v1/signing-profiles", {{"name", "release"}, {"commonName", "Release Signer"}});
    EXPECT_EQ(created->status, 201) << created->body;
  }
  const auto image = image::make_test_image({.size = 16 * 1024, .version = {1, 0, 1}, .seed = seed});
  auto res = post_raw("/api/v1/firmware?name=fw.bin&signingProfile=release", std::string(image.begin(), image.end()),
                      "application/octet-stream");
  EXPECT_TRUE(res && (res->status == 201 || res->status == 200)) << (res ? res->body : "no response");
  return body_of(res).value("firmwareId", std::string());
}

void ApiTest::create_thing(const std::string& name) {
  auto res = post("/api/v1/things", {{"thingName", name}, {"board", "numaker-iot-m487"}});
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 201) << res->body;
}

}  // namespace otter::api::testing
