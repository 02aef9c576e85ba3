// The dashboard mounted on a real cpp-httplib server on 127.0.0.1, over a
// real SQLite store, requested with a real HTTP client.
#include "otter/dashboard/dashboard.h"

#include <gtest/gtest.h>
#include <httplib.h>

#include <filesystem>
#include <memory>
#include <thread>

#include "otter/jobs/clock.h"
#include "otter/store/sqlite_store.h"

namespace otter::dashboard {
namespace {

constexpr const char* kToken = "s3cret-token";

class DashboardServer : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("otter-dashboard-test-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    core_ = std::make_unique<jobs::Core>(store::open_sqlite_store(dir_ / "otterd.db"), clock_, metrics_);
    registry_ = std::make_unique<jobs::Registry>(*core_);
    jobs_ = std::make_unique<jobs::JobService>(*core_);
    server_.Get("/api/v1/fixed", [](const httplib::Request&, httplib::Response& res) {
      res.status = 200;
      res.set_content(R"({"same":true})", "application/json");
    });
    server_.Get("/api/v1/streamed", [](const httplib::Request&, httplib::Response& res) {
      res.status = 200;
      res.set_content_provider(4, "application/octet-stream", [](std::size_t offset, std::size_t length,
                                                                   httplib::DataSink& sink) {
        sink.write("abcd" + offset, length);
        return true;
      });
    });
    mount_dashboard(server_, {*registry_, *jobs_, [](const httplib::Request& req) {
                                return req.get_header_value("Authorization") == std::string("Bearer ") + kToken;
                              }});
    port_ = server_.bind_to_any_port("127.0.0.1");
    ASSERT_GT(port_, 0);
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    while (!server_.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    client_ = std::make_unique<httplib::Client>("127.0.0.1", port_);
    client_->set_connection_timeout(5);
    client_->set_read_timeout(10);
  }
  void TearDown() override {
    server_.stop();
    if (thread_.joinable()) thread_.join();
    std::filesystem::remove_all(dir_);
  }

  httplib::Result get(const std::string& path, httplib::Headers headers = {}) { return client_->Get(path, headers); }
  httplib::Result get_authorized(const std::string& path) {
    return get(path, {{"Authorization", std::string("Bearer ") + kToken}});
  }

  std::filesystem::path dir_;
  jobs::ManualClock clock_;
  model::Metrics metrics_;
  std::unique_ptr<jobs::Core> core_;
  std::unique_ptr<jobs::Registry> registry_;
  std::unique_ptr<jobs::JobService> jobs_;
  httplib::Server server_;
  int port_ = 0;
  std::thread thread_;
  std::unique_ptr<httplib::Client> client_;
};

TEST_F(DashboardServer, RootServesTheAppShellWithAStrictContentSecurityPolicy) {
  auto res = get("/");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(res->get_header_value("Content-Type"), "text/html; charset=utf-8");
  EXPECT_NE(res->body.find("<html"), std::string::npos);
  const std::string csp = res->get_header_value("Content-Security-Policy");
  EXPECT_NE(csp.find("script-src 'self'"), std::string::npos);
  EXPECT_NE(csp.find("connect-src 'self'"), std::string::npos);
  EXPECT_EQ(res->get_header_value("X-Frame-Options"), "DENY");
}

TEST_F(DashboardServer, ClientSideRoutesServeTheSameShell) {
  const std::string shell = get("/")->body;
  for (const char* path : {"/login", "/things", "/things/dev-1", "/groups", "/firmware", "/jobs", "/jobs/new",
                           "/jobs/ota-1"}) {
    auto res = get(path);
    ASSERT_TRUE(res) << path;
    EXPECT_EQ(res->status, 200) << path;
    EXPECT_EQ(res->body, shell) << path;
  }
}

TEST_F(DashboardServer, OtherPathsAreNotTheApp) {
  EXPECT_FALSE(is_app_route("/health"));
  EXPECT_FALSE(is_app_route("/metrics"));
  EXPECT_FALSE(is_app_route("/jobs/a/b"));
  EXPECT_FALSE(is_app_route("/things/../etc"));
  EXPECT_EQ(get("/ui/missing.js")->status, 404);
}

TEST_F(DashboardServer, AssetsRevalidateWith304) {
  auto first = get("/ui/app.js");
  ASSERT_TRUE(first);
  ASSERT_EQ(first->status, 200);
  const std::string etag = first->get_header_value("ETag");
  ASSERT_FALSE(etag.empty());
  EXPECT_EQ(first->get_header_value("Cache-Control"), "no-cache");
  auto again = get("/ui/app.js", {{"If-None-Match", etag}});
  ASSERT_TRUE(again);
  EXPECT_EQ(again->status, 304);
  EXPECT_TRUE(again->body.empty());
}

TEST_F(DashboardServer, UnchangedApiAnswerIs304AndAChangedOneIsNot) {
  auto first = get("/api/v1/fixed");
  ASSERT_TRUE(first);
  const std::string etag = first->get_header_value("ETag");
  ASSERT_FALSE(etag.empty());
  EXPECT_EQ(first->get_header_value("Cache-Control"), "no-store");
  EXPECT_EQ(get("/api/v1/fixed", {{"If-None-Match", etag}})->status, 304);
  EXPECT_EQ(get("/api/v1/fixed", {{"If-None-Match", "\"other\""}})->status, 200);
}

TEST_F(DashboardServer, StreamedAnswersGetNoEtagAndNever304) {
  auto res = get("/api/v1/streamed", {{"If-None-Match", "*"}});
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(res->body, "abcd");
  EXPECT_FALSE(res->has_header("ETag"));
}

TEST_F(DashboardServer, FleetRouteNeedsTheToken) {
  auto res = get("/api/v1/dashboard/things");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 401);
  EXPECT_NE(res->body.find("\"error\""), std::string::npos);
  EXPECT_EQ(get("/api/v1/dashboard/things", {{"Authorization", "Bearer wrong"}})->status, 401);
}

TEST_F(DashboardServer, FleetRouteRefusesATokenInTheUrl) {
  EXPECT_EQ(get(std::string("/api/v1/dashboard/things?access_token=") + kToken)->status, 400);
}

TEST_F(DashboardServer, FleetRouteListsThingsWithBoardInPages) {
  for (int i = 1; i <= 5; ++i) {
    registry_->create_thing("dev-" + std::to_string(i), {{"board", "numaker-iot-m487"}});
  }
  auto res = get_authorized("/api/v1/dashboard/things?limit=2&offset=2");
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200);
  const auto page = nlohmann::json::parse(res->body);
  EXPECT_EQ(page["total"], 5);
  EXPECT_EQ(page["nextOffset"], 4);
  ASSERT_EQ(page["things"].size(), 2u);
  EXPECT_EQ(page["things"][0]["thingName"], "dev-3");
  EXPECT_EQ(page["things"][0]["board"], "numaker-iot-m487");
  EXPECT_TRUE(page["things"][0]["lastSeen"].is_null());
}

