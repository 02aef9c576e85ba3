// /metrics speaks the Prometheus text format.
#include <regex>
#include <sstream>

#include "api_fixture.h"

namespace otter::api::testing {
namespace {

TEST_F(ApiTest, MetricsIsPrometheusText) {
  create_thing("dev1");
  ASSERT_EQ(post("/api/v1/jobs", {{"jobId", "j1"}, {"firmwareId", upload_signed_firmware()}, {"things", {"dev1"}}})
                ->status,
            201);
  server.metrics().stream_blocks_served += 7;
  server.metrics().stream_bytes_served += 7 * 4096;
  auto res = get("/metrics");
  ASSERT_EQ(res->status, 200);
  EXPECT_EQ(res->get_header_value("Content-Type"), "text/plain; version=0.0.4; charset=utf-8");
  // Every line is a comment (# HELP / # TYPE) or `name{labels} value`.
  const std::regex comment(R"(# (HELP|TYPE) [a-zA-Z_:][a-zA-Z0-9_:]* .*)");
  const std::regex sample(R"([a-zA-Z_:][a-zA-Z0-9_:]*(\{[a-zA-Z_][a-zA-Z0-9_]*="[^"]*"(,[a-zA-Z_][a-zA-Z0-9_]*="[^"]*")*\})? -?[0-9.e+]+)");
  std::istringstream lines(res->body);
  std::string line;
  int samples = 0;
  while (std::getline(lines, line)) {
    if (line.rfind("#", 0) == 0) {
      EXPECT_TRUE(std::regex_match(line, comment)) << line;
    } else {
      EXPECT_TRUE(std::regex_match(line, sample)) << line;
      ++samples;
    }
  }
  EXPECT_GT(samples, 10);
  EXPECT_NE(res->body.find("otter_job_executions{state=\"QUEUED\"} 1\n"), std::string::npos) << res->body;
  EXPECT_NE(res->body.find("otter_stream_blocks_served_total 7\n"), std::string::npos);
  EXPECT_NE(res->body.find("otter_stream_bytes_served_total 28672\n"), std::string::npos);
  EXPECT_NE(res->body.find("otter_mqtt_messages_received_total "), std::string::npos);
  EXPECT_NE(res->body.find("otter_errors_total{kind=\"stream_request_rejected\"} 0\n"), std::string::npos);
}

TEST_F(ApiTest, MetricsCountApiErrors) {
  get("/api/v1/things/ghost");
  const auto body = get("/metrics")->body;
  EXPECT_NE(body.find("otter_errors_total{kind=\"api_client_error\"} 1\n"), std::string::npos) << body;
}

TEST_F(ApiTest, MetricsNeedTheToken) { EXPECT_EQ(client.Get("/metrics")->status, 401); }

}  // namespace
}  // namespace otter::api::testing
