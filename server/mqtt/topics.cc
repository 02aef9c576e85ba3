#include "otter/mqtt/topics.h"

#include "otter/model/job.h"
#include "otter/model/stream.h"
#include "otter/model/thing.h"

namespace otter::mqtt {

std::optional<DeviceTopic> parse_device_topic(std::string_view topic) {
  if (topic.size() > 512) return std::nullopt;
  std::vector<std::string_view> parts;
  std::size_t start = 0;
  while (true) {
    std::size_t slash = topic.find('/', start);
    parts.push_back(topic.substr(start, slash == std::string_view::npos ? std::string_view::npos : slash - start));
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  if (parts.size() < 5 || parts[0] != "$aws" || parts[1] != "things" || !model::is_valid_thing_name(parts[2]))
    return std::nullopt;
  DeviceTopic t;
  t.thing = std::string(parts[2]);
  if (parts[3] == "jobs") {
    if (parts.size() == 5 && parts[4] == "get") {
      t.kind = DeviceTopic::Kind::ListPendingJobs;
      return t;
    }
    if (parts.size() != 6) return std::nullopt;
    if (parts[4] != "$next" && !model::is_valid_job_id(parts[4])) return std::nullopt;
    t.id = std::string(parts[4]);
    if (parts[5] == "get") {
      t.kind = DeviceTopic::Kind::DescribeJob;
    } else if (parts[5] == "update" && t.id != "$next") {
      t.kind = DeviceTopic::Kind::UpdateJob;
    } else {
      return std::nullopt;
    }
    return t;
  }
  if (parts[3] == "streams" && parts.size() == 7 && parts[5] == "get" && model::is_valid_stream_id(parts[4])) {
    t.kind = DeviceTopic::Kind::GetStream;
    t.id = std::string(parts[4]);
    if (parts[6] == "cbor") {
      t.format = streams::Format::Cbor;
    } else if (parts[6] == "json") {
      t.format = streams::Format::Json;
    } else {
      return std::nullopt;
    }
    return t;
  }
  return std::nullopt;
}

std::vector<std::string> device_request_subscriptions() {
  return {"$aws/things/+/jobs/get", "$aws/things/+/jobs/+/get", "$aws/things/+/jobs/+/update",
          "$aws/things/+/streams/+/get/cbor", "$aws/things/+/streams/+/get/json"};
}

std::string jobs_topic(const std::string& thing, const std::string& rest) {
  return "$aws/things/" + thing + "/jobs/" + rest;
}

std::string notify_next_topic(const std::string& thing) { return jobs_topic(thing, "notify-next"); }

}  // namespace otter::mqtt