TEST_F(DashboardServer, FleetRouteFiltersByGroupAndPrefix) {
  registry_->create_thing("a-1");
  registry_->create_thing("a-2");
  registry_->create_thing("b-1");
  registry_->create_group("lab");
  registry_->add_to_group("lab", "a-2");
  registry_->add_to_group("lab", "b-1");
  auto page = nlohmann::json::parse(get_authorized("/api/v1/dashboard/things?group=lab&prefix=a")->body);
  ASSERT_EQ(page["total"], 1);
  EXPECT_EQ(page["things"][0]["thingName"], "a-2");
  EXPECT_EQ(page["things"][0]["groups"], nlohmann::json::array({"lab"}));
}

TEST_F(DashboardServer, FleetRouteUnknownGroupIsNotFound) {
  EXPECT_EQ(get_authorized("/api/v1/dashboard/things?group=nope")->status, 404);
}

TEST_F(DashboardServer, FleetRouteRejectsABadLimit) {
  for (const char* q : {"limit=0", "limit=1001", "limit=x", "offset=-1"}) {
    auto res = get_authorized(std::string("/api/v1/dashboard/things?") + q);
    ASSERT_TRUE(res) << q;
    EXPECT_EQ(res->status, 400) << q;
  }
}

}  // namespace
}  // namespace otter::dashboard
