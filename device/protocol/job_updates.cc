#include "otter/protocol/job_updates.h"

#include "otter/codec/json_writer.h"

namespace otter::protocol {

namespace {

// The arguments a message template refers to.
struct Holes {
  JobStatus status;
  std::string_view text;
  std::uint32_t numbers[2];
};

// Every message the device publishes in JSON is one fixed template, printf-like:
//   %U  the update head {"status":"<status>","statusDetails":{
//   %S  the status name       %s  the text, JSON-escaped
//   %u  the next number in decimal, %x as 8 hex digits, %v as a version vM.m.b
// Filling templates instead of driving a general JSON writer keeps the five
// messages' code and text small (agent footprint).
constexpr const char* kUpdateHead = R"({"status":"%S","statusDetails":{)";

class TemplateWriter {
 public:
  TemplateWriter(std::span<char> out, const Holes& holes) : out_(out), holes_(holes) {}

  TemplateWriter& fill(const char* tmpl) {
    while (const char c = *tmpl++) {
      if (c != '%') {
        out_.put(c);
        continue;
      }
      const char hole = *tmpl++;
      if (hole == 'U') {
        fill(kUpdateHead);
      } else if (hole == 'S') {
        out_.escaped(to_string(holes_.status));
      } else if (hole == 's') {
        out_.escaped(holes_.text);
      } else if (hole == 'v') {
        version(Version::decode(*numbers_++));
      } else {
        out_.number(*numbers_++, hole == 'u' ? Radix::kDecimal : Radix::kHex32);
      }
    }
    return *this;
  }

  // Overflow is an error, never a truncated document.
  Result<std::size_t> finish() const { return out_.finish(); }

 private:
  using Radix = codec::JsonOut::Radix;

  void version(Version v) {
    out_.put('v');
    out_.number(v.major);
    out_.put('.');
    out_.number(v.minor);
    out_.put('.');
    out_.number(v.build);
  }

  codec::JsonOut out_;
  const Holes& holes_;
  const std::uint32_t* numbers_ = holes_.numbers;
};

Result<std::size_t> fill(std::span<char> out, const char* tmpl, const Holes& holes) {
  return TemplateWriter(out, holes).fill(tmpl).finish();
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
  return fill(out, R"({"clientToken":"%u:%s"})", {.status = JobStatus::kUnknown, .text = thing, .numbers = {counter, 0}});
}

Result<std::size_t> encode_progress(std::span<char> out, std::uint32_t received, std::uint32_t total) {
  return fill(out, R"(%U"receive":"%u/%u"}})", {.status = JobStatus::kInProgress, .text = {}, .numbers = {received, total}});
}

Result<std::size_t> encode_self_test(std::span<char> out, SelfTest state, std::uint32_t updated_by) {
  if (state == SelfTest::kNone) return Status::kInvalidArgument;
  return fill(out, R"(%U"self_test":"%s","updatedBy":"0x%x"}})",
              {.status = JobStatus::kInProgress,
               .text = state == SelfTest::kReady ? json::kSelfTestReady : json::kSelfTestActive,
               .numbers = {updated_by, 0}});
}

Result<std::size_t> encode_succeeded(std::span<char> out, Version now, Version previous) {
  return fill(out, R"(%U"reason":"accepted %v","updatedBy":"%v"}})",
              {.status = JobStatus::kSucceeded, .text = {}, .numbers = {now.encoded(), previous.encoded()}});
}

Result<std::size_t> encode_failed(std::span<char> out, JobStatus status, std::string_view reason, std::uint32_t detail) {
  if (status != JobStatus::kFailed && status != JobStatus::kRejected) return Status::kInvalidArgument;
  return fill(out, R"(%U"reason":"%s: 0x%x"}})", {.status = status, .text = reason, .numbers = {detail, 0}});
}

}  // namespace otter::protocol
