// docs/openapi.yaml documents every route the server registers, with its
// method, and documents no route the server does not have.
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>

#include "api_fixture.h"

namespace otter::api::testing {
namespace {

// path -> methods, from the `paths:` section (two-space path keys, four-space
// method keys), enough YAML for a file we write ourselves.
std::map<std::string, std::set<std::string>> documented_operations() {
  std::ifstream in(std::string(OTTER_SOURCE_DIR) + "/docs/openapi.yaml");
  EXPECT_TRUE(in) << "docs/openapi.yaml is missing";
  std::map<std::string, std::set<std::string>> ops;
  std::string line, current;
  bool in_paths = false;
  const std::regex path_key(R"(^  (/[^:]*):\s*$)");
  const std::regex method_key(R"(^    (get|post|put|patch|delete):\s*$)");
  std::smatch m;
  while (std::getline(in, line)) {
    if (line.rfind("paths:", 0) == 0) {
      in_paths = true;
      continue;
    }
    if (in_paths && !line.empty() && line[0] != ' ' && line[0] != '#') in_paths = false;
    if (!in_paths) continue;
    if (std::regex_match(line, m, path_key)) {
      current = m[1];
      ops[current];
    } else if (!current.empty() && std::regex_match(line, m, method_key)) {
      std::string method = m[1];
      for (auto& c : method) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      ops[current].insert(method);
    }
  }
  return ops;
}

TEST_F(ApiTest, EveryRegisteredRouteIsInTheOpenApiFile) {
  const auto ops = documented_operations();
  for (const auto& route : server.api().routes()) {
    const auto it = ops.find(route.path_template);
    ASSERT_NE(it, ops.end()) << route.path_template << " is not documented in docs/openapi.yaml";
    EXPECT_TRUE(it->second.count(route.method)) << route.method << " " << route.path_template << " is not documented";
  }
}

TEST_F(ApiTest, TheOpenApiFileDocumentsNoRouteTheServerLacks) {
  std::set<std::pair<std::string, std::string>> registered;
  for (const auto& route : server.api().routes()) registered.insert({route.path_template, route.method});
  for (const auto& [path, methods] : documented_operations()) {
    for (const auto& method : methods) {
      EXPECT_TRUE(registered.count({path, method})) << method << " " << path << " is documented but not served";
    }
  }
}

}  // namespace
}  // namespace otter::api::testing
