#pragma once
// Things (devices) and thing groups. A thing's name is its MQTT client id and
// its certificate's CN.
#include <map>
#include <string>
#include <string_view>

#include "otter/model/time.h"

namespace otter::model {

using Attributes = std::map<std::string, std::string>;

struct Thing {
  std::string name;
  Attributes attributes;
  Millis created_at = 0;
  Millis updated_at = 0;
};

struct ThingGroup {
  std::string name;
  std::string description;
  Millis created_at = 0;
};

// AWS thing names: 1..128 of [a-zA-Z0-9:_-]. Group names use the same rule.
bool is_valid_thing_name(std::string_view name);

}  // namespace otter::model
