#include "otter/protocol/topics.h"

#include <iterator>

#include "otter/protocol/names.h"

namespace otter::protocol {

using namespace std::string_view_literals;

namespace {

constexpr std::string_view kThingsPrefix = "$aws/things/";

// Every topic is "$aws/things/<thing>/" + the pattern of its TopicKind, in
// which '+' stands for the job id or stream name and '*' for the stream
// format ("cbor" or "json"). Building and parsing read the same table.
constexpr char kNamePlaceholder = '+';
constexpr char kFormatPlaceholder = '*';
constexpr const char* kPatterns[] = {
    "jobs/notify-next",        "jobs/$next/get",      "jobs/$next/get/accepted", "jobs/$next/get/rejected",
    "jobs/+/update",           "jobs/+/update/accepted", "jobs/+/update/rejected", "streams/+/get/*",
    "streams/+/data/*",        "streams/+/rejected/*",
};
// What a device receives (parse_topic): the rest it only publishes to.
constexpr unsigned kReceived = 1U << unsigned(TopicKind::kNotifyNext) | 1U << unsigned(TopicKind::kNextGetAccepted) |
                               1U << unsigned(TopicKind::kNextGetRejected) |
                               1U << unsigned(TopicKind::kJobUpdateAccepted) |
                               1U << unsigned(TopicKind::kJobUpdateRejected) | 1U << unsigned(TopicKind::kStreamData) |
                               1U << unsigned(TopicKind::kStreamRejected);

bool valid_name(std::string_view name, std::size_t max) {
  if (name.empty() || name.size() > max) return false;
  for (const char c : name) {
    if (c == '/' || c == '#' || c == '+' || c == '\0') return false;
  }
  return true;
}

std::size_t max_name(TopicKind kind) { return kind >= TopicKind::kStreamGet ? kMaxStreamName : kMaxJobId; }
std::string_view format_suffix(StreamFormat format) { return format == StreamFormat::kJson ? "json"sv : "cbor"sv; }

struct Builder {
  std::span<char> out;
  std::size_t pos = 0;
  bool overflow = false;
  void add(char c) {
    if (pos + 1 < out.size()) {
      out[pos++] = c;
    } else {
      overflow = true;
    }
  }
  void add(std::string_view s) {
    for (const char c : s) add(c);
  }
};

// Matches `topic` (what follows "$aws/things/<thing>/") against `pattern`.
bool match_pattern(const char* pattern, std::string_view topic, TopicKind kind, TopicMatch& match) {
  std::size_t pos = 0;
  for (; *pattern != '\0'; ++pattern) {
    if (*pattern == kNamePlaceholder) {
      // The name runs up to the next '/' (every pattern has one after it).
      std::size_t end = pos;
      while (end < topic.size() && topic[end] != '/') ++end;
      if (end == topic.size()) return false;
      match.name = {topic.data() + pos, end - pos};
      if (!valid_name(match.name, max_name(kind))) return false;
      pos = end;
    } else if (*pattern == kFormatPlaceholder) {
      // The format ends every pattern that has one.
      const std::string_view format(topic.data() + pos, topic.size() - pos);
      if (format == "json"sv) match.format = StreamFormat::kJson;
      else if (format != "cbor"sv) return false;
      return true;
    } else if (pos == topic.size() || topic[pos++] != *pattern) {
      return false;
    }
  }
  return pos == topic.size();
}

bool consume(std::string_view& s, std::string_view prefix) {
  if (s.size() < prefix.size() || std::string_view(s.data(), prefix.size()) != prefix) return false;
  s.remove_prefix(prefix.size());
  return true;
}

}  // namespace

Result<std::size_t> build_topic(std::span<char> out, std::string_view thing, TopicKind kind, std::string_view name,
                                StreamFormat format) {
  if (out.empty()) return Status::kBufferTooSmall;
  if (!valid_name(thing, kMaxThingName)) return Status::kInvalidArgument;
  Builder b{out};
  b.add(kThingsPrefix);
  b.add(thing);
  b.add('/');
  for (const char* p = kPatterns[static_cast<std::size_t>(kind)]; *p != '\0'; ++p) {
    if (*p == kNamePlaceholder) {
      // "+" as a job id: every job's update topics.
      const bool job_wildcard = kind < TopicKind::kStreamGet && name.size() == 1 && name[0] == kNamePlaceholder;
      if (!job_wildcard && !valid_name(name, max_name(kind))) return Status::kInvalidArgument;
      b.add(name);
    } else if (*p == kFormatPlaceholder) {
      b.add(format_suffix(format));
    } else {
      b.add(*p);
    }
  }
  if (b.overflow) return Status::kBufferTooSmall;
  out[b.pos] = '\0';
  return b.pos;
}

Result<TopicMatch> parse_topic(std::string_view topic, std::string_view thing) {
  if (!consume(topic, kThingsPrefix) || !consume(topic, thing) || !consume(topic, "/"sv)) return Status::kNotFound;
  for (unsigned k = 0; k < std::size(kPatterns); ++k) {
    if ((kReceived & (1U << k)) == 0) continue;
    TopicMatch match{static_cast<TopicKind>(k)};
    if (match_pattern(kPatterns[k], topic, match.kind, match)) return match;
  }
  return Status::kNotFound;
}

}  // namespace otter::protocol
