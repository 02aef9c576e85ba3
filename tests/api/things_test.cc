// Things, their certificates, groups.
#include "api_fixture.h"
#include "otter/pki/certificate_info.h"

namespace otter::api::testing {
namespace {

TEST_F(ApiTest, CreatingAThingIssuesACertificateFromTheOtterCa) {
  auto res = post("/api/v1/things", {{"thingName", "MY-IOT-OTA-Device"}, {"board", "numaker-iot-m487"}});
  ASSERT_EQ(res->status, 201) << res->body;
  const auto body = body_of(res);
  EXPECT_EQ(body["thing"]["thingName"], "MY-IOT-OTA-Device");
  EXPECT_EQ(body["thing"]["attributes"]["board"], "numaker-iot-m487");
  const std::string cert = body["certificate"]["certificatePem"];
  EXPECT_NE(body["certificate"]["privateKeyPem"].get<std::string>().find("PRIVATE KEY"), std::string::npos);
  EXPECT_EQ(body["caCertificatePem"], server.ca().certificate_pem());
  EXPECT_TRUE(pki::is_issued_by(cert, server.ca().certificate_pem()));
  EXPECT_EQ(pki::inspect_certificate(cert).common_name, "MY-IOT-OTA-Device");
  EXPECT_EQ(body["endpoint"]["host"], "127.0.0.1");
  EXPECT_EQ(body["endpoint"]["port"], 18883);
}

TEST_F(ApiTest, TheCodeVerifyCertificateComesFromTheSigningProfile) {
  auto profile = body_of(post("/api/v1/signing-profiles", {{"name", "release"}}));
  auto body = body_of(post("/api/v1/things", {{"thingName", "dev1"}}));
  EXPECT_EQ(body["codeVerifyCertificatePem"], profile["certificatePem"]);
  EXPECT_EQ(body["signingProfile"], "release");
}

TEST_F(ApiTest, CreatingAThingTwiceIsAConflict) {
  create_thing("dev1");
  auto res = post("/api/v1/things", {{"thingName", "dev1"}});
  EXPECT_EQ(res->status, 409);
}

TEST_F(ApiTest, ListingThingsPages) {
  for (int i = 0; i < 5; ++i) create_thing("dev" + std::to_string(i));
  const auto page = body_of(get("/api/v1/things?limit=2&offset=2"));
  EXPECT_EQ(page["total"], 5);
  ASSERT_EQ(page["things"].size(), 2u);
  EXPECT_EQ(page["nextOffset"], 4);
  const auto last = body_of(get("/api/v1/things?limit=2&offset=4"));
  EXPECT_EQ(last["things"].size(), 1u);
  EXPECT_FALSE(last.contains("nextOffset"));
}

TEST_F(ApiTest, ShowingAThingListsItsGroupsAndCertificates) {
  create_thing("dev1");
  ASSERT_EQ(post("/api/v1/groups", {{"thingGroupName", "lab"}})->status, 201);
  ASSERT_EQ(put("/api/v1/groups/lab/members/dev1")->status, 200);
  const auto thing = body_of(get("/api/v1/things/dev1"));
  EXPECT_EQ(thing["groups"], nlohmann::json::array({"lab"}));
  ASSERT_EQ(thing["certificates"].size(), 1u);
  EXPECT_EQ(thing["certificates"][0]["status"], "ACTIVE");
}

TEST_F(ApiTest, AttributesMergeAndNullRemoves) {
  create_thing("dev1");
  auto res = patch("/api/v1/things/dev1/attributes", {{"attributes", {{"site", "lab"}, {"board", nullptr}}}});
  ASSERT_EQ(res->status, 200) << res->body;
  const auto thing = body_of(get("/api/v1/things/dev1"));
  EXPECT_EQ(thing["attributes"], nlohmann::json({{"site", "lab"}}));
}

TEST_F(ApiTest, DeletingAThingRevokesItsCertificate) {
  auto created = body_of(post("/api/v1/things", {{"thingName", "dev1"}}));
  const std::string serial = created["certificate"]["serial"];
  auto res = del("/api/v1/things/dev1");
  ASSERT_EQ(res->status, 200) << res->body;
  EXPECT_EQ(body_of(res)["revokedCertificates"], nlohmann::json::array({serial}));
  EXPECT_TRUE(server.ca().is_revoked(serial));
  EXPECT_EQ(get("/api/v1/things/dev1")->status, 404);
  EXPECT_EQ(server.revocations_reported(), 1);
}

TEST_F(ApiTest, RevokingACertificateUpdatesTheCrl) {
  auto created = body_of(post("/api/v1/things", {{"thingName", "dev1"}}));
  const std::string serial = created["certificate"]["serial"];
  auto res = post("/api/v1/certificates/" + serial + "/revoke", {{"reason", "key leaked"}});
  ASSERT_EQ(res->status, 200) << res->body;
  EXPECT_EQ(body_of(res)["status"], "REVOKED");
  EXPECT_EQ(body_of(res)["revocationReason"], "key leaked");
  EXPECT_TRUE(server.ca().is_revoked(serial));
  EXPECT_EQ(body_of(get("/api/v1/certificates?thingName=dev1"))["certificates"][0]["status"], "REVOKED");
}

TEST_F(ApiTest, GroupMembershipCanBeChanged) {
  create_thing("a");
  create_thing("b");
  ASSERT_EQ(post("/api/v1/groups", {{"thingGroupName", "fleet"}, {"description", "all"}})->status, 201);
  put("/api/v1/groups/fleet/members/a");
  put("/api/v1/groups/fleet/members/b");
  EXPECT_EQ(body_of(get("/api/v1/groups/fleet"))["members"].size(), 2u);
  ASSERT_EQ(del("/api/v1/groups/fleet/members/a")->status, 200);
  EXPECT_EQ(body_of(get("/api/v1/groups/fleet"))["members"], nlohmann::json::array({"b"}));
  EXPECT_EQ(body_of(get("/api/v1/groups"))["groups"][0]["memberCount"], 1);
}

TEST_F(ApiTest, AddingAnUnknownThingToAGroupIs404) {
  ASSERT_EQ(post("/api/v1/groups", {{"thingGroupName", "fleet"}})->status, 201);
  EXPECT_EQ(put("/api/v1/groups/fleet/members/ghost")->status, 404);
}

}  // namespace
}  // namespace otter::api::testing
