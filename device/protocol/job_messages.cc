#include "otter/protocol/job_messages.h"

#include "otter/codec/base64.h"
#include "otter/codec/json_reader.h"
#include "packed_strings.h"

namespace otter::protocol {

using namespace std::string_view_literals;

namespace {

constexpr int kAbsent = -1;

// The members the agent reads. Each is the value of a key in one object,
// itself a member (or, for a file's members, the file entry being looked at),
// so one pass over jsmn's tokens finds them all; nothing else is looked at.
enum Member : std::uint8_t {
  kRoot,
  kExecution,
  kJobId,
  kVersionNumber,
  kExecutionNumber,
  kStatusDetails,
  kSelfTest,
  kUpdatedBy,
  kJobDocument,
  kAfrOta,
  kProtocols,
  kStreamName,
  kFiles,
  kFileType,  // the file entry's members, from here to kFile
  kFileSize,
  kFileId,
  kAllowDowngrade,
  kSignature,
  kFile,  // the file entry: the first whose fileType is 0 or absent
  kMqtt,  // "MQTT" among the protocols
  kMembers
};

struct Key {
  std::string_view name;
  Member object;  // the member whose value holds this key
};

// kKeys[m - 1] is member m's key.
constexpr Key kKeys[] = {
    {json::kExecution, kRoot},           {json::kJobId, kExecution},          {json::kVersionNumber, kExecution},
    {json::kExecutionNumber, kExecution}, {json::kStatusDetails, kExecution}, {json::kSelfTest, kStatusDetails},
    {json::kUpdatedBy, kStatusDetails},  {json::kJobDocument, kExecution},    {json::kAfrOta, kJobDocument},
    {json::kProtocols, kAfrOta},         {json::kStreamName, kAfrOta},        {json::kFiles, kAfrOta},
    {json::kFileType, kFile},            {json::kFileSize, kFile},            {json::kFileId, kFile},
    {json::kAllowDowngrade, kFile},      {json::kSignature, kFile},
};
static_assert(std::size(kKeys) == kFile - 1);

// kKeys as the flash holds it: the names packed (2 bytes a key, a name inside
// another stored once) and the objects (1 byte a key).
template <typename T, typename Field>
constexpr auto column(Field field) {
  std::array<T, std::size(kKeys)> out{};
  for (std::size_t i = 0; i < out.size(); ++i) out[i] = field(kKeys[i]);
  return out;
}
constexpr auto kKeyNameList = column<std::string_view>([](const Key& key) { return key.name; });
constexpr auto kKeyNames = pack_strings<kKeyNameList>();
constexpr auto kKeyObjects = column<Member>([](const Key& key) { return key.object; });

class Tokens {
 public:
  Tokens(std::string_view json, std::span<const jsmntok_t> tokens) : json_(json), tokens_(tokens) {}

  int count() const { return static_cast<int>(tokens_.size()); }
  jsmntype_t type(int token) const { return token == kAbsent ? JSMN_UNDEFINED : at(token).type; }
  // A string's contents without the quotes (escapes left as they are).
  std::string_view text(int token) const {
    const jsmntok_t& t = at(token);
    return {json_.data() + t.start, static_cast<std::size_t>(t.end - t.start)};
  }
  // The object or array that contains `token`: the nearest token before it
  // whose text range encloses it (jsmn lists tokens in document order; only
  // containers enclose other tokens).
  int parent(int token) const {
    for (int i = token - 1; i >= 0; --i) {
      if (at(i).end > at(token).start) return i;
    }
    return kAbsent;
  }
  // A string with one child is a key; jsmn puts its value right after it
  // (and counts the child only once the value's token is allocated, so the
  // value is always there).
  bool is_key(int token) const { return at(token).type == JSMN_STRING && at(token).size == 1; }

  // kNotFound when absent, kMalformed unless a decimal of at most 32 bits;
  // `out` is written only when kOk.
  Status number(int token, std::uint32_t& out) const {
    if (token == kAbsent) return Status::kNotFound;
    if (type(token) != JSMN_PRIMITIVE) return Status::kMalformed;
    return codec::parse_decimal32(text(token), out);
  }

