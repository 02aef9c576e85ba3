#pragma once
// The device topics otterd serves. The thing name always comes from the
// topic: the broker's ACL lets a device publish only under its own
// $aws/things/<name>/, so the topic is as trustworthy as the certificate.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "otter/streams/get_stream.h"

namespace otter::mqtt {

struct DeviceTopic {
  enum class Kind { ListPendingJobs, DescribeJob, UpdateJob, GetStream };
  Kind kind = Kind::DescribeJob;
  std::string thing;
  std::string id;  // job id ("$next" allowed for DescribeJob) or stream id
  streams::Format format = streams::Format::Json;
};

// nullopt for anything that is not a well-formed request topic.
std::optional<DeviceTopic> parse_device_topic(std::string_view topic);

// What otterd subscribes to (QoS 1). `…/jobs/+/get` also covers `$next/get`;
// subscribing to both would make Mosquitto deliver such requests twice.
std::vector<std::string> device_request_subscriptions();

std::string jobs_topic(const std::string& thing, const std::string& rest);  // $aws/things/<T>/jobs/<rest>
std::string notify_next_topic(const std::string& thing);

}  // namespace otter::mqtt
