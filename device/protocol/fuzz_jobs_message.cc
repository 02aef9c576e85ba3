// Fuzzes the parser of notify-next / $next/get/accepted messages (network input).
#include <cstdint>
#include <string_view>

#include "otter/protocol/job_messages.h"

namespace {

// Job ids and stream names go into MQTT topics: no wildcard, no level
// separator, no escape left undecoded, no control character.
bool is_topic_safe(std::string_view id) {
  for (const char c : id) {
    if (c == '/' || c == '+' || c == '#' || c == '\\' || static_cast<unsigned char>(c) < 0x20) return false;
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  otter::protocol::JobsMessage message;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  if (otter::protocol::parse_jobs_message(text, message) == otter::Status::kOk && message.has_execution) {
    // Invariants the agent relies on.
    const auto& e = message.execution;
    if (e.job().empty() || e.job().size() > otter::protocol::kMaxJobId || !is_topic_safe(e.job())) __builtin_trap();
    if (e.file.signature_size > otter::protocol::kMaxSignature) __builtin_trap();
    if (message.document_error == otter::protocol::JobDocumentError::kNone) {
      if (e.file.size == 0 || e.file.signature_size == 0) __builtin_trap();
      if (e.stream_name().empty() || e.stream_name().size() > otter::protocol::kMaxStreamName) __builtin_trap();
      if (!is_topic_safe(e.stream_name())) __builtin_trap();
    }
  }
  return 0;
}
