#include <gtest/gtest.h>

#include <array>
#include <string>

#include "otter/codec/json_reader.h"
#include "otter/protocol/job_messages.h"
#include "otter/protocol/job_updates.h"

namespace otter::protocol {
namespace {

constexpr std::string_view kNotify =
    R"({"timestamp":1700000000,"execution":{"jobId":"ota-1","status":"QUEUED","versionNumber":3,)"
    R"("executionNumber":2,"statusDetails":{"self_test":"ready","updatedBy":"0x01000000"},)"
    R"("jobDocument":{"afr_ota":{"protocols":["MQTT"],"streamname":"AFR_OTA-s1","files":[)"
    R"({"filepath":"fw.bin","filesize":4096,"fileid":0,"certfile":"Code_Verify_Key",)"
    R"("sig-sha256-ecdsa":"MEUCIQ==","fileType":0,"attr":3}]}}}})";

TEST(JobsMessage, ParsesAnExecutionWithItsOtaDocument) {
  JobsMessage m;
  ASSERT_EQ(parse_jobs_message(kNotify, m), Status::kOk);
  ASSERT_TRUE(m.has_execution);
  const JobExecution& e = m.execution;
  EXPECT_EQ(e.job(), "ota-1");
  EXPECT_EQ(e.version_number, 3u);
  EXPECT_EQ(e.execution_number, 2u);
  EXPECT_EQ(e.self_test, SelfTest::kReady);
  EXPECT_TRUE(e.has_updated_by);
  EXPECT_EQ(e.updated_by, 0x01000000u);
  EXPECT_EQ(m.document_error, JobDocumentError::kNone);
  EXPECT_EQ(e.stream_name(), "AFR_OTA-s1");
  EXPECT_EQ(e.file.size, 4096u);
  EXPECT_EQ(e.file.signature_size, 4u);
  EXPECT_EQ(e.file.signature[0], 0x30);
}

TEST(JobsMessage, NoExecutionMeansNoPendingJob) {
  JobsMessage m;
  ASSERT_EQ(parse_jobs_message(R"({"timestamp":1})", m), Status::kOk);
  EXPECT_FALSE(m.has_execution);
}

TEST(JobsMessage, ReportsDocumentProblemsWithoutFailingTheMessage) {
  JobsMessage m;
  ASSERT_EQ(parse_jobs_message(R"({"execution":{"jobId":"j","jobDocument":{"afr_ota":{"protocols":["HTTP"]}}}})", m),
            Status::kOk);
  EXPECT_EQ(m.document_error, JobDocumentError::kNoMqtt);
  ASSERT_EQ(parse_jobs_message(R"({"execution":{"jobId":"j","jobDocument":{"other":1}}})", m), Status::kOk);
  EXPECT_EQ(m.document_error, JobDocumentError::kNotOta);
}

TEST(JobsMessage, RefusesAnExecutionWithoutJobId) {
  JobsMessage m;
  EXPECT_EQ(parse_jobs_message(R"({"execution":{"status":"QUEUED"}})", m), Status::kNotFound);
  EXPECT_EQ(parse_jobs_message(R"({"execution":{"jobId":"a/b"}})", m), Status::kMalformed);
}

TEST(JobsMessage, ReadsEachKeyOnlyInItsOwnObjectAndTheFirstOfDuplicates) {
  JobsMessage m;
  ASSERT_EQ(parse_jobs_message(R"({"other":{"execution":{"jobId":"x"}},"execution":{"x":{"jobId":"nested"},)"
                               R"("jobId":"first","jobId":"second","versionNumber":5,"statusDetails":{},)"
                               R"("jobDocument":{"x":{"afr_ota":{}}}}})",
                               m),
            Status::kOk);
  EXPECT_EQ(m.execution.job(), "first");
  EXPECT_EQ(m.execution.version_number, 5u);
  EXPECT_EQ(m.document_error, JobDocumentError::kNotOta);
}

TEST(JobsMessage, PicksTheFirstFirmwareFileWhateverTheKeyOrder) {
  JobsMessage m;
  ASSERT_EQ(parse_jobs_message(R"({"execution":{"jobDocument":{"afr_ota":{"files":[)"
                               R"({"fileid":1,"filesize":9,"sig-sha256-ecdsa":"AA==","fileType":2},7,)"
                               R"({"fileid":2,"fileType":0,"filesize":10,"sig-sha256-ecdsa":"AQ=="},)"
                               R"({"fileid":3,"filesize":11,"sig-sha256-ecdsa":"Ag=="}],)"
                               R"("streamname":"s","protocols":["HTTP","MQTT"]}},"jobId":"j"}})",
                               m),
            Status::kOk);
  EXPECT_EQ(m.document_error, JobDocumentError::kNone);
  EXPECT_EQ(m.execution.file.file_id, 2u);
  EXPECT_EQ(m.execution.file.size, 10u);
  EXPECT_EQ(m.execution.file.signature[0], 1u);
}

TEST(JobsMessage, RefusesEscapesInIdentifiersAndInTheSignatureAllButSlash) {
  JobsMessage m;
  EXPECT_EQ(parse_jobs_message(R"({"execution":{"jobId":"a\u0062"}})", m), Status::kUnsupported);
  const auto document = [&](std::string_view stream, std::string_view signature) {
    const std::string text = R"({"execution":{"jobId":"j","jobDocument":{"afr_ota":{"protocols":["MQTT"],"streamname":")" +
                             std::string(stream) + R"(","files":[{"filesize":1,"fileid":0,"sig-sha256-ecdsa":")" +
                             std::string(signature) + R"("}]}}}})";
    EXPECT_EQ(parse_jobs_message(text, m), Status::kOk) << text;
    return m.document_error;
  };
  EXPECT_EQ(document("s1", "ab\\/c+w=="), JobDocumentError::kNone);
  EXPECT_EQ(m.execution.file.signature_size, 4u);
  EXPECT_EQ(document("s\\u0031", "AA=="), JobDocumentError::kBadStreamName);
  EXPECT_EQ(document("s/1", "AA=="), JobDocumentError::kBadStreamName);
  EXPECT_EQ(document("", "AA=="), JobDocumentError::kBadStreamName);
  // Raw control characters are not JSON, but jsmn passes them inside
  // strings (a NUL ends its input: the message is malformed).
  EXPECT_EQ(document("s\x1f", "AA=="), JobDocumentError::kBadStreamName);
  constexpr char kNulInJobId[] = "{\"execution\":{\"jobId\":\"a\0b\"}}";
  EXPECT_EQ(parse_jobs_message({kNulInJobId, sizeof kNulInJobId - 1}, m), Status::kMalformed);
  EXPECT_EQ(parse_jobs_message("{\"execution\":{\"jobId\":\"a\tb\"}}", m), Status::kMalformed);
  EXPECT_EQ(document(std::string(kMaxStreamName, 's'), "AA=="), JobDocumentError::kNone);
  EXPECT_EQ(document(std::string(kMaxStreamName + 1, 's'), "AA=="), JobDocumentError::kBadStreamName);
  EXPECT_EQ(document("s", "\\u0041A=="), JobDocumentError::kBadSignature);
  EXPECT_EQ(document("s", "\\\\AAA"), JobDocumentError::kBadSignature);
  EXPECT_EQ(document("s", ""), JobDocumentError::kBadSignature);
}

