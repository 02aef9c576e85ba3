// Fuzzes the GetStream CBOR parser and the block planner behind it.
#include <cstddef>
#include <cstdint>
#include <variant>

#include "otter/streams/get_stream.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace otter::streams;
  auto parsed = parse_get_stream_cbor({data, size});
  if (auto* request = std::get_if<GetStreamRequest>(&parsed)) {
    (void)plan_blocks(*request, 302468);
    (void)plan_blocks(*request, 1);
  } else {
    (void)encode_stream_error(Format::Cbor, std::get<StreamError>(parsed));
  }
  return 0;
}
