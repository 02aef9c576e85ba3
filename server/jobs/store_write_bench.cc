// Prints how many device updates per second the SQLite store commits, one
// transaction per update versus group commit (what the MQTT gateway does).
// A benchmark, not a test: it prints figures and asserts nothing.
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <random>
#include <string>

#include <spdlog/spdlog.h>

#include "otter/jobs/service.h"
#include "otter/store/sqlite_store.h"

namespace {

using namespace otter;

double run(int things, int updates, int batch) {
  namespace fs = std::filesystem;
  fs::path dir = fs::temp_directory_path() / ("otter-bench-" + std::to_string(std::random_device{}()));
  fs::create_directories(dir);
  jobs::SystemClock clock;
  model::Metrics metrics;
  double rate = 0;
  {
    jobs::Core core(store::open_sqlite_store(dir / "otterd.db"), clock, metrics);
    model::JobSpec spec;
    spec.id = "bench";
    spec.document = {{"afr_ota", {{"streamname", "s"}}}};
    core.run([&](store::Store& s, jobs::JobsEngine& engine, jobs::Effects& effects) {
      for (int i = 0; i < things; ++i) {
        std::string name = "dev-" + std::to_string(i);
        s.insert_thing({name, {}, 0, 0});
        spec.targets.push_back({model::JobTarget::Kind::Thing, name});
      }
      engine.create_job(spec, effects);
    });
    auto start = std::chrono::steady_clock::now();
    int done = 0;
    while (done < updates) {
      core.run([&](store::Store&, jobs::JobsEngine& engine, jobs::Effects& effects) {
        for (int k = 0; k < batch && done < updates; ++k, ++done) {
          jobs::UpdateRequest r;
          r.status = "IN_PROGRESS";
          r.status_details = model::StatusDetails{{"receive", std::to_string(done / things) + "/74"}};
          engine.update_execution("dev-" + std::to_string(done % things), "bench", r, effects);
        }
      });
    }
    double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    rate = updates / seconds;
  }
  fs::remove_all(dir);
  return rate;
}

}  // namespace

int main() {
  spdlog::set_level(spdlog::level::warn);
  std::printf("store write rate (synchronous=FULL, WAL), 1000 things, progress updates:\n");
  std::printf("  1 update per transaction:    %8.0f updates/s\n", run(1000, 200, 1));
  std::printf("  64 updates per transaction:  %8.0f updates/s\n", run(1000, 5000, 64));
  std::printf("  512 updates per transaction: %8.0f updates/s\n", run(1000, 5000, 512));
  return 0;
}
