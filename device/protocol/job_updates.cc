#include "otter/protocol/job_updates.h"

#include "otter/codec/json_writer.h"

namespace otter::protocol {

namespace {

using Holes = UpdateFields;  // the arguments a message template refers to

// Every message the device publishes in JSON is fixed text with holes,
// printf-like (a status update: the head below, then its own template):
//   %s  the text, JSON-escaped; %S the status name
//   %u  the next number in decimal, %x as 8 hex digits
// Filling templates instead of driving a general JSON writer keeps the five
// messages' code and text small (agent footprint).
constexpr const char* kUpdateHead = R"({"status":"%S","statusDetails":{)";

// Writes `tmpl` with its holes filled; its numbers are holes.numbers from the
// first (the head has none, so head and body each start there).
void fill(codec::JsonOut& out, const char* tmpl, const Holes& holes) {
  const std::uint32_t* numbers = holes.numbers;
  while (const char c = *tmpl++) {
    if (c != '%') {
      out.put(c);
      continue;
    }
    const char hole = *tmpl++;
    if (hole == 's' || hole == 'S') {
      out.escaped(hole == 's' ? holes.text : to_string(holes.status));
    } else {
      out.number(*numbers++, hole == 'u' ? codec::JsonOut::Radix::kDecimal : codec::JsonOut::Radix::kHex32);
    }
  }
}

// `head` then `body`, filled; overflow is an error, never a truncated document.
Result<std::size_t> fill(std::span<char> out, const char* head, const char* body, const Holes& holes) {
  codec::JsonOut text(out);
  fill(text, head, holes);
  fill(text, body, holes);
  return text.finish();
}

}  // namespace

void format_hex32(std::uint32_t value, std::span<char, 10> out) {
  out[0] = '0';
  out[1] = 'x';
  for (std::size_t i = 0; i < 8; ++i) {
    const std::uint32_t digit = (value >> (28 - 4 * i)) & 0xF;
    out[2 + i] = static_cast<char>(digit < 10 ? '0' + digit : 'a' - 10 + digit);
  }
}

Result<std::size_t> encode_next_get(std::span<char> out, std::uint32_t counter, std::string_view thing) {
  codec::JsonOut text(out);
  fill(text, R"({"clientToken":"%u:%s"})", {.status = JobStatus::kUnknown, .text = thing, .numbers = &counter});
  return text.finish();
}

Result<std::size_t> encode_update(std::span<char> out, Update update, const UpdateFields& fields) {
  // In Update's order, each after kUpdateHead.
  static constexpr const char* kTemplates[] = {
      R"("receive":"%u/%u"}})",
      R"("self_test":"%s","updatedBy":"0x%x"}})",
      R"("reason":"accepted v%u.%u.%u","updatedBy":"v%u.%u.%u"}})",
      R"("reason":"%s: 0x%x"}})",
  };
  return fill(out, kUpdateHead, kTemplates[static_cast<std::size_t>(update)], fields);
}

Result<std::size_t> encode_progress(std::span<char> out, std::uint32_t received, std::uint32_t total) {
  const std::uint32_t numbers[] = {received, total};
  return encode_update(out, Update::kProgress, {.status = JobStatus::kInProgress, .text = {}, .numbers = numbers});
}

Result<std::size_t> encode_self_test(std::span<char> out, SelfTest state, std::uint32_t updated_by) {
  if (state == SelfTest::kNone) return Status::kInvalidArgument;
  return encode_update(out, Update::kSelfTest,
                       {.status = JobStatus::kInProgress,
                        .text = state == SelfTest::kReady ? json::kSelfTestReady : json::kSelfTestActive,
                        .numbers = &updated_by});
}

Result<std::size_t> encode_succeeded(std::span<char> out, Version now, Version previous) {
  const std::uint32_t numbers[] = {now.major, now.minor, now.build, previous.major, previous.minor, previous.build};
  return encode_update(out, Update::kSucceeded, {.status = JobStatus::kSucceeded, .text = {}, .numbers = numbers});
}

Result<std::size_t> encode_failed(std::span<char> out, JobStatus status, std::string_view reason, std::uint32_t detail) {
  if (status != JobStatus::kFailed && status != JobStatus::kRejected) return Status::kInvalidArgument;
  return encode_update(out, Update::kFailed, {.status = status, .text = reason, .numbers = &detail});
}

}  // namespace otter::protocol
