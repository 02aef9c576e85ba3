// Fuzzes the parser of notify-next / $next/get/accepted messages (network input).
#include <cstdint>
#include <string_view>

#include "otter/protocol/job_messages.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  otter::protocol::JobsMessage message;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  if (otter::protocol::parse_jobs_message(text, message) == otter::Status::kOk && message.has_execution) {
    // Invariants the agent relies on.
    const auto& e = message.execution;
    if (e.job().empty() || e.job().size() > otter::protocol::kMaxJobId) __builtin_trap();
    if (e.file.signature_size > otter::protocol::kMaxSignature) __builtin_trap();
  }
  return 0;
}
