// otter group create/add/remove/list/show/delete: thing groups (targets of
// continuous jobs).
#include <iostream>
#include <memory>

#include "command_registry.h"
#include "rest_client.h"

namespace otter::cli {
namespace {

struct GroupOptions {
  ServerOptions server;
  std::string group;
  std::string description;
  std::vector<std::string> things;
};

void print_members(const nlohmann::json& g) {
  std::string members;
  for (const auto& m : g["members"]) members += (members.empty() ? "" : ", ") + m.get<std::string>();
  std::cout << "group " << g["thingGroupName"].get<std::string>() << ": " << (members.empty() ? "(no members)" : members)
            << "\n";
}

RegisterCommand registration([](CLI::App& app) {
  auto* group = app.add_subcommand("group", "thing groups");
  group->require_subcommand(1);

  auto c = std::make_shared<GroupOptions>();
  auto* create = group->add_subcommand("create", "create a group, optionally with members");
  create->add_option("group", c->group)->required();
  create->add_option("--description", c->description);
  create->add_option("--things", c->things, "initial members")->delimiter(',');
  add_server_options(*create, c->server);
  create->callback([c] {
    RestClient client(c->server);
    nlohmann::json body{{"thingGroupName", c->group}, {"description", c->description}};
    if (!c->things.empty()) body["things"] = c->things;
    const auto g = client.post("/api/v1/groups", body);
    if (c->server.json) return print_json(g);
    print_members(g);
  });

  for (const bool adding : {true, false}) {
    auto m = std::make_shared<GroupOptions>();
    auto* cmd = group->add_subcommand(adding ? "add" : "remove", adding ? "add things to a group" : "remove things from a group");
    cmd->add_option("group", m->group)->required();
    cmd->add_option("things", m->things, "thing names")->required()->delimiter(',');
    add_server_options(*cmd, m->server);
    cmd->callback([m, adding] {
      RestClient client(m->server);
      nlohmann::json g;
      for (const auto& thing : m->things) {
        const std::string path = "/api/v1/groups/" + url_encode(m->group) + "/members/" + url_encode(thing);
        g = adding ? client.put(path) : client.del(path);
      }
      if (m->server.json) return print_json(g);
      print_members(g);
    });
  }

  auto l = std::make_shared<ServerOptions>();
  auto* list = group->add_subcommand("list", "list groups");
  add_server_options(*list, *l);
  list->callback([l] {
    RestClient client(*l);
    const auto groups = client.get_all("/api/v1/groups", "groups");
    if (l->json) return print_json(groups);
    std::vector<std::vector<std::string>> rows;
    for (const auto& g : groups) {
      rows.push_back({g["thingGroupName"], std::to_string(g["memberCount"].get<int>()), field_or_dash(g, "description")});
    }
    print_table({"GROUP", "MEMBERS", "DESCRIPTION"}, rows);
  });

  auto s = std::make_shared<GroupOptions>();
  auto* show = group->add_subcommand("show", "a group and its members");
  show->add_option("group", s->group)->required();
  add_server_options(*show, s->server);
  show->callback([s] {
    RestClient client(s->server);
    const auto g = client.get("/api/v1/groups/" + url_encode(s->group));
    if (s->server.json) return print_json(g);
    print_members(g);
  });

  auto d = std::make_shared<GroupOptions>();
  auto* del = group->add_subcommand("delete", "delete a group (its things stay)");
  del->add_option("group", d->group)->required();
  add_server_options(*del, d->server);
  del->callback([d] {
    RestClient client(d->server);
    const auto out = client.del("/api/v1/groups/" + url_encode(d->group));
    if (d->server.json) return print_json(out);
    std::cout << "group " << d->group << " deleted\n";
  });
});

}  // namespace
}  // namespace otter::cli
