#include "otter/protocol/job_updates.h"

#include "otter/codec/json_writer.h"

namespace otter::protocol {

using namespace std::string_view_literals;

using codec::JsonWriter;

void format_hex32(std::uint32_t value, std::span<char, 10> out) {
  static constexpr char kHex[] = "0123456789abcdef";
  out[0] = '0';
  out[1] = 'x';
  for (int i = 0; i < 8; ++i) out[static_cast<std::size_t>(2 + i)] = kHex[(value >> (28 - 4 * i)) & 0xF];
}

namespace {

std::string_view decimal(std::uint32_t value, std::span<char, 10> buffer) {
  std::size_t pos = buffer.size();
  do {
    buffer[--pos] = static_cast<char>('0' + value % 10);
    value /= 10;
  } while (value != 0);
  return {buffer.data() + pos, buffer.size() - pos};
}

}  // namespace

// Every status update has this one shape; the details differ only in text.
Result<std::size_t> encode_update(std::span<char> out, JobStatus status, std::span<const UpdateDetail> details) {
  JsonWriter w(out);
  w.begin_object().key(json::kStatus).string(to_string(status)).key(json::kStatusDetails).begin_object();
  for (const UpdateDetail& d : details) {
    w.key(d.key).open_string();
    for (const std::string_view part : d.value) w.append(part);
    w.close_string();
  }
  w.end_object().end_object();
  return w.finish();
}

Result<std::size_t> encode_next_get(std::span<char> out, std::uint32_t counter, std::string_view thing) {
  std::array<char, 10> digits{};
  JsonWriter w(out);
  w.begin_object().key(json::kClientToken).open_string().append(decimal(counter, digits)).append(":"sv).append(thing);
  w.close_string().end_object();
  return w.finish();
}

Result<std::size_t> encode_progress(std::span<char> out, std::uint32_t received, std::uint32_t total) {
  std::array<char, 10> a{};
  std::array<char, 10> b{};
  const UpdateDetail details[] = {{json::kReceive, {decimal(received, a), std::string_view("/", 1), decimal(total, b)}}};
  return encode_update(out, JobStatus::kInProgress, details);
}

Result<std::size_t> encode_self_test(std::span<char> out, SelfTest state, std::uint32_t updated_by) {
  if (state == SelfTest::kNone) return Status::kInvalidArgument;
  std::array<char, 10> hex{};
  format_hex32(updated_by, hex);
  const UpdateDetail details[] = {
      {json::kSelfTest, {state == SelfTest::kReady ? json::kSelfTestReady : json::kSelfTestActive}},
      {json::kUpdatedBy, {std::string_view(hex.data(), hex.size())}}};
  return encode_update(out, JobStatus::kInProgress, details);
}

Result<std::size_t> encode_succeeded(std::span<char> out, Version now, Version previous) {
  std::array<char, 16> a{};
  std::array<char, 16> b{};
  OTTER_ASSIGN_OR_RETURN(const std::size_t na, format_version(now, a));
  OTTER_ASSIGN_OR_RETURN(const std::size_t nb, format_version(previous, b));
  const UpdateDetail details[] = {{json::kReason, {std::string_view("accepted ", 9), std::string_view(a.data(), na)}}, {json::kUpdatedBy, {std::string_view(b.data(), nb)}}};
  return encode_update(out, JobStatus::kSucceeded, details);
}

Result<std::size_t> encode_failed(std::span<char> out, JobStatus status, std::string_view reason, std::uint32_t detail) {
  if (status != JobStatus::kFailed && status != JobStatus::kRejected) return Status::kInvalidArgument;
  std::array<char, 10> hex{};
  format_hex32(detail, hex);
  const UpdateDetail details[] = {{json::kReason, {reason, std::string_view(": ", 2), std::string_view(hex.data(), hex.size())}}};
  return encode_update(out, status, details);
}

}  // namespace otter::protocol
