// Subcommands of the `otter` CLI register themselves here, one file per
// command group under commands/, so adding a command never edits main.cc.
#pragma once

#include <CLI/CLI.hpp>

#include <functional>
#include <vector>

namespace otter::cli {

// Exit codes that mean something to scripts.
enum ExitCode : int {
  kExitOk = 0,
  kExitFailed = 1,         // the operation ran and its answer is "no" (bad signature, job failed)
  kExitUsage = 2,          // bad arguments (CLI11 also uses this range)
  kExitInputError = 3,     // unreadable or malformed input file
  kExitServerError = 4,    // otterd unreachable or answered with an error
  kExitNotFound = 5,
};

// Thrown by a command to end with a specific exit code and message.
struct CommandError {
  int exit_code;
  std::string message;
};

using Registrar = std::function<void(CLI::App& app)>;
std::vector<Registrar>& registrars();

struct RegisterCommand {
  explicit RegisterCommand(Registrar r) { registrars().push_back(std::move(r)); }
};

}  // namespace otter::cli
