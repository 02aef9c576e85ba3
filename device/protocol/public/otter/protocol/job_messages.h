// Jobs MQTT API messages: the execution delivered on notify-next and
// $next/get/accepted with its afr_ota job document, and the request and
// status updates the device publishes. Fixed-size fields, no heap.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string_view>

#include "otter/core/result.h"
#include "otter/core/version.h"
#include "otter/protocol/names.h"

namespace otter::protocol {

// jsmn tokens for one jobs message (16 bytes each, on the caller's stack, the
// deepest frame of the agent): an execution with timestamps, a statusDetails
// map and a one-file job document uses about 50-60. AWS's own OTA agent
// refuses job documents of more than 64 tokens; 96 leaves room for two more
// file entries or an operator's extra fields.
inline constexpr std::size_t kMaxJobTokens = 96;
inline constexpr std::size_t kMaxSignature = 72;  // DER ECDSA P-256

// The text of a NUL-terminated fixed field (bounded: no strlen).
template <std::size_t N>
constexpr std::string_view c_string(const std::array<char, N>& field) {
  std::size_t n = 0;
  while (n < N && field[n] != '\0') ++n;
  return {field.data(), n};
}

enum class SelfTest : std::uint8_t { kNone, kReady, kActive };

struct OtaFile {
  std::uint32_t size = 0;
  std::uint32_t file_id = 0;
  std::array<std::uint8_t, kMaxSignature> signature{};
  std::uint8_t signature_size = 0;
  bool allow_downgrade = false;
};

struct JobExecution {
  std::array<char, kMaxJobId + 1> job_id{};  // NUL-terminated
  std::uint32_t version_number = 0;
  std::uint32_t execution_number = 0;
  // statusDetails written by a previous run of the agent.
  SelfTest self_test = SelfTest::kNone;
  bool has_updated_by = false;
  std::uint32_t updated_by = 0;  // "0x%08x" of the version that downloaded the image
  // From the afr_ota document; JobsMessage::document_error says whether it is usable.
  std::array<char, kMaxStreamName + 1> stream{};  // NUL-terminated
  OtaFile file;

  std::string_view job() const { return c_string(job_id); }
  std::string_view stream_name() const { return c_string(stream); }
};

// Why a job document could not be used; reported back as the FAILED/REJECTED reason.
enum class JobDocumentError : std::uint8_t {
  kNone,
  kNotOta,               // no afr_ota member
  kNoMqtt,               // protocols without "MQTT"
  kBadStreamName,
  kNoFirmwareFile,       // no file of type 0
  kBadFileSize,
  kBadSignature,         // missing, not base64 or longer than kMaxSignature
};

struct JobsMessage {
  // The scalars first: offsets that 16-bit Thumb loads and stores reach.
  bool has_execution = false;
  JobDocumentError document_error = JobDocumentError::kNone;
  JobExecution execution;
};

// Parses notify-next / $next/get/accepted. An absent "execution" is a valid
// message (no pending job). A present execution without a usable jobId is
// kMalformed; an unusable afr_ota document is reported in document_error so the
// agent can tell the service why it refuses the job.
Status parse_jobs_message(std::string_view json, JobsMessage& out);

std::string_view to_string(JobDocumentError error);

Result<std::uint32_t> parse_hex32(std::string_view text);

}  // namespace otter::protocol
