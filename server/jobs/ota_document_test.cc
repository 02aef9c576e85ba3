#include "otter/jobs/ota_document.h"

#include <gtest/gtest.h>

#include "otter/model/json.h"

namespace otter::jobs {
namespace {

OtaFile file() {
  OtaFile f;
  f.filepath = "fw.bin";
  f.filesize = 302468;
  f.fileid = 0;
  f.certfile = "Code_Verify_Key";
  f.signature_base64 = "MEUCIQ==";
  return f;
}

TEST(AfrOtaDocument, HasTheFieldsTheAwsAgentReads) {
  auto doc = build_afr_ota_document("stream-1", {file()});
  const auto& ota = doc.at("afr_ota");
  EXPECT_EQ(ota.at("protocols"), nlohmann::json::array({"MQTT"}));
  EXPECT_EQ(ota.at("streamname"), "stream-1");
  const auto& f = ota.at("files").at(0);
  EXPECT_EQ(f.at("filepath"), "fw.bin");
  EXPECT_EQ(f.at("filesize"), 302468);
  EXPECT_EQ(f.at("fileid"), 0);
  EXPECT_EQ(f.at("certfile"), "Code_Verify_Key");
  EXPECT_EQ(f.at("sig-sha256-ecdsa"), "MEUCIQ==");
  EXPECT_EQ(f.at("fileType"), 0);
  EXPECT_FALSE(f.contains("attr"));
}

TEST(AfrOtaDocument, RefusesFilesWithoutSignatureOrSize) {
  auto f = file();
  f.signature_base64.clear();
  EXPECT_THROW(build_afr_ota_document("s", {f}), model::ModelError);
  f = file();
  f.filesize = 0;
  EXPECT_THROW(build_afr_ota_document("s", {f}), model::ModelError);
  EXPECT_THROW(build_afr_ota_document("s", {file(), file()}), model::ModelError);  // duplicate id
  EXPECT_THROW(build_afr_ota_document("bad name", {file()}), model::ModelError);
}

TEST(AfrOtaDocument, StreamNameIsReadBack) {
  EXPECT_EQ(stream_name_of(build_afr_ota_document("abc", {file()})), "abc");
  EXPECT_EQ(stream_name_of(nlohmann::json::object()), "");
}

}  // namespace
}  // namespace otter::jobs
