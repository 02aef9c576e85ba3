#include "otter/protocol/job_messages.h"

#include "otter/codec/base64.h"
#include "otter/codec/json_reader.h"

namespace otter::protocol {

using namespace std::string_view_literals;

using codec::JsonDocument;
using codec::JsonType;

namespace {

// Copies a string token into a fixed, NUL-terminated field.
template <std::size_t N>
Status copy_string(const JsonDocument& doc, int token, std::array<char, N>& out) {
  OTTER_ASSIGN_OR_RETURN(const std::size_t n, doc.unescape(token, out));
  if (n == 0) return Status::kMalformed;
  return Status::kOk;
}

Status parse_status_details(const JsonDocument& doc, int details, JobExecution& e) {
  if (details == JsonDocument::kNone) return Status::kOk;
  if (doc.type(details) != JsonType::kObject) return Status::kMalformed;
  const std::string_view self_test = doc.raw(doc.find(details, json::kSelfTest));
  if (self_test == json::kSelfTestReady) e.self_test = SelfTest::kReady;
  if (self_test == json::kSelfTestActive) e.self_test = SelfTest::kActive;
  const int updated_by = doc.find(details, json::kUpdatedBy);
  if (doc.type(updated_by) == JsonType::kString) {
    const auto v = parse_hex32(doc.raw(updated_by));
    if (v.ok()) {
      e.has_updated_by = true;
      e.updated_by = *v;
    }
  }
  return Status::kOk;
}

JobDocumentError parse_file(const JsonDocument& doc, int file, OtaFile& out) {
  const auto size = doc.unsigned_value(doc.find(file, json::kFileSize));
  if (!size.ok() || *size == 0) return JobDocumentError::kBadFileSize;
  out.size = static_cast<std::uint32_t>(*size);
  const auto id = doc.unsigned_value(doc.find(file, json::kFileId));
  if (!id.ok()) return JobDocumentError::kNoFirmwareFile;
  out.file_id = static_cast<std::uint32_t>(*id);
  out.attributes = static_cast<std::uint32_t>(doc.unsigned_value(doc.find(file, json::kAttr)).value_or(0));
  out.allow_downgrade = doc.bool_value(doc.find(file, json::kAllowDowngrade)).value_or(false);
  const int sig = doc.find(file, json::kSignature);
  if (doc.type(sig) != JsonType::kString) return JobDocumentError::kBadSignature;
  // The base64 text may carry escaped '/' ("\/") from some JSON encoders:
  // unescape first (a DER P-256 signature is at most 96 base64 characters).
  std::array<char, codec::base64_encoded_size(kMaxSignature) + 1> text{};
  const auto n = doc.unescape(sig, text);
  if (!n.ok()) return JobDocumentError::kBadSignature;
  const auto bytes = codec::base64_decode({text.data(), *n}, out.signature);
  if (!bytes.ok() || *bytes == 0) return JobDocumentError::kBadSignature;
  out.signature_size = static_cast<std::uint8_t>(*bytes);
  return JobDocumentError::kNone;
}

JobDocumentError parse_afr_ota(const JsonDocument& doc, int ota, JobExecution& e) {
  const int protocols = doc.find(ota, json::kProtocols);
  for (int i = 0; i < doc.size(protocols); ++i) {
    if (doc.raw(doc.element(protocols, i)) == json::kProtocolMqtt) e.mqtt = true;
  }
  if (!e.mqtt) return JobDocumentError::kNoMqtt;
  const int stream = doc.find(ota, json::kStreamName);
  if (copy_string(doc, stream, e.stream) != Status::kOk) return JobDocumentError::kBadStreamName;
  for (const char c : e.stream_name()) {
    if (c == '/' || c == '+' || c == '#') return JobDocumentError::kBadStreamName;
  }
  const int files = doc.find(ota, json::kFiles);
  for (int i = 0; i < doc.size(files); ++i) {
    const int file = doc.element(files, i);
    if (doc.type(file) != JsonType::kObject) continue;
    const auto type = doc.unsigned_value(doc.find(file, json::kFileType));
    // fileType 0 (or none, in older documents) is the firmware image.
    if (type.status() == Status::kNotFound || (type.ok() && *type == 0)) return parse_file(doc, file, e.file);
  }
  return JobDocumentError::kNoFirmwareFile;
}

}  // namespace

Status parse_jobs_message(std::string_view text, JobsMessage& out) {
  out = JobsMessage{};
  std::array<jsmntok_t, kMaxJobTokens> tokens;
  JsonDocument doc;
  OTTER_TRY(doc.parse(text, tokens));
  const int execution = doc.find(doc.root(), json::kExecution);
  if (execution == JsonDocument::kNone) return Status::kOk;
  if (doc.type(execution) != JsonType::kObject) return Status::kMalformed;
  JobExecution& e = out.execution;
  OTTER_ASSIGN_OR_RETURN(const std::string_view job_id, doc.plain_string(doc.find(execution, json::kJobId)));
  if (job_id.empty() || job_id.size() > kMaxJobId) return Status::kMalformed;
  for (std::size_t i = 0; i < job_id.size(); ++i) {
    const char c = job_id[i];
    if (c == '/' || c == '+' || c == '#') return Status::kMalformed;
    e.job_id[i] = c;
  }
  out.has_execution = true;
  e.status = job_status_from(doc.raw(doc.find(execution, json::kStatus)));
  e.version_number = static_cast<std::uint32_t>(
      doc.unsigned_value(doc.find(execution, json::kVersionNumber)).value_or(0));
  e.execution_number = static_cast<std::uint32_t>(
      doc.unsigned_value(doc.find(execution, json::kExecutionNumber)).value_or(0));
  OTTER_TRY(parse_status_details(doc, doc.find(execution, json::kStatusDetails), e));
  const int ota = doc.find(doc.find(execution, json::kJobDocument), json::kAfrOta);
  if (doc.type(ota) != JsonType::kObject) {
    out.document_error = JobDocumentError::kNotOta;
    return Status::kOk;
  }
  e.has_ota = true;
  out.document_error = parse_afr_ota(doc, ota, e);
  return Status::kOk;
}

std::string_view to_string(JobDocumentError error) {
  switch (error) {
    case JobDocumentError::kNone: return "ok"sv;
    case JobDocumentError::kNotOta: return "not an OTA job"sv;
    case JobDocumentError::kNoMqtt: return "no MQTT protocol"sv;
    case JobDocumentError::kBadStreamName: return "bad stream name"sv;
    case JobDocumentError::kNoFirmwareFile: return "no firmware file"sv;
    case JobDocumentError::kBadFileSize: return "bad file size"sv;
    case JobDocumentError::kBadSignature: return "bad signature field"sv;
  }
  return "?"sv;
}

Result<std::uint32_t> parse_hex32(std::string_view text) {
  if (text.size() < 3 || text.size() > 10 || text[0] != '0' || (text[1] != 'x' && text[1] != 'X'))
    return Status::kMalformed;
  std::uint32_t value = 0;
  for (std::size_t i = 2; i < text.size(); ++i) {
    const char c = text[i];
    std::uint32_t d = 0;
    if (c >= '0' && c <= '9') d = static_cast<std::uint32_t>(c - '0');
    else if (c >= 'a' && c <= 'f') d = static_cast<std::uint32_t>(c - 'a' + 10);
    else if (c >= 'A' && c <= 'F') d = static_cast<std::uint32_t>(c - 'A' + 10);
    else return Status::kMalformed;
    value = (value << 4) | d;
  }
  return value;
}

}  // namespace otter::protocol
