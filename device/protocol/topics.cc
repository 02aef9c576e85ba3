#include "otter/protocol/topics.h"

#include "otter/protocol/names.h"

namespace otter::protocol {

using namespace std::string_view_literals;

namespace {

constexpr std::string_view kThingsPrefix = "$aws/things/";

bool valid_name(std::string_view name, std::size_t max) {
  if (name.empty() || name.size() > max) return false;
  for (const char c : name) {
    if (c == '/' || c == '#' || c == '+' || c == '\0') return false;
  }
  return true;
}

struct Builder {
  std::span<char> out;
  std::size_t pos = 0;
  bool overflow = false;
  Builder& add(std::string_view s) {
    for (const char c : s) {
      if (pos + 1 < out.size()) {
        out[pos++] = c;
      } else {
        overflow = true;
      }
    }
    return *this;
  }
};

// Every topic is "$aws/things/<thing>" + head [+ <name> + tail [+ <format>]],
// one row per TopicKind: building and parsing read the same table.
struct Shape {
  std::string_view head;
  std::string_view tail;  // after the job id / stream name; empty: no name
};
constexpr Shape kShapes[] = {
    {"/jobs/notify-next", {}},         {"/jobs/$next/get", {}},       {"/jobs/$next/get/accepted", {}},
    {"/jobs/$next/get/rejected", {}},  {"/jobs/", "/update"},         {"/jobs/", "/update/accepted"},
    {"/jobs/", "/update/rejected"},    {"/streams/", "/get/"},        {"/streams/", "/data/"},
    {"/streams/", "/rejected/"},
};
// What a device receives (parse_topic): the rest it only publishes to.
constexpr TopicKind kReceived[] = {TopicKind::kNotifyNext,        TopicKind::kNextGetAccepted,
                                   TopicKind::kNextGetRejected,   TopicKind::kJobUpdateAccepted,
                                   TopicKind::kJobUpdateRejected, TopicKind::kStreamData,
                                   TopicKind::kStreamRejected};

bool is_stream(TopicKind kind) { return kind >= TopicKind::kStreamGet; }
std::size_t max_name(TopicKind kind) { return is_stream(kind) ? kMaxStreamName : kMaxJobId; }
std::string_view format_suffix(StreamFormat format) { return format == StreamFormat::kJson ? "json"sv : "cbor"sv; }

bool consume(std::string_view& s, std::string_view prefix) {
  if (s.substr(0, prefix.size()) != prefix) return false;
  s.remove_prefix(prefix.size());
  return true;
}

}  // namespace

Result<std::size_t> build_topic(std::span<char> out, std::string_view thing, TopicKind kind, std::string_view name,
                                StreamFormat format) {
  if (out.empty()) return Status::kBufferTooSmall;
  if (!valid_name(thing, kMaxThingName)) return Status::kInvalidArgument;
  const Shape& shape = kShapes[static_cast<std::size_t>(kind)];
  Builder b{out};
  b.add(kThingsPrefix).add(thing).add(shape.head);
  if (!shape.tail.empty()) {
    const bool job_wildcard = !is_stream(kind) && name == "+"sv;  // every job's update topics
    if (!job_wildcard && !valid_name(name, max_name(kind))) return Status::kInvalidArgument;
    b.add(name).add(shape.tail);
    if (is_stream(kind)) b.add(format_suffix(format));
  }
  if (b.overflow) return Status::kBufferTooSmall;
  out[b.pos] = '\0';
  return b.pos;
}

Result<TopicMatch> parse_topic(std::string_view topic, std::string_view thing) {
  if (!consume(topic, kThingsPrefix) || !consume(topic, thing)) return Status::kNotFound;
  for (const TopicKind kind : kReceived) {
    const Shape& shape = kShapes[static_cast<std::size_t>(kind)];
    std::string_view rest = topic;
    if (!consume(rest, shape.head)) continue;
    TopicMatch match{kind};
    if (!shape.tail.empty()) {
      const std::size_t slash = rest.find('/');
      if (slash == std::string_view::npos) continue;
      match.name = rest.substr(0, slash);
      rest.remove_prefix(slash);
      if (!valid_name(match.name, max_name(kind)) || !consume(rest, shape.tail)) continue;
    }
    if (is_stream(kind)) {
      if (rest == "json"sv) match.format = StreamFormat::kJson;
      else if (rest != "cbor"sv) continue;
      rest = {};
    }
    if (rest.empty()) return match;
  }
  return Status::kNotFound;
}

}  // namespace otter::protocol
