#include "otter/protocol/topics.h"

#include "otter/protocol/names.h"

namespace otter::protocol {

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

std::string_view format_suffix(StreamFormat format) { return format == StreamFormat::kJson ? "json" : "cbor"; }

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
  b.add(kThingsPrefix).add(thing);
  switch (kind) {
    case TopicKind::kNotifyNext: b.add("/jobs/notify-next"); break;
    case TopicKind::kNextGet: b.add("/jobs/$next/get"); break;
    case TopicKind::kNextGetAccepted: b.add("/jobs/$next/get/accepted"); break;
    case TopicKind::kNextGetRejected: b.add("/jobs/$next/get/rejected"); break;
    case TopicKind::kJobUpdate:
    case TopicKind::kJobUpdateAccepted:
    case TopicKind::kJobUpdateRejected:
      if (name != "+" && !valid_name(name, kMaxJobId)) return Status::kInvalidArgument;
      b.add("/jobs/").add(name).add("/update");
      if (kind == TopicKind::kJobUpdateAccepted) b.add("/accepted");
      if (kind == TopicKind::kJobUpdateRejected) b.add("/rejected");
      break;
    case TopicKind::kStreamGet:
    case TopicKind::kStreamData:
    case TopicKind::kStreamRejected:
      if (!valid_name(name, kMaxStreamName)) return Status::kInvalidArgument;
      b.add("/streams/").add(name);
      b.add(kind == TopicKind::kStreamGet ? "/get/" : kind == TopicKind::kStreamData ? "/data/" : "/rejected/");
      b.add(format_suffix(format));
      break;
  }
  if (b.overflow) return Status::kBufferTooSmall;
  out[b.pos] = '\0';
  return b.pos;
}

Result<TopicMatch> parse_topic(std::string_view topic, std::string_view thing) {
  if (!consume(topic, kThingsPrefix) || !consume(topic, thing)) return Status::kNotFound;
  TopicMatch match;
  if (consume(topic, "/jobs/")) {
    if (topic == "notify-next") return TopicMatch{TopicKind::kNotifyNext};
    if (topic == "$next/get/accepted") return TopicMatch{TopicKind::kNextGetAccepted};
    if (topic == "$next/get/rejected") return TopicMatch{TopicKind::kNextGetRejected};
    const std::size_t slash = topic.find('/');
    if (slash == std::string_view::npos) return Status::kNotFound;
    match.name = std::string_view(topic.data(), slash);
    topic.remove_prefix(slash);
    if (!valid_name(match.name, kMaxJobId)) return Status::kNotFound;
    if (topic == "/update/accepted") {
      match.kind = TopicKind::kJobUpdateAccepted;
    } else if (topic == "/update/rejected") {
      match.kind = TopicKind::kJobUpdateRejected;
    } else {
      return Status::kNotFound;
    }
    return match;
  }
  if (consume(topic, "/streams/")) {
    const std::size_t slash = topic.find('/');
    if (slash == std::string_view::npos) return Status::kNotFound;
    match.name = std::string_view(topic.data(), slash);
    topic.remove_prefix(slash);
    if (!valid_name(match.name, kMaxStreamName)) return Status::kNotFound;
    if (consume(topic, "/data/")) {
      match.kind = TopicKind::kStreamData;
    } else if (consume(topic, "/rejected/")) {
      match.kind = TopicKind::kStreamRejected;
    } else {
      return Status::kNotFound;
    }
    if (topic == "cbor") {
      match.format = StreamFormat::kCbor;
    } else if (topic == "json") {
      match.format = StreamFormat::kJson;
    } else {
      return Status::kNotFound;
    }
    return match;
  }
  return Status::kNotFound;
}

}  // namespace otter::protocol
