// Fuzzes the $next/get and <jobId>/get JSON parser.
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <variant>

#include "otter/mqtt/jobs_protocol.h"
#include "otter/mqtt/topics.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace otter::mqtt;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  (void)parse_describe_request(text);
  (void)parse_device_topic(text);  // topics are attacker-chosen too
  return 0;
}
