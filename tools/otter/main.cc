// otter: the command-line tool for keys, signing, images, things and jobs.
#include <cstdio>

#include "command_registry.h"

namespace otter::cli {
std::vector<Registrar>& registrars() {
  static std::vector<Registrar> list;
  return list;
}
}  // namespace otter::cli

int main(int argc, char** argv) {
  CLI::App app{"otter: open over-the-air firmware updates (keys, signing, images, things, jobs)"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "otter 0.1.0");
  for (const auto& reg : otter::cli::registrars()) reg(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  } catch (const otter::cli::CommandError& e) {
    std::fprintf(stderr, "otter: %s\n", e.message.c_str());
    return e.exit_code;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "otter: %s\n", e.what());
    return otter::cli::kExitFailed;
  }
  return otter::cli::kExitOk;
}
