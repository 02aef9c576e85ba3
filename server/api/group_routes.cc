// /api/v1/groups: thing groups and their members (continuous jobs follow them).
#include <httplib.h>

#include "otter/api/rest_api.h"
#include "otter/model/json.h"

namespace otter::api {

void add_group_routes(Router& router, ApiContext& ctx) {
  router.get("/api/v1/groups", [&ctx](Call& call) {
    nlohmann::json all = nlohmann::json::array();
    for (const auto& group : ctx.registry.groups()) {
      auto j = model::to_json(group);
      j["memberCount"] = ctx.registry.members(group.name).size();
      all.push_back(j);
    }
    call.json(200, paged("groups", all, page_of(call)));
  });

  router.post("/api/v1/groups", [&ctx](Call& call) {
    const auto body = call.json_body();
    if (!body.contains("thingGroupName") || !body["thingGroupName"].is_string()) {
      throw ApiError(400, "field \"thingGroupName\" (string) is required");
    }
    const std::string description = body.value("description", std::string());
    std::vector<std::string> members;
    if (body.contains("things")) {
      if (!body["things"].is_array()) throw ApiError(400, "field \"things\" must be an array of thing names");
      for (const auto& thing : body["things"]) {
        if (!thing.is_string()) throw ApiError(400, "field \"things\" must be an array of thing names");
        members.push_back(thing.get<std::string>());
      }
    }
    const auto group = ctx.registry.create_group(body["thingGroupName"], description, members);
    auto out = model::to_json(group);
    out["members"] = ctx.registry.members(group.name);
    call.json(201, out);
  });

  router.get("/api/v1/groups/{groupName}", [&ctx](Call& call) {
    const std::string name = call.param("groupName");
    const auto group = ctx.registry.group(name);
    if (!group) throw ApiError(404, "no group '" + name + "'");
    auto out = model::to_json(*group);
    out["members"] = ctx.registry.members(name);
    call.json(200, out);
  });

  router.del("/api/v1/groups/{groupName}", [&ctx](Call& call) {
    const std::string name = call.param("groupName");
    ctx.registry.delete_group(name);
    call.json(200, {{"thingGroupName", name}, {"deleted", true}});
  });

  router.put("/api/v1/groups/{groupName}/members/{thingName}", [&ctx](Call& call) {
    const std::string group = call.param("groupName");
    ctx.registry.add_to_group(group, call.param("thingName"));
    call.json(200, {{"thingGroupName", group}, {"members", ctx.registry.members(group)}});
  });

  router.del("/api/v1/groups/{groupName}/members/{thingName}", [&ctx](Call& call) {
    const std::string group = call.param("groupName");
    ctx.registry.remove_from_group(group, call.param("thingName"));
    call.json(200, {{"thingGroupName", group}, {"members", ctx.registry.members(group)}});
  });
}

}  // namespace otter::api