TEST(JobsMessage, RefusesASignatureThatIsNotABase64String) {
  JobsMessage m;
  for (const std::string_view signature : {R"("sig-sha256-ecdsa":1234,)", R"("sig-sha256-ecdsa":["AA=="],)",
                                            R"("sig-sha256-ecdsa":{"a":"AA=="},)", R"("sig-sha256-ecdsa":null,)", ""}) {
    const std::string text = R"({"execution":{"jobId":"j","jobDocument":{"afr_ota":{"protocols":["MQTT"],"streamname":"s",)"
                             R"("files":[{)" + std::string(signature) + R"("filesize":1,"fileid":0}]}}}})";
    ASSERT_EQ(parse_jobs_message(text, m), Status::kOk) << text;
    EXPECT_EQ(m.document_error, JobDocumentError::kBadSignature) << text;
    EXPECT_EQ(m.execution.file.signature_size, 0u) << text;
  }
}

// kMaxJobTokens bounds the message, not only the job document: a message of
// exactly that many tokens parses, one more is refused as too large.
TEST(JobsMessage, TakesMessagesOfUpToKMaxJobTokens) {
  jsmn_parser parser;
  jsmn_init(&parser);
  const int notify_tokens = jsmn_parse(&parser, kNotify.data(), kNotify.size(), nullptr, 0);
  ASSERT_GT(notify_tokens, 0);
  // The notification with a root member "pad":[0,...] of `zeros` elements.
  const auto padded = [](std::size_t zeros) {
    std::string text(kNotify);
    std::string pad = R"("pad":[)";
    for (std::size_t i = 0; i < zeros; ++i) pad += i == 0 ? "0" : ",0";
    text.insert(1, pad + "],");
    return text;
  };
  const std::size_t fitting = kMaxJobTokens - static_cast<std::size_t>(notify_tokens) - 2;  // key and array
  JobsMessage m;
  ASSERT_EQ(parse_jobs_message(padded(fitting), m), Status::kOk);
  EXPECT_EQ(m.document_error, JobDocumentError::kNone);
  EXPECT_EQ(m.execution.job(), "ota-1");
  EXPECT_EQ(parse_jobs_message(padded(fitting + 1), m), Status::kBufferTooSmall);
}

