// Job status updates and the $next/get request the device publishes (AWS IoT
// Jobs MQTT API), written into caller buffers. No heap.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

#include "otter/core/result.h"
#include "otter/core/version.h"
#include "otter/protocol/job_messages.h"
#include "otter/protocol/names.h"

namespace otter::protocol {

// {"clientToken":"<counter>:<thing>"}
Result<std::size_t> encode_next_get(std::span<char> out, std::uint32_t counter, std::string_view thing);
// {"status":"IN_PROGRESS","statusDetails":{"receive":"<received>/<total>"}}
Result<std::size_t> encode_progress(std::span<char> out, std::uint32_t received, std::uint32_t total);
// {"status":"IN_PROGRESS","statusDetails":{"self_test":"ready|active","updatedBy":"0x%08x"}}
Result<std::size_t> encode_self_test(std::span<char> out, SelfTest state, std::uint32_t updated_by);
// {"status":"SUCCEEDED","statusDetails":{"reason":"accepted v1.0.1","updatedBy":"v1.0.0"}}
Result<std::size_t> encode_succeeded(std::span<char> out, Version now, Version previous);
// {"status":"FAILED|REJECTED","statusDetails":{"reason":"<reason>: 0x%08x"}}
Result<std::size_t> encode_failed(std::span<char> out, JobStatus status, std::string_view reason, std::uint32_t detail);

// The four status updates as one call, for a device that publishes them all
// from one place: `update` picks the template, `fields` fill its holes
// (fields.numbers holds as many numbers as the shape above uses, in order).
// The caller passes a status the update's shape allows (the encode_*
// functions above check that).
enum class Update : std::uint8_t { kProgress, kSelfTest, kSucceeded, kFailed };
struct UpdateFields {
  JobStatus status;
  std::string_view text;
  const std::uint32_t* numbers;
};
Result<std::size_t> encode_update(std::span<char> out, Update update, const UpdateFields& fields);

// "0x%08x" into out[0..10].
void format_hex32(std::uint32_t value, std::span<char, 10> out);

}  // namespace otter::protocol
