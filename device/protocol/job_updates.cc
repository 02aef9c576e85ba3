#include "otter/protocol/job_updates.h"

namespace otter::protocol {

namespace {

// The arguments a message template refers to.
struct Holes {
  JobStatus status = JobStatus::kUnknown;
  std::string_view text;
  std::uint32_t numbers[2] = {};
};

// Every message the device publishes in JSON is one fixed template, printf-like:
//   %U  the update head {"status":"<status>","statusDetails":{
//   %S  the status name       %s  the text, JSON-escaped
//   %u  the next number in decimal, %x as 8 hex digits, %v as a version vM.m.b
// Filling templates instead of driving a general JSON writer keeps the five
// messages' code and text small.
constexpr const char* kUpdateHead = R"({"status":"%S","statusDetails":{)";

constexpr char kDigits[] = "0123456789abcdef";

class TemplateWriter {
 public:
  TemplateWriter(std::span<char> out, const Holes& holes) : out_(out), holes_(holes) {}

  TemplateWriter& fill(const char* tmpl) {
    while (const char c = *tmpl++) {
      if (c != '%') {
        put(c);
        continue;
      }
      switch (*tmpl++) {
        case 'U': fill(kUpdateHead); break;
        case 'S': escaped(to_string(holes_.status)); break;
        case 's': escaped(holes_.text); break;
        case 'u': number(next_number(), 10, 1); break;
        case 'x': number(next_number(), 16, 8); break;
        default: version(Version::decode(next_number())); break;
      }
    }
    return *this;
  }

  // Overflow is an error, never a truncated document.
  Result<std::size_t> finish() const {
    if (pos_ > out_.size()) return Status::kBufferTooSmall;
    return pos_;
  }

 private:
  std::uint32_t next_number() { return holes_.numbers[next_number_++]; }

  void put(char c) {
    if (pos_ < out_.size()) out_[pos_] = c;
    ++pos_;
  }

  void number(std::uint32_t value, std::uint32_t base, std::size_t min_digits) {
    char digits[10];
    std::size_t n = 0;
    do {
      digits[n++] = kDigits[value % base];
      value /= base;
    } while (value != 0 || n < min_digits);
    while (n > 0) put(digits[--n]);
  }

  void version(Version v) {
    put('v');
    number(v.major, 10, 1);
    put('.');
    number(v.minor, 10, 1);
    put('.');
    number(v.build, 10, 1);
  }

  void escaped(std::string_view text) {
    for (const char c : text) {
      const auto u = static_cast<unsigned char>(c);
      if (c == '"' || c == '\\') {
        put('\\');
        put(c);
      } else if (u < 0x20) {
        put('\\');
        put('u');
        number(u, 16, 4);
      } else {
        put(c);
      }
    }
  }

  std::span<char> out_;
  const Holes& holes_;
  std::size_t pos_ = 0;
  std::size_t next_number_ = 0;
};

Result<std::size_t> fill(std::span<char> out, const char* tmpl, const Holes& holes) {
  return TemplateWriter(out, holes).fill(tmpl).finish();
}

}  // namespace

void format_hex32(std::uint32_t value, std::span<char, 10> out) {
  out[0] = '0';
  out[1] = 'x';
  for (int i = 0; i < 8; ++i) out[static_cast<std::size_t>(2 + i)] = kDigits[(value >> (28 - 4 * i)) & 0xF];
}

Result<std::size_t> encode_next_get(std::span<char> out, std::uint32_t counter, std::string_view thing) {
  return fill(out, R"({"clientToken":"%u:%s"})", {.text = thing, .numbers = {counter}});
}

Result<std::size_t> encode_progress(std::span<char> out, std::uint32_t received, std::uint32_t total) {
  return fill(out, R"(%U"receive":"%u/%u"}})", {.status = JobStatus::kInProgress, .text = {}, .numbers = {received, total}});
}

Result<std::size_t> encode_self_test(std::span<char> out, SelfTest state, std::uint32_t updated_by) {
  if (state == SelfTest::kNone) return Status::kInvalidArgument;
  return fill(out, R"(%U"self_test":"%s","updatedBy":"0x%x"}})",
              {.status = JobStatus::kInProgress,
               .text = state == SelfTest::kReady ? json::kSelfTestReady : json::kSelfTestActive,
               .numbers = {updated_by}});
}

Result<std::size_t> encode_succeeded(std::span<char> out, Version now, Version previous) {
  return fill(out, R"(%U"reason":"accepted %v","updatedBy":"%v"}})",
              {.status = JobStatus::kSucceeded, .text = {}, .numbers = {now.encoded(), previous.encoded()}});
}

Result<std::size_t> encode_failed(std::span<char> out, JobStatus status, std::string_view reason, std::uint32_t detail) {
  if (status != JobStatus::kFailed && status != JobStatus::kRejected) return Status::kInvalidArgument;
  return fill(out, R"(%U"reason":"%s: 0x%x"}})", {.status = status, .text = reason, .numbers = {detail}});
}

}  // namespace otter::protocol
