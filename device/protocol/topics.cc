#include "otter/protocol/topics.h"

#include "otter/protocol/names.h"
#include "packed_strings.h"

namespace otter::protocol {

using namespace std::string_view_literals;

namespace {

// Every topic is "$aws/things/<thing>" + "/jobs/" or "/streams/" + the job id
// or stream name (kinds that have one) + the rest of its TopicKind below +
// "/cbor" or "/json" (stream kinds). Building reads the table; parsing builds
// each candidate and compares, so the two cannot disagree.
constexpr std::string_view kRests[] = {
    "notify-next", "$next/get", "$next/get/accepted", "$next/get/rejected", "/update",
    "/update/accepted", "/update/rejected", "/get", "/data", "/rejected",
};
constexpr auto kPackedRests = pack_strings<kRests>();

std::string_view rest(TopicKind kind) { return kPackedRests[static_cast<std::size_t>(kind)]; }

// What a device receives (parse_topic), in each stream format: the rest it
// only publishes to.
constexpr struct {
  TopicKind kind;
  StreamFormat format;
} kReceived[] = {
    {TopicKind::kNotifyNext, StreamFormat::kCbor},        {TopicKind::kNextGetAccepted, StreamFormat::kCbor},
    {TopicKind::kNextGetRejected, StreamFormat::kCbor},   {TopicKind::kJobUpdateAccepted, StreamFormat::kCbor},
    {TopicKind::kJobUpdateRejected, StreamFormat::kCbor}, {TopicKind::kStreamData, StreamFormat::kCbor},
    {TopicKind::kStreamData, StreamFormat::kJson},        {TopicKind::kStreamRejected, StreamFormat::kCbor},
    {TopicKind::kStreamRejected, StreamFormat::kJson},
};

bool is_stream(TopicKind kind) { return kind >= TopicKind::kStreamGet; }
bool has_name(TopicKind kind) { return kind >= TopicKind::kJobUpdate; }

// Writes a topic into `out` (what fits; `pos` counts it all) or, without
// `out`, compares it with `expected`: any difference leaves pos != size.
struct TopicWriter {
  char* out = nullptr;
  const char* expected = nullptr;
  std::size_t size = 0;  // of `out` or `expected`
  std::size_t pos = 0;

  void add(char c) {
    if (pos < size) {
      if (out != nullptr) {
        out[pos] = c;
      } else if (expected[pos] != c) {
        pos = size;  // past the end once incremented
      }
    }
    ++pos;
  }
  void add(std::string_view s) {
    for (const char c : s) add(c);
  }
  // A thing, job or stream name: false if empty, longer than `max` or with a
  // character that would change the topic's structure.
  bool add_name(std::string_view name, std::size_t max) {
    if (name.empty() || name.size() > max) return false;
    for (const char c : name) {
      if (c == '/' || c == '#' || c == '+' || c == '\0') return false;
      add(c);
    }
    return true;
  }
};

// kInvalidArgument for a bad thing or name. "+" as a job id (every job's
// update topics) is built, never matched: it is no job a message is about.
Status write_topic(TopicWriter& w, std::string_view thing, TopicKind kind, std::string_view name, StreamFormat format) {
  w.add("$aws/things/"sv);
  if (!w.add_name(thing, kMaxThingName)) return Status::kInvalidArgument;
  w.add(is_stream(kind) ? "/streams/"sv : "/jobs/"sv);
  if (has_name(kind)) {
    const bool job_wildcard = w.out != nullptr && !is_stream(kind) && name.size() == 1 && name[0] == '+';
    if (job_wildcard) {
      w.add('+');
    } else if (!w.add_name(name, is_stream(kind) ? kMaxStreamName : kMaxJobId)) {
      return Status::kInvalidArgument;
    }
  }
  w.add(rest(kind));
  if (is_stream(kind)) w.add(format == StreamFormat::kJson ? "/json"sv : "/cbor"sv);
  return Status::kOk;
}

}  // namespace

Result<std::size_t> build_topic(std::span<char> out, std::string_view thing, TopicKind kind, std::string_view name,
                                StreamFormat format) {
  if (out.empty()) return Status::kBufferTooSmall;
  TopicWriter w{.out = out.data(), .size = out.size()};
  OTTER_TRY(write_topic(w, thing, kind, name, format));
  if (w.pos >= out.size()) return Status::kBufferTooSmall;  // no room for the NUL
  out[w.pos] = '\0';
  return w.pos;
}

Result<TopicMatch> parse_topic(std::string_view topic, std::string_view thing) {
  // The job id or stream name, if any, is the fifth level:
  // $aws/things/<thing>/(jobs|streams)/<name>/...
  std::size_t start = 0;
  for (int slashes = 0; slashes < 4 && start < topic.size(); ++start) {
    if (topic[start] == '/') ++slashes;
  }
  std::size_t end = start;
  while (end < topic.size() && topic[end] != '/') ++end;
  const std::string_view name(topic.data() + start, end - start);

  for (const auto& [kind, format] : kReceived) {
    TopicWriter w{.expected = topic.data(), .size = topic.size()};
    if (write_topic(w, thing, kind, name, format) == Status::kOk && w.pos == topic.size())
      return TopicMatch{.kind = kind, .name = has_name(kind) ? name : std::string_view{}, .format = format};
  }
  return Status::kNotFound;
}

}  // namespace otter::protocol