  // The plain text of a string member, or empty.
  std::string_view string(int token) const { return type(token) == JSMN_STRING ? text(token) : std::string_view{}; }

  // Job ids and stream names: identifiers in AWS ([A-Za-z0-9_-:.]), so an
  // escape is refused rather than decoded, and so is any character that
  // would change the meaning of the MQTT topics they go into: wildcards, the
  // level separator, and raw control characters (invalid JSON that jsmn
  // passes; a NUL would cut the name short).
  Status identifier(int token, std::span<char> out) const {
    if (token == kAbsent) return Status::kNotFound;
    if (type(token) != JSMN_STRING) return Status::kMalformed;
    const std::string_view id = text(token);
    if (id.empty() || id.size() >= out.size()) return Status::kMalformed;
    for (std::size_t i = 0; i < id.size(); ++i) {
      const char c = id[i];
      if (c == '\\') return Status::kUnsupported;
      if (c == '/' || c == '+' || c == '#' || static_cast<unsigned char>(c) < 0x20) return Status::kMalformed;
      out[i] = c;
    }
    return Status::kOk;
  }

 private:
  const jsmntok_t& at(int token) const { return tokens_[static_cast<std::size_t>(token)]; }

  std::string_view json_;
  std::span<const jsmntok_t> tokens_;
};

using Found = std::array<int, kMembers>;

// fileType 0 (or none, in older documents) is the firmware image.
bool is_firmware(const Tokens& t, const Found& found) {
  std::uint32_t type = 0;  // stays 0 when absent
  return t.number(found[kFileType], type) != Status::kMalformed && type == 0;
}

// One pass: each member is the first value of its key in its object; the
// file entry is the first whose fileType says firmware (else the last one).
void find_members(const Tokens& t, Found& found) {
  found.fill(kAbsent);
  found[kRoot] = 0;
  for (int token = 1; token < t.count(); ++token) {
    const int parent = t.parent(token);
    if (parent == found[kProtocols] && t.type(parent) == JSMN_ARRAY && t.string(token) == json::kProtocolMqtt)
      found[kMqtt] = token;
    if (parent == found[kFiles] && t.type(parent) == JSMN_ARRAY && t.type(token) == JSMN_OBJECT &&
        (found[kFile] == kAbsent || !is_firmware(t, found))) {
      for (unsigned m = kFileType; m < kFile; ++m) found[m] = kAbsent;
      found[kFile] = token;
    }
    if (!t.is_key(token)) continue;
    const std::string_view name = t.text(token);
    for (unsigned m = kExecution; m < kFile; ++m) {
      if (found[m] == kAbsent && found[kKeyObjects[m - 1]] == parent && name == kKeyNames[m - 1])
        found[m] = token + 1;
    }
  }
}

// The signature's base64 text may carry escaped '/' ("\/") from some JSON
// encoders; no other escape can stand for a base64 character.
JobDocumentError parse_signature(const Tokens& t, int token, OtaFile& out) {
  std::array<char, codec::base64_encoded_size(kMaxSignature)> base64;
  std::size_t n = 0;
  // Empty unless a string: decodes to no bytes, refused below.
  const std::string_view text = t.string(token);
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\\' && (++i == text.size() || text[i] != '/')) return JobDocumentError::kBadSignature;
    if (n == base64.size()) return JobDocumentError::kBadSignature;
    base64[n++] = text[i];
  }
  const auto bytes = codec::base64_decode({base64.data(), n}, out.signature);
  if (!bytes.ok() || *bytes == 0) return JobDocumentError::kBadSignature;
  out.signature_size = static_cast<std::uint8_t>(*bytes);
  return JobDocumentError::kNone;
}

JobDocumentError parse_file(const Tokens& t, const Found& found, OtaFile& out) {
  if (found[kFile] == kAbsent || !is_firmware(t, found)) return JobDocumentError::kNoFirmwareFile;
  if (t.number(found[kFileSize], out.size) != Status::kOk || out.size == 0) return JobDocumentError::kBadFileSize;
  if (t.number(found[kFileId], out.file_id) != Status::kOk) return JobDocumentError::kNoFirmwareFile;
  out.allow_downgrade = t.type(found[kAllowDowngrade]) == JSMN_PRIMITIVE && t.text(found[kAllowDowngrade]) == "true"sv;
  return parse_signature(t, found[kSignature], out);
}

JobDocumentError parse_afr_ota(const Tokens& t, const Found& found, JobExecution& e) {
  if (found[kMqtt] == kAbsent) return JobDocumentError::kNoMqtt;
  if (t.identifier(found[kStreamName], e.stream) != Status::kOk) return JobDocumentError::kBadStreamName;
  return parse_file(t, found, e.file);
}

// JobDocumentError's texts, in its order: the reasons reported to the service.
constexpr std::string_view kDocumentErrors[] = {"ok", "not an OTA job", "no MQTT protocol", "bad stream name",
                                                "no firmware file", "bad file size", "bad signature field"};
constexpr auto kPackedDocumentErrors = pack_strings<kDocumentErrors>();
static_assert(kPackedDocumentErrors.count() == static_cast<std::size_t>(JobDocumentError::kBadSignature) + 1);

}  // namespace

