#include "otter/protocol/topics.h"

#include "otter/protocol/names.h"
#include "packed_strings.h"

namespace otter::protocol {

namespace {

// Every topic is "$aws/things/<thing>" + "/jobs/" or "/streams/" + the job id
// or stream name (kinds that have one) + the rest of its TopicKind below +
// "/cbor" or "/json" (stream kinds). Building reads the tables; parsing builds
// each candidate and compares, so the two cannot disagree.
// The text is stored once (packed_strings.h) and referred to by Piece.
enum Piece : unsigned {
  kPrefix, kJobs, kStreams, kCbor, kJson,
  kNotifyNext, kNextGet, kUpdate, kGet, kData, kAccepted, kRejected, kNothing,
};
constexpr std::string_view kPieces[] = {"$aws/things/", "/jobs/",   "/streams/", "/cbor",     "/json",
                                        "notify-next",  "$next/get", "/update",  "/get",      "/data",
                                        "/accepted",    "/rejected", ""};
constexpr auto kPackedPieces = pack_strings<kPieces>();
static_assert(std::size(kPieces) == kNothing + 1 && kNothing < 16);
static_assert(kJson == kCbor + static_cast<unsigned>(StreamFormat::kJson));

// A rest is a piece and an ending piece, 4 bits each: sharing "/accepted" and
// "/rejected" keeps the text short. No rest has kPrefix (0) in it, so a
// rest's nibbles are read until none is left.
constexpr std::uint8_t rest(Piece piece, Piece ending = kNothing) {
  return static_cast<std::uint8_t>(piece | ending << 4);
}
constexpr std::uint8_t kRests[] = {
    rest(kNotifyNext), rest(kNextGet), rest(kNextGet, kAccepted), rest(kNextGet, kRejected),
    rest(kUpdate),     rest(kUpdate, kAccepted), rest(kUpdate, kRejected),
    rest(kGet),        rest(kData),    rest(kRejected),
};
static_assert(std::size(kRests) == static_cast<std::size_t>(TopicKind::kStreamRejected) + 1);
static_assert([] {
  for (const std::uint8_t r : kRests) {
    if ((r & 0xF) == kPrefix || (r >> 4) == kPrefix) return false;
  }
  return true;
}());

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

constexpr bool is_stream(TopicKind kind) { return kind >= TopicKind::kStreamGet; }
constexpr bool has_name(TopicKind kind) { return kind >= TopicKind::kJobUpdate; }

// parse_topic reuses one writer for all candidates; the name it reads stays
// empty while the kinds without one are tried, which is why they come first.
static_assert([] {
  bool named = false;
  for (const auto& received : kReceived) {
    if (named && !has_name(received.kind)) return false;
    named = has_name(received.kind);
  }
  return true;
}());

// Writes a topic into `out` (what fits; `pos` counts it all) or, without
// `out`, compares it with `expected`: any difference leaves pos != size.
// Strings go as pointer and size: gcc spills string_views passed by value.
// A constructor, not an aggregate: gcc zeroes a braced aggregate with a
// memset call before storing its fields.
struct TopicWriter {
  TopicWriter(char* to, const char* compare_with, std::size_t n, std::string_view thing_name,
              std::string_view job_or_stream, StreamFormat stream_format)
      : out(to), expected(compare_with), size(n), pos(0), thing(thing_name), name(job_or_stream),
        format(stream_format) {}

  char* out;
  const char* expected;
  std::size_t size;  // of `out` or `expected`
  std::size_t pos;
  std::string_view thing;
  // Building: the job id or stream name to write. Comparing: read from
  // `expected` where the topic has it.
  std::string_view name;
  StreamFormat format;

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
  void add(Piece piece) {
    const std::string_view text = kPackedPieces[piece];
    for (std::size_t i = 0; i < text.size(); ++i) add(text[i]);
  }
  // A thing, job or stream name: false if empty, longer than `max` or with a
  // character that would change the topic's structure.
  bool add_name(const char* s, std::size_t n, std::size_t max) {
    if (n == 0 || n > max) return false;
    for (; n != 0; --n) {
      const char c = *s++;
      if (c == '/' || c == '#' || c == '+' || c == '\0') return false;
      add(c);
    }
    return true;
  }

  // False for a bad thing or name. "+" as a job id (every job's update
  // topics) is built, never matched: it is no job a message is about.
  bool write(TopicKind kind) {
    add(kPrefix);
    if (!add_name(thing.data(), thing.size(), kMaxThingName)) return false;
    const bool stream = is_stream(kind);
    add(stream ? kStreams : kJobs);
    if (has_name(kind)) {
      if (out == nullptr) {
        // The name is this level of `expected`, up to the next '/'.
        std::size_t end = pos;
        while (end < size && expected[end] != '/') ++end;
        name = pos < end ? std::string_view(expected + pos, end - pos) : std::string_view{};
      }
      if (out != nullptr && !stream && name.size() == 1 && name[0] == '+') {
        add('+');
      } else if (!add_name(name.data(), name.size(), stream ? kMaxStreamName : kMaxJobId)) {
        return false;
      }
    }
    for (unsigned r = kRests[static_cast<std::size_t>(kind)]; r != 0; r >>= 4) add(static_cast<Piece>(r & 0xF));
    if (stream) add(static_cast<Piece>(kCbor + static_cast<unsigned>(format)));
    return true;
  }
};

}  // namespace

Result<std::size_t> build_topic(std::span<char> out, std::string_view thing, TopicKind kind, std::string_view name,
                                StreamFormat format) {
  if (out.empty()) return Status::kBufferTooSmall;
  TopicWriter w(out.data(), nullptr, out.size(), thing, name, format);
  if (!w.write(kind)) return Status::kInvalidArgument;
  if (w.pos >= out.size()) return Status::kBufferTooSmall;  // no room for the NUL
  out[w.pos] = '\0';
  return w.pos;
}

Result<TopicMatch> parse_topic(std::string_view topic, std::string_view thing) {
  // One writer for all candidates (kReceived's order keeps `name` right).
  TopicWriter w(nullptr, topic.data(), topic.size(), thing, {}, StreamFormat::kCbor);
  for (const auto& [kind, format] : kReceived) {
    w.pos = 0;
    w.format = format;
    if (w.write(kind) && w.pos == topic.size())
      return TopicMatch{.kind = kind, .name = w.name, .format = format};
  }
  return Status::kNotFound;
}

}  // namespace otter::protocol
