// Topic names of the AWS IoT Jobs MQTT API and OTA MQTT streams, built into
// caller buffers, and the reverse: which of them an incoming topic is.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

#include "otter/core/result.h"

namespace otter::protocol {

enum class TopicKind : std::uint8_t {
  kNotifyNext,         // $aws/things/<T>/jobs/notify-next
  kNextGet,            // $aws/things/<T>/jobs/$next/get
  kNextGetAccepted,    // .../$next/get/accepted
  kNextGetRejected,    // .../$next/get/rejected
  kJobUpdate,          // $aws/things/<T>/jobs/<jobId>/update
  kJobUpdateAccepted,  // .../update/accepted
  kJobUpdateRejected,  // .../update/rejected
  kStreamGet,          // $aws/things/<T>/streams/<s>/get/<cbor|json>
  kStreamData,         // .../data/<cbor|json>
  kStreamRejected,     // .../rejected/<cbor|json>
};

enum class StreamFormat : std::uint8_t { kCbor, kJson };

// `name` is the job id (kJobUpdate*; "+" subscribes to every job) or the stream
// name (kStream*). Writes a NUL-terminated topic; returns its length.
// kInvalidArgument for an empty/oversized thing, job or stream name or one
// containing '/', '#' or '+' (except the lone "+" wildcard for a job id).
Result<std::size_t> build_topic(std::span<char> out, std::string_view thing, TopicKind kind,
                                std::string_view name = {}, StreamFormat format = StreamFormat::kCbor);

struct TopicMatch {
  TopicKind kind = TopicKind::kNotifyNext;
  std::string_view name{};  // job id or stream name, inside the topic
  StreamFormat format = StreamFormat::kCbor;
};

// Classifies a topic of `thing`'s subtree that the device receives; kNotFound
// for anything else (another thing's topics included). A topic matches only
// if build_topic would build it: a thing, job or stream name it refuses
// (empty, too long, with '/', '#', '+' or NUL) never matches.
Result<TopicMatch> parse_topic(std::string_view topic, std::string_view thing);

}  // namespace otter::protocol
