// Every route but /health needs the bearer token from the data dir.
#include <regex>

#include "api_fixture.h"

namespace otter::api::testing {
namespace {

// A concrete path for a template: every {param} becomes "x".
std::string concrete(const std::string& path_template) {
  return std::regex_replace(path_template, std::regex(R"(\{[A-Za-z0-9_]+\})"), "x");
}

httplib::Result call(httplib::Client& client, const RouteInfo& route, const httplib::Headers& headers) {
  const std::string path = concrete(route.path_template);
  if (route.method == "GET") return client.Get(path.c_str(), headers);
  if (route.method == "POST") return client.Post(path.c_str(), headers, "{}", "application/json");
  if (route.method == "PUT") return client.Put(path.c_str(), headers, "{}", "application/json");
  if (route.method == "PATCH") return client.Patch(path.c_str(), headers, "{}", "application/json");
  return client.Delete(path.c_str(), headers);
}

TEST_F(ApiTest, HealthNeedsNoToken) {
  auto res = client.Get("/health");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(body_of(res)["status"], "ok");
}

TEST_F(ApiTest, EveryOtherRouteAnswers401WithoutAToken) {
  int checked = 0;
  for (const auto& route : server.api().routes()) {
    if (!route.requires_auth) continue;
    auto res = call(client, route, {});
    ASSERT_TRUE(res) << route.method << " " << route.path_template;
    EXPECT_EQ(res->status, 401) << route.method << " " << route.path_template;
    EXPECT_TRUE(body_of(res).contains("error")) << route.path_template;
    EXPECT_EQ(res->get_header_value("WWW-Authenticate"), "Bearer realm=\"otterd\"");
    ++checked;
  }
  EXPECT_GT(checked, 30);
}

TEST_F(ApiTest, EveryOtherRouteAnswers401WithAWrongToken) {
  const httplib::Headers wrong{{"Authorization", "Bearer " + std::string(64, '0')}};
  for (const auto& route : server.api().routes()) {
    if (!route.requires_auth) continue;
    auto res = call(client, route, wrong);
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 401) << route.method << " " << route.path_template;
    EXPECT_EQ(body_of(res)["error"], "invalid API token");
  }
}

TEST_F(ApiTest, ATokenWithADifferentSchemeIsRefused) {
  auto res = client.Get("/api/v1/things", {{"Authorization", "Basic " + server.token()}});
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 401);
}

TEST_F(ApiTest, ATokenInTheUrlIsNeverAccepted) {
  for (const char* name : {"access_token", "token"}) {
    auto res = client.Get(("/api/v1/things?" + std::string(name) + "=" + server.token()).c_str());
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 400) << name;
    EXPECT_NE(body_of(res)["error"].get<std::string>().find("Authorization"), std::string::npos);
  }
}

TEST_F(ApiTest, TheRightTokenIsAccepted) {
  auto res = get("/api/v1/things");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
}

TEST_F(ApiTest, UnknownRoutesAnswerJson404) {
  auto res = get("/api/v1/nothing-here");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 404);
  EXPECT_TRUE(body_of(res).contains("error"));
}

}  // namespace
}  // namespace otter::api::testing