TEST(JobsMessage, RefusesWhatIsNotOneJsonObject) {
  JobsMessage m;
  EXPECT_EQ(parse_jobs_message(R"({"execution":{"jobId":"j"}} x)", m), Status::kMalformed);
  EXPECT_EQ(parse_jobs_message(R"({"execution":{"jobId":"j"}}{})", m), Status::kMalformed);
  EXPECT_EQ(parse_jobs_message(R"(["execution"])", m), Status::kMalformed);
  EXPECT_EQ(parse_jobs_message(R"({"execution":{"jobId":"j")", m), Status::kMalformed);
  EXPECT_EQ(parse_jobs_message(R"({"execution":[{"jobId":"j"}]})", m), Status::kMalformed);
  EXPECT_EQ(parse_jobs_message(R"({"execution":{"jobId":"j","statusDetails":1}})", m), Status::kMalformed);
  EXPECT_EQ(parse_jobs_message(R"({"execution":{"jobId":7}})", m), Status::kMalformed);
  EXPECT_EQ(parse_jobs_message("", m), Status::kMalformed);
}

TEST(JobsMessage, ReadsNumbersOfAtMost32BitsAndNothingElse) {
  JobsMessage m;
  ASSERT_EQ(parse_jobs_message(R"({"execution":{"jobId":"j","versionNumber":4294967295,"executionNumber":4294967296}})", m),
            Status::kOk);
  EXPECT_EQ(m.execution.version_number, 4294967295u);
  EXPECT_EQ(m.execution.execution_number, 0u);
  const auto file_size = [&](std::string_view size) {
    const std::string text = R"({"execution":{"jobId":"j","jobDocument":{"afr_ota":{"protocols":["MQTT"],"streamname":"s",)"
                             R"("files":[{"fileid":0,"sig-sha256-ecdsa":"AA==","filesize":)" +
                             std::string(size) + "}]}}}}";
    EXPECT_EQ(parse_jobs_message(text, m), Status::kOk) << text;
    return m.document_error == JobDocumentError::kNone ? m.execution.file.size : 0;
  };
  EXPECT_EQ(file_size("4294967295"), 4294967295u);
  EXPECT_EQ(file_size("4294967296"), 0u);
  EXPECT_EQ(file_size("42949672950"), 0u);
  EXPECT_EQ(file_size("-1"), 0u);
  EXPECT_EQ(file_size("1.5"), 0u);
  EXPECT_EQ(file_size("1e3"), 0u);
  EXPECT_EQ(file_size("\"10\""), 0u);
  EXPECT_EQ(file_size("true"), 0u);
}

TEST(Hex32, RoundTrips) {
  std::array<char, 10> out{};
  format_hex32(0xDEADBEEF, out);
  EXPECT_EQ(std::string(out.data(), 10), "0xdeadbeef");
  EXPECT_EQ(parse_hex32("0xdeadbeef").value(), 0xDEADBEEFu);
  EXPECT_FALSE(parse_hex32("deadbeef").ok());
  EXPECT_FALSE(parse_hex32("0x1234567890").ok());
  EXPECT_EQ(parse_hex32("0XaBcD").value(), 0xABCDu);
  EXPECT_FALSE(parse_hex32("0x").ok());
  EXPECT_FALSE(parse_hex32("0x12g4").ok());
  EXPECT_FALSE(parse_hex32("0x12:4").ok());
  EXPECT_FALSE(parse_hex32("1x1234").ok());
}

}  // namespace
}  // namespace otter::protocol
