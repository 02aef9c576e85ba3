// Bad input gets a clear JSON error and changes nothing.
#include "api_fixture.h"

namespace otter::api::testing {
namespace {

TEST_F(ApiTest, MalformedJsonIsA400WithTheParserMessage) {
  for (const char* path : {"/api/v1/things", "/api/v1/groups", "/api/v1/jobs", "/api/v1/signing-profiles"}) {
    auto res = post_raw(path, "{\"thingName\": ", "application/json");
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 400) << path;
    EXPECT_NE(body_of(res)["error"].get<std::string>().find("malformed JSON"), std::string::npos) << path;
  }
  EXPECT_EQ(body_of(get("/api/v1/things"))["total"], 0);
}

TEST_F(ApiTest, AJsonBodyThatIsNotAnObjectIsA400) {
  auto res = post_raw("/api/v1/things", "[1,2]", "application/json");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 400);
}

TEST_F(ApiTest, MissingRequiredFieldsAreNamed) {
  auto res = post("/api/v1/things", {{"name", "wrong-field"}});
  EXPECT_EQ(res->status, 400);
  EXPECT_NE(body_of(res)["error"].get<std::string>().find("thingName"), std::string::npos);
}

TEST_F(ApiTest, AnInvalidThingNameIsA400) {
  for (const char* name : {"has space", "a/b", "otterd", "#"}) {
    auto res = post("/api/v1/things", {{"thingName", name}});
    EXPECT_EQ(res->status, 400) << name;
  }
}

TEST_F(ApiTest, AnUnknownBoardIsA400NamingTheKnownOnes) {
  auto res = post("/api/v1/things", {{"thingName", "dev1"}, {"board", "numaker-iot-m488"}});
  EXPECT_EQ(res->status, 400);
  EXPECT_NE(body_of(res)["error"].get<std::string>().find("numaker-iot-m487"), std::string::npos);
  EXPECT_EQ(get("/api/v1/things/dev1")->status, 404);
}

TEST_F(ApiTest, UnknownIdsAre404) {
  const std::string digest(64, 'a');
  for (const std::string& path : std::vector<std::string>{"/api/v1/things/ghost", "/api/v1/groups/ghost", "/api/v1/jobs/ghost", "/api/v1/jobs/ghost/executions",
        "/api/v1/jobs/ghost/executions/ghost", "/api/v1/jobs/ghost/events", "/api/v1/firmware/" + digest,
        "/api/v1/firmware/" + digest + "/content", "/api/v1/certificates/abcdef", "/api/v1/streams/ghost",
        "/api/v1/signing-profiles/ghost", "/api/v1/things/ghost/executions"}) {
    auto res = get(path);
    ASSERT_TRUE(res) << path;
    EXPECT_EQ(res->status, 404) << path << ": " << res->body;
    EXPECT_TRUE(body_of(res).contains("error")) << path;
  }
  EXPECT_EQ(del("/api/v1/things/ghost")->status, 404);
  EXPECT_EQ(post("/api/v1/jobs/ghost/cancel", nlohmann::json::object())->status, 404);
  EXPECT_EQ(post("/api/v1/certificates/abcdef/revoke", nlohmann::json::object())->status, 404);
}

TEST_F(ApiTest, PagingParametersAreChecked) {
  EXPECT_EQ(get("/api/v1/things?limit=0")->status, 400);
  EXPECT_EQ(get("/api/v1/things?limit=abc")->status, 400);
  EXPECT_EQ(get("/api/v1/things?offset=-1")->status, 400);
  EXPECT_EQ(get("/api/v1/things?limit=1000")->status, 200);
}

}  // namespace
}  // namespace otter::api::testing
