// Fuzzes the GetStream JSON parser (with base64 bitmaps) and the block planner.
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <variant>

#include "otter/streams/get_stream.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace otter::streams;
  auto parsed = parse_get_stream_json(std::string_view(reinterpret_cast<const char*>(data), size));
  if (auto* request = std::get_if<GetStreamRequest>(&parsed)) {
    (void)plan_blocks(*request, 302468);
  } else {
    (void)encode_stream_error(Format::Json, std::get<StreamError>(parsed));
  }
  return 0;
}
