// Protocol conformance: every message the agent sends, decoded with
// independent implementations (libcbor, nlohmann-json), has exactly the
// documented fields; every documented response variant is accepted; job
// documents in AWS's documented format parse.
#include <cbor.h>

#include <bitset>
#include <regex>

#include "device_fixture.h"
#include "otter/protocol/job_messages.h"

namespace otter::agent_test {
namespace {

using agent::AgentState;
using nlohmann::json;

class ProtocolTest : public DeviceTest {
 protected:
  // A full update: download, reset, self-test, SUCCEEDED.
  void full_update(const JobSpec& j) {
    service_.add_job(j);
    boot();
    ASSERT_TRUE(run_until_state(AgentState::kReadyToReset));
    service_.disconnect(*agent_);
    bootloader_.reset();
    boot();
    ASSERT_TRUE(run_until_state(AgentState::kSelfTest));
    agent_->self_test_done(true);
    ASSERT_TRUE(service_.jobs.empty());
  }
};

TEST_F(ProtocolTest, EveryJobsMessageTheAgentSendsHasTheDocumentedShape) {
  const JobSpec j = job(30 * 1024);
  full_update(j);
  const std::string prefix = std::string("$aws/things/") + kThing + "/";
  const std::regex client_token(std::string("[0-9]+:") + kThing);
  const std::regex receive("[0-9]+/[0-9]+");
  const std::regex hex_version("0x[0-9a-f]{8}");
  const std::regex version("v[0-9]+\\.[0-9]+\\.[0-9]+");
  int next_gets = 0;
  int updates = 0;
  for (const Message& m : service_.from_device) {
    ASSERT_EQ(m.topic.rfind(prefix, 0), 0u) << m.topic;
    const std::string rest = m.topic.substr(prefix.size());
    if (rest.rfind("streams/", 0) == 0) continue;  // checked below
    const json doc = json::parse(m.text());
    if (rest == "jobs/$next/get") {
      ++next_gets;
      ASSERT_EQ(doc.size(), 1u);
      EXPECT_TRUE(std::regex_match(doc.at("clientToken").get<std::string>(), client_token));
      EXPECT_EQ(m.qos, 1);
      continue;
    }
    ASSERT_EQ(rest, "jobs/" + j.job_id + "/update");
    ++updates;
    ASSERT_EQ(doc.size(), 2u) << m.text();
    const std::string status = doc.at("status");
    const json& details = doc.at("statusDetails");
    std::set<std::string> keys;
    for (const auto& [k, v] : details.items()) keys.insert(k);
    if (keys == std::set<std::string>{"receive"}) {
      EXPECT_EQ(status, "IN_PROGRESS");
      EXPECT_TRUE(std::regex_match(details["receive"].get<std::string>(), receive));
    } else if (keys == std::set<std::string>{"self_test", "updatedBy"}) {
      EXPECT_EQ(status, "IN_PROGRESS");
      EXPECT_TRUE(details["self_test"] == "ready" || details["self_test"] == "active");
      EXPECT_TRUE(std::regex_match(details["updatedBy"].get<std::string>(), hex_version));
      EXPECT_EQ(m.qos, 1);
    } else if (keys == std::set<std::string>{"reason", "updatedBy"}) {
      EXPECT_EQ(status, "SUCCEEDED");
      EXPECT_TRUE(std::regex_match(details["updatedBy"].get<std::string>(), version));
      EXPECT_EQ(details["reason"], "accepted v1.0.1");
      EXPECT_EQ(m.qos, 1);
    } else {
      ADD_FAILURE() << "undocumented status update " << m.text();
    }
    // The exact compact form AWS's library writes: no spaces between tokens.
    EXPECT_EQ(m.text(), doc.dump()) << m.text();
  }
  EXPECT_GE(next_gets, 2);
  EXPECT_GE(updates, 4);
  EXPECT_TRUE(service_.protocol_errors.empty()) << service_.protocol_errors.front();
}

TEST_F(ProtocolTest, EveryCborStreamRequestDecodesWithLibcborToTheDocumentedFields) {
  config_.blocks_per_request = 5;
  config_.requests_in_flight = 3;
  std::mt19937 rng(5);
  service_.mangle = [&](std::vector<Message>& burst) {
    std::erase_if(burst, [&](const Message&) { return rng() % 4 == 0; });
  };
  const JobSpec j = job(90 * 1024 + 3);
  service_.add_job(j);
  boot();
  ASSERT_TRUE(run_until_state(AgentState::kReadyToReset));
  const std::uint32_t blocks = static_cast<std::uint32_t>((j.image.size() + 2047) / 2048);
  int requests = 0;
  for (const Message& m : service_.from_device) {
    if (m.topic.find("/streams/") == std::string::npos) continue;
    ++requests;
    EXPECT_EQ(m.topic, service_.topic("streams/" + j.stream + "/get/cbor"));
    cbor_load_result result{};
    cbor_item_t* item = cbor_load(m.payload.data(), m.payload.size(), &result);
    ASSERT_NE(item, nullptr);
    ASSERT_EQ(result.error.code, CBOR_ERR_NONE);
    ASSERT_EQ(result.read, m.payload.size());
    ASSERT_TRUE(cbor_isa_map(item) && cbor_map_is_definite(item));
    std::map<std::string, cbor_item_t*> fields;
    for (std::size_t i = 0; i < cbor_map_size(item); ++i) {
      cbor_pair p = cbor_map_handle(item)[i];
      ASSERT_TRUE(cbor_isa_string(p.key));
      fields[std::string(reinterpret_cast<char*>(cbor_string_handle(p.key)), cbor_string_length(p.key))] = p.value;
    }
    ASSERT_EQ(fields.size(), 6u);
    ASSERT_TRUE(cbor_isa_string(fields["c"]));
    EXPECT_EQ(std::string(reinterpret_cast<char*>(cbor_string_handle(fields["c"])), cbor_string_length(fields["c"])), "rdy");
    for (const char* k : {"f", "l", "o", "n"}) ASSERT_TRUE(cbor_isa_uint(fields[k])) << k;
    EXPECT_EQ(cbor_get_int(fields["f"]), j.file_id);
    EXPECT_EQ(cbor_get_int(fields["l"]), 2048u);
    ASSERT_TRUE(cbor_isa_bytestring(fields["b"]));
    const std::uint64_t offset = cbor_get_int(fields["o"]);
    const std::uint64_t n = cbor_get_int(fields["n"]);
    std::uint64_t bits = 0;
    for (std::size_t i = 0; i < cbor_bytestring_length(fields["b"]); ++i) {
      const std::uint8_t byte = cbor_bytestring_handle(fields["b"])[i];
      bits += std::bitset<8>(byte).count();
      for (int bit = 0; bit < 8; ++bit) {
        if ((byte & (1 << bit)) != 0) EXPECT_LT(offset + i * 8 + static_cast<unsigned>(bit), blocks);
      }
    }
    EXPECT_EQ(bits, n) << "n must equal the blocks the bitmap asks for";
    EXPECT_LE(n, 5u);
    EXPECT_LE(cbor_bytestring_length(fields["b"]), 128u);
    cbor_decref(&item);
  }
  EXPECT_GT(requests, 5);
}

TEST_F(ProtocolTest, EveryJsonStreamRequestDecodesWithNlohmannToTheDocumentedFields) {
  config_.format = protocol::StreamFormat::kJson;
  const JobSpec j = job(30 * 1024);
  service_.add_job(j);
  boot();
  ASSERT_TRUE(run_until_state(AgentState::kReadyToReset));
  ASSERT_FALSE(service_.stream_requests.empty());
  for (const Message& m : service_.from_device) {
    if (m.topic.find("/streams/") == std::string::npos) continue;
    EXPECT_EQ(m.topic, service_.topic("streams/" + j.stream + "/get/json"));
    const json doc = json::parse(m.text());
    EXPECT_EQ(doc.size(), 6u);
    EXPECT_EQ(doc.at("c"), "rdy");
    EXPECT_TRUE(doc.at("f").is_number_unsigned());
    EXPECT_EQ(doc.at("l"), 2048);
    EXPECT_TRUE(doc.at("o").is_number_unsigned());
    EXPECT_TRUE(doc.at("n").is_number_unsigned());
    EXPECT_TRUE(std::regex_match(doc.at("b").get<std::string>(), std::regex("[A-Za-z0-9+/]+=*")));
  }
  EXPECT_TRUE(service_.protocol_errors.empty()) << service_.protocol_errors.front();
}

// Data blocks a service may legitimately send in other shapes than ours.
TEST_F(ProtocolTest, AcceptsDataBlocksWithWideIntegersOtherKeyOrderExtraKeysAndNoLength) {
  const JobSpec j = job(16 * 1024);
  int variant = 0;
  service_.mangle = [&](std::vector<Message>& burst) {
    for (Message& m : burst) {
      cbor_load_result r{};
      cbor_item_t* in = cbor_load(m.payload.data(), m.payload.size(), &r);
      std::uint32_t index = 0;
      std::vector<std::uint8_t> payload;
      for (std::size_t i = 0; i < cbor_map_size(in); ++i) {
        cbor_pair p = cbor_map_handle(in)[i];
        const char k = static_cast<char>(cbor_string_handle(p.key)[0]);
        if (k == 'i') index = static_cast<std::uint32_t>(cbor_get_int(p.value));
        if (k == 'p') payload.assign(cbor_bytestring_handle(p.value), cbor_bytestring_handle(p.value) + cbor_bytestring_length(p.value));
      }
      cbor_decref(&in);
      switch (variant++ % 3) {
        case 0:
          m.payload = cbor_block(j.file_id, index, payload, std::nullopt, /*wide_integers=*/true);
          break;
        case 1: {
          // p, extra nested key, i, l, f: another order plus unknown fields.
          cbor_item_t* map = cbor_new_definite_map(6);
          cbor_map_add(map, {cbor_move(cbor_build_string("p")), cbor_move(cbor_build_bytestring(payload.data(), payload.size()))});
          cbor_item_t* extra = cbor_new_definite_array(2);
          cbor_array_push(extra, cbor_move(cbor_build_uint8(1)));
          cbor_array_push(extra, cbor_move(cbor_build_string("x")));
          cbor_map_add(map, {cbor_move(cbor_build_string("x")), cbor_move(extra)});
          cbor_map_add(map, {cbor_move(cbor_build_string("i")), cbor_move(cbor_build_uint64(index))});
          cbor_map_add(map, {cbor_move(cbor_build_string("l")), cbor_move(cbor_build_uint16(static_cast<std::uint16_t>(payload.size())))});
          cbor_map_add(map, {cbor_move(cbor_build_string("c")), cbor_move(cbor_build_string("rdy"))});
          cbor_map_add(map, {cbor_move(cbor_build_string("f")), cbor_move(cbor_build_uint8(static_cast<std::uint8_t>(j.file_id)))});
          unsigned char* buffer = nullptr;
          std::size_t size = 0;
          const std::size_t n = cbor_serialize_alloc(map, &buffer, &size);
          m.payload.assign(buffer, buffer + n);
          std::free(buffer);
          cbor_decref(&map);
          break;
        }
        default:
          m.payload = cbor_block(j.file_id, index, payload, static_cast<std::uint32_t>(payload.size()));
      }
    }
  };
  service_.add_job(j);
  boot();
  ASSERT_TRUE(run_until_state(AgentState::kReadyToReset));
  EXPECT_TRUE(staged_equals(j.image));
  EXPECT_EQ(agent_->stats().blocks_refused, 0u);
}

TEST_F(ProtocolTest, AcceptsJsonDataBlocksWithoutLength) {
  config_.format = protocol::StreamFormat::kJson;
  const JobSpec j = job(12 * 1024);
  service_.mangle = [&](std::vector<Message>& burst) {
    for (Message& m : burst) {
      json d = json::parse(m.text());
      d.erase("l");
      const std::string t = d.dump();
      m.payload.assign(t.begin(), t.end());
    }
  };
  service_.add_job(j);
  boot();
  ASSERT_TRUE(run_until_state(AgentState::kReadyToReset));
  EXPECT_TRUE(staged_equals(j.image));
}

TEST_F(ProtocolTest, LearnsOfTheJobFromNotifyNextAlone) {
  // A service that answers $next/get only on notify-next (as a plain broker
  // delivers to a device subscribed to notify-next only).
  const JobSpec j = job(12 * 1024);
  service_.add_job(j);
  boot();
  std::erase_if(service_.inbox, [](const Message& m) { return m.topic.find("$next/get/accepted") != std::string::npos; });
  service_.notify_next();
  ASSERT_TRUE(run_until_state(AgentState::kReadyToReset));
}

TEST_F(ProtocolTest, LearnsOfTheJobFromGetAcceptedAlone) {
  const JobSpec j = job(12 * 1024);
  service_.add_job(j);
  boot();
  ASSERT_TRUE(service_.subscribed(service_.topic("jobs/$next/get/accepted")));
  ASSERT_TRUE(run_until_state(AgentState::kReadyToReset));
}

TEST_F(ProtocolTest, AsksAgainWhenNextGetIsRejectedOrUnanswered) {
  boot();
  service_.inbox.clear();
  const std::string rejected = R"({"code":"ThrottlingException","message":"slow down","clientToken":"0:x"})";
  service_.send(service_.topic("jobs/$next/get/rejected"), {rejected.begin(), rejected.end()});
  const auto asked = [&] {
    return std::count_if(service_.from_device.begin(), service_.from_device.end(),
                         [](const Message& m) { return m.topic.ends_with("$next/get"); });
  };
  ASSERT_EQ(asked(), 1);
  service_.add_job(job(12 * 1024));
  ASSERT_TRUE(run_until([&] { return asked() >= 2; }));
  ASSERT_TRUE(run_until_state(AgentState::kReadyToReset));
  EXPECT_TRUE(app_.logged("$next/get rejected"));
}

TEST_F(ProtocolTest, RetriesWhenTheStreamRequestIsRejected) {
  const JobSpec j = job(12 * 1024);
  bool rejected_once = false;
  service_.mangle = [&](std::vector<Message>& burst) {
    if (rejected_once) return;
    rejected_once = true;
    burst.clear();
    cbor_item_t* err = cbor_new_definite_map(3);
    cbor_map_add(err, {cbor_move(cbor_build_string("o")), cbor_move(cbor_build_string("InvalidRequest"))});
    cbor_map_add(err, {cbor_move(cbor_build_string("m")), cbor_move(cbor_build_string("try later"))});
    cbor_map_add(err, {cbor_move(cbor_build_string("c")), cbor_move(cbor_build_string("rdy"))});
    unsigned char* buffer = nullptr;
    std::size_t size = 0;
    const std::size_t n = cbor_serialize_alloc(err, &buffer, &size);
    service_.send(service_.topic("streams/" + j.stream + "/rejected/cbor"), {buffer, buffer + n});
    std::free(buffer);
    cbor_decref(&err);
  };
  service_.add_job(j);
  boot();
  ASSERT_TRUE(run_until_state(AgentState::kReadyToReset));
  EXPECT_EQ(agent_->stats().stream_errors, 1u);
  EXPECT_TRUE(app_.logged("stream request rejected: InvalidRequest try later"));
}

TEST_F(ProtocolTest, StopsWhenTheServiceSaysTheJobReachedATerminalState) {
  const JobSpec j = job(100 * 1024);
  service_.add_job(j);
  boot();
  ASSERT_TRUE(run_until([&] { return agent_->blocks_received() >= 3; }));
  const std::string rejected =
      R"({"code":"InvalidStateTransition","message":"Job is CANCELED","clientToken":"","timestamp":1})";
  service_.inbox.push_front({service_.topic("jobs/" + j.job_id + "/update/rejected"), {rejected.begin(), rejected.end()}});
  ASSERT_TRUE(run_until_state(AgentState::kWaitingForJob));
  EXPECT_FALSE(bootloader_.installed.has_value());
}

// ------------------------------------------------ AWS-format job documents

json aws_execution(json job_document, json extra = json::object()) {
  json e = {{"jobId", "AFR_OTA-ota-update-2024"},
            {"thingName", "MY-IOT-OTA-Device"},
            {"status", "QUEUED"},
            {"queuedAt", 1716890000},
            {"lastUpdatedAt", 1716890000},
            {"versionNumber", 1},
            {"executionNumber", 1},
            {"jobDocument", std::move(job_document)}};
  e.update(extra);
  return e;
}

json afr_ota(json files, json protocols = {"MQTT"}) {
  return {{"afr_ota", {{"protocols", std::move(protocols)}, {"streamname", "AFR_OTA-7b1c0b3e-4c1e-4d4a-9d5f-2d0c1d0a9c11"}, {"files", std::move(files)}}}};
}

json aws_file(json extra = json::object()) {
  json f = {{"filepath", "numaker-mbed-aws-iot-csdk-ota-example_V1.0.1.bin"},
            {"filesize", 181248},
            {"fileid", 0},
            {"certfile", "Code_Verify_Key"},
            {"sig-sha256-ecdsa", "MEUCIQDvqP3fwhFHmLZr1Y0ltHyXb0ZhTUAsZQ3P7J8Kk6oJqgIgF1q3V1y0fH6t2u9aQ9k0hPp8fS7yC8m5m7XqkzW0kS8="}};
  f.update(extra);
  return f;
}

protocol::JobsMessage parse(const json& message) {
  protocol::JobsMessage out;
  EXPECT_EQ(protocol::parse_jobs_message(message.dump(), out), Status::kOk) << message.dump();
  return out;
}

TEST(AwsJobDocuments, FreeRtosOtaJobOnNotifyNextParses) {
  const auto m = parse({{"timestamp", 1716890001}, {"execution", aws_execution(afr_ota({aws_file({{"fileType", 0}})}))}});
  ASSERT_TRUE(m.has_execution);
  EXPECT_EQ(m.document_error, protocol::JobDocumentError::kNone);
  EXPECT_EQ(m.execution.job(), "AFR_OTA-ota-update-2024");
  EXPECT_EQ(m.execution.stream_name(), "AFR_OTA-7b1c0b3e-4c1e-4d4a-9d5f-2d0c1d0a9c11");
  EXPECT_EQ(m.execution.file.size, 181248u);
  EXPECT_EQ(m.execution.file.signature_size, 71u);
}

TEST(AwsJobDocuments, GetAcceptedWithClientTokenTimestampsAndStatusDetailsParses) {
  const auto m = parse({{"clientToken", ":MY-IOT-OTA-Device"},
                        {"timestamp", 1716890002},
                        {"execution", aws_execution(afr_ota({aws_file()}),
                                                    {{"status", "IN_PROGRESS"},
                                                     {"startedAt", 1716890001},
                                                     {"versionNumber", 7},
                                                     {"statusDetails", {{"self_test", "ready"}, {"updatedBy", "0x00090002"}}}})}});
  EXPECT_EQ(m.execution.version_number, 7u);
  EXPECT_EQ(m.execution.self_test, protocol::SelfTest::kReady);
  EXPECT_EQ(m.execution.updated_by, 0x00090002u);
}

TEST(AwsJobDocuments, DocumentsOfferingHttpAndMqttParse) {
  const auto m = parse({{"execution", aws_execution(afr_ota({aws_file({{"update_data_url", "https://bucket.s3.amazonaws.com/f?X-Amz"},
                                                                         {"auth_scheme", "aws.s3.presigned"}})},
                                                             {"HTTP", "MQTT"}))}});
  EXPECT_EQ(m.document_error, protocol::JobDocumentError::kNone);
}

TEST(AwsJobDocuments, TheFirmwareFileIsPickedAmongOtherFileTypes) {
  const auto m = parse({{"execution", aws_execution(afr_ota({aws_file({{"fileid", 1}, {"fileType", 2}, {"filesize", 10}}),
                                                             aws_file({{"fileid", 3}, {"fileType", 0}, {"attr", 1}})}))}});
  EXPECT_EQ(m.document_error, protocol::JobDocumentError::kNone);
  EXPECT_EQ(m.execution.file.file_id, 3u);
}

TEST(AwsJobDocuments, EscapedSlashesInTheSignatureAreDecoded) {
  std::string text = json{{"execution", aws_execution(afr_ota({aws_file({{"sig-sha256-ecdsa", "MEUCIQ/+/w=="}})}))}}.dump();
  text.replace(text.find("MEUCIQ/+/w=="), 12, R"(MEUCIQ\/+\/w==)");
  protocol::JobsMessage m;
  ASSERT_EQ(protocol::parse_jobs_message(text, m), Status::kOk);
  EXPECT_EQ(m.document_error, protocol::JobDocumentError::kNone);
  EXPECT_EQ(m.execution.file.signature_size, 7u);
}

TEST(AwsJobDocuments, AnEmptyNotificationMeansNoPendingJob) {
  EXPECT_FALSE(parse({{"timestamp", 1716890003}}).has_execution);
}

TEST(AwsJobDocuments, DocumentsTheAgentCannotUseAreReportedNotIgnored) {
  EXPECT_EQ(parse({{"execution", aws_execution(afr_ota({aws_file({{"sig-sha256-ecdsa", "not base64!"}})}))}}).document_error,
            protocol::JobDocumentError::kBadSignature);
  EXPECT_EQ(parse({{"execution", aws_execution(afr_ota({aws_file({{"filesize", 0}})}))}}).document_error,
            protocol::JobDocumentError::kBadFileSize);
  EXPECT_EQ(parse({{"execution", aws_execution(afr_ota({aws_file({{"fileType", 1}})}))}}).document_error,
            protocol::JobDocumentError::kNoFirmwareFile);
  EXPECT_EQ(parse({{"execution", aws_execution({{"operation", "reboot"}})}}).document_error,
            protocol::JobDocumentError::kNotOta);
}

}  // namespace
}  // namespace otter::agent_test
