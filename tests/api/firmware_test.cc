// Firmware upload (raw and multipart), signature checks, download, signing.
#include "api_fixture.h"
#include "otter/crypto/keys.h"
#include "otter/crypto/signature.h"
#include "otter/image/test_image.h"

namespace otter::api::testing {
namespace {

std::string as_string(const std::vector<std::uint8_t>& b) { return {b.begin(), b.end()}; }

TEST_F(ApiTest, RawUploadStoresTheImageWithItsDescriptor) {
  const auto image = image::make_test_image({.size = 16 * 1024, .version = {1, 0, 1}});
  auto res = post_raw("/api/v1/firmware?name=fw_v1.0.1.bin", as_string(image), "application/octet-stream");
  ASSERT_EQ(res->status, 201) << res->body;
  const auto body = body_of(res);
  EXPECT_EQ(body["name"], "fw_v1.0.1.bin");
  EXPECT_EQ(body["size"], image.size());
  EXPECT_EQ(body["descriptor"]["version"], "1.0.1");
  EXPECT_EQ(body["descriptor"]["board"], "numaker-iot-m487");
  EXPECT_EQ(body["signed"], false);
  const auto download = get("/api/v1/firmware/" + body["firmwareId"].get<std::string>() + "/content");
  ASSERT_EQ(download->status, 200);
  EXPECT_EQ(download->body, as_string(image));
}

TEST_F(ApiTest, MultipartUploadWithAValidSignatureIsAccepted) {
  image::TestSigner signer;
  const auto image = image::make_test_image({.size = 16 * 1024});
  const httplib::MultipartFormDataItems items{
      {"file", as_string(image), "fw.bin", "application/octet-stream"},
      {"signature", as_string(signer.sign(image)), "fw.bin.sig", "application/octet-stream"},
      {"certificate", signer.certificate_pem(), "", ""}};
  auto res = client.Post("/api/v1/firmware", auth, items);
  ASSERT_EQ(res->status, 201) << res->body;
  EXPECT_EQ(body_of(res)["signed"], true);
  EXPECT_EQ(body_of(res)["signerCertificatePem"], signer.certificate_pem());
}

TEST_F(ApiTest, AnUploadWithABadSignatureIsRefusedAndNotStored) {
  image::TestSigner signer;
  const auto image = image::make_test_image({.size = 16 * 1024, .seed = 1});
  const auto other = image::make_test_image({.size = 16 * 1024, .seed = 2});
  const httplib::MultipartFormDataItems items{
      {"file", as_string(image), "fw.bin", "application/octet-stream"},
      {"signature", signer.sign_base64(other), "", ""},
      {"certificate", signer.certificate_pem(), "", ""}};
  auto res = client.Post("/api/v1/firmware", auth, items);
  ASSERT_EQ(res->status, 422) << res->body;
  EXPECT_NE(body_of(res)["error"].get<std::string>().find("does not verify"), std::string::npos);
  EXPECT_EQ(body_of(get("/api/v1/firmware"))["total"], 0);
}

TEST_F(ApiTest, ASignatureThatIsNotBase64IsA400) {
  const auto image = image::make_test_image({.size = 16 * 1024});
  auto res = post_raw("/api/v1/firmware?signature=%21%21%21", as_string(image), "application/octet-stream");
  EXPECT_EQ(res->status, 400);
}

TEST_F(ApiTest, AFileWithoutDescriptorNeedsRaw) {
  const std::string blob(4096, 'x');
  EXPECT_EQ(post_raw("/api/v1/firmware", blob, "application/octet-stream")->status, 400);
  EXPECT_EQ(post_raw("/api/v1/firmware?raw=true", blob, "application/octet-stream")->status, 201);
}

TEST_F(ApiTest, AnEmptyUploadIsA400) {
  EXPECT_EQ(post_raw("/api/v1/firmware", "", "application/octet-stream")->status, 400);
}

TEST_F(ApiTest, SigningWithAProfileProducesAVerifiableSignature) {
  const auto image = image::make_test_image({.size = 16 * 1024});
  const std::string id = body_of(post_raw("/api/v1/firmware", as_string(image), "application/octet-stream"))["firmwareId"];
  ASSERT_EQ(post("/api/v1/signing-profiles", {{"name", "release"}})->status, 201);
  auto res = post("/api/v1/firmware/" + id + "/sign", {{"signingProfile", "release"}});
  ASSERT_EQ(res->status, 200) << res->body;
  const auto body = body_of(res);
  EXPECT_EQ(body["signingProfile"], "release");
  const auto cert = body["signerCertificatePem"].get<std::string>();
  const auto key = crypto::read_public_key(std::span(reinterpret_cast<const std::uint8_t*>(cert.data()), cert.size()));
  EXPECT_TRUE(crypto::verify_sha256(key, image, crypto::decode_base64(body["signature"].get<std::string>())));
}

TEST_F(ApiTest, SignatureOfAnotherSignerWithoutCertificateIsRefused) {
  ASSERT_EQ(post("/api/v1/signing-profiles", {{"name", "release"}})->status, 201);
  image::TestSigner stranger;
  const auto image = image::make_test_image({.size = 16 * 1024});
  auto res = post_raw("/api/v1/firmware?signature=" + httplib::detail::encode_query_param(stranger.sign_base64(image)),
                      as_string(image), "application/octet-stream");
  EXPECT_EQ(res->status, 422) << res->body;
}

TEST_F(ApiTest, SigningProfileKeysNeverLeaveTheServer) {
  const auto body = body_of(post("/api/v1/signing-profiles", {{"name", "release"}}));
  EXPECT_FALSE(body.dump().find("PRIVATE KEY") != std::string::npos);
  EXPECT_FALSE(body_of(get("/api/v1/signing-profiles")).dump().find("PRIVATE KEY") != std::string::npos);
}

TEST_F(ApiTest, FirmwareListIsPaged) {
  for (std::uint32_t seed = 1; seed <= 3; ++seed) {
    const auto image = image::make_test_image({.size = 8 * 1024, .seed = seed});
    post_raw("/api/v1/firmware", as_string(image), "application/octet-stream");
  }
  const auto page = body_of(get("/api/v1/firmware?limit=2"));
  EXPECT_EQ(page["total"], 3);
  EXPECT_EQ(page["firmware"].size(), 2u);
  EXPECT_EQ(page["nextOffset"], 2);
}

}  // namespace
}  // namespace otter::api::testing
