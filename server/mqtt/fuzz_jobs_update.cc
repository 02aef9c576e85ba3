// Fuzzes the UpdateJobExecution JSON parser and the rejected response built from its errors.
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <variant>

#include "otter/mqtt/jobs_protocol.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace otter::mqtt;
  auto parsed = parse_update_request(std::string_view(reinterpret_cast<const char*>(data), size));
  if (auto* e = std::get_if<RequestError>(&parsed))
    (void)rejected(e->code, e->message, e->client_token, 0).dump(-1, ' ', false,
                                                                  nlohmann::json::error_handler_t::replace);
  return 0;
}