Status parse_jobs_message(std::string_view text, JobsMessage& out) {
  out = JobsMessage{};
  std::array<jsmntok_t, kMaxJobTokens> tokens;
  OTTER_ASSIGN_OR_RETURN(const int count, codec::tokenize_object(text, tokens));
  const Tokens t(text, std::span(tokens).first(static_cast<std::size_t>(count)));
  Found found;
  JobExecution& e = out.execution;
  find_members(t, found);
  if (found[kExecution] == kAbsent) return Status::kOk;
  if (t.type(found[kExecution]) != JSMN_OBJECT) return Status::kMalformed;
  OTTER_TRY(t.identifier(found[kJobId], e.job_id));
  out.has_execution = true;
  // 0 unless numbers.
  (void)t.number(found[kVersionNumber], e.version_number);
  (void)t.number(found[kExecutionNumber], e.execution_number);
  if (found[kStatusDetails] != kAbsent && t.type(found[kStatusDetails]) != JSMN_OBJECT) return Status::kMalformed;
  const std::string_view self_test = t.string(found[kSelfTest]);
  if (self_test == json::kSelfTestReady) e.self_test = SelfTest::kReady;
  if (self_test == json::kSelfTestActive) e.self_test = SelfTest::kActive;
  if (const auto updated_by = parse_hex32(t.string(found[kUpdatedBy])); updated_by.ok()) {
    e.has_updated_by = true;
    e.updated_by = *updated_by;
  }
  if (t.type(found[kAfrOta]) != JSMN_OBJECT) {
    out.document_error = JobDocumentError::kNotOta;
    return Status::kOk;
  }
  out.document_error = parse_afr_ota(t, found, e);
  return Status::kOk;
}

std::string_view to_string(JobDocumentError error) {
  // Every JobDocumentError has its text (static_assert above), as every JobStatus has its name.
  return kPackedDocumentErrors[static_cast<std::size_t>(error)];
}

Result<std::uint32_t> parse_hex32(std::string_view text) {
  if (text.size() < 3 || text.size() > 10 || text[0] != '0' || (text[1] | 0x20) != 'x') return Status::kMalformed;
  std::uint32_t value = 0;
  for (std::size_t i = 2; i < text.size(); ++i) {
    const char c = text[i];
    const char lower = static_cast<char>(c | 0x20);  // 'A'-'F' as 'a'-'f'
    std::uint32_t d = static_cast<std::uint32_t>(c - '0');
    if (d > 9) {
      if (lower < 'a' || lower > 'f') return Status::kMalformed;
      d = static_cast<std::uint32_t>(lower - 'a' + 10);
    }
    value = (value << 4) | d;
  }
  return value;
}

}  // namespace otter::protocol
