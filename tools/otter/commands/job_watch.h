// `otter job watch`: defined in watch.cc, attached to `otter job` by job.cc.
#pragma once

#include <CLI/CLI.hpp>

namespace otter::cli {

// Exit code of `job watch` when --timeout passes first (as timeout(1)).
inline constexpr int kExitWatchTimeout = 124;

void add_job_watch_command(CLI::App& job);

}  // namespace otter::cli
