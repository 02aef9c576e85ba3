// otter job watch JOB: live per-device progress until the job is done. In a
// terminal, a redrawn table of progress bars (from statusDetails "receive":
// "n/m"); otherwise one line per change, for logs and scripts. The exit code
// says how it ended (docs/cli.md).
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <ctime>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <sstream>
#include <thread>

#include "command_registry.h"
#include "job_watch.h"
#include "rest_client.h"

namespace otter::cli {
namespace {

struct WatchOptions {
  ServerOptions server;
  std::string job;
  double interval_seconds = 1.0;
  std::optional<double> timeout_seconds;
  bool plain = false;
  std::size_t max_rows = 40;
};

struct Progress {
  long done = 0;
  long total = 0;
};

// "25/74" -> {25, 74}; nothing for anything else.
std::optional<Progress> parse_receive(const std::string& text) {
  const auto slash = text.find('/');
  if (slash == std::string::npos || slash == 0 || slash + 1 >= text.size()) return std::nullopt;
  try {
    std::size_t used_a = 0, used_b = 0;
    const long a = std::stol(text.substr(0, slash), &used_a);
    const long b = std::stol(text.substr(slash + 1), &used_b);
    if (used_a != slash || used_b != text.size() - slash - 1 || a < 0 || b <= 0 || a > b) return std::nullopt;
    return Progress{a, b};
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

bool is_terminal(const std::string& status) {
  return status == "SUCCEEDED" || status == "FAILED" || status == "TIMED_OUT" || status == "REJECTED" ||
         status == "REMOVED" || status == "CANCELED";
}

std::string details_text(const nlohmann::json& details) {
  std::string out;
  for (const auto& [k, v] : details.items()) out += (out.empty() ? "" : " ") + k + "=" + v.get<std::string>();
  return out;
}

// What a device is doing, in a few words.
std::string phase_of(const nlohmann::json& e) {
  const auto& d = e["statusDetails"];
  const std::string status = e["status"];
  if (status == "IN_PROGRESS") {
    if (d.contains("self_test")) return "self-test " + d["self_test"].get<std::string>();
    if (d.contains("receive")) return "downloading";
    return "starting";
  }
  if (d.contains("reason")) return status + ": " + d["reason"].get<std::string>();
  return status;
}

std::string bar(const std::optional<Progress>& p, bool complete, int width) {
  double fraction = complete ? 1.0 : 0.0;
  if (!complete && p) fraction = static_cast<double>(p->done) / static_cast<double>(p->total);
  const int filled = static_cast<int>(fraction * width + 0.5);
  char pct[8];
  std::snprintf(pct, sizeof(pct), "%3d%%", static_cast<int>(fraction * 100 + 0.5));
  return "[" + std::string(static_cast<std::size_t>(filled), '#') +
         std::string(static_cast<std::size_t>(width - filled), '-') + "] " + pct;
}

std::string clock_now() {
  const std::time_t t = std::time(nullptr);
  std::tm tm{};
  localtime_r(&t, &tm);
  char buf[16];
  std::strftime(buf, sizeof(buf), "%H:%M:%S", &tm);
  return buf;
}

std::string summary_of(const nlohmann::json& job) {
  std::string out = job["jobId"].get<std::string>() + " " + job["status"].get<std::string>();
  for (const auto& [state, n] : job["executionCounts"].items()) {
    if (n.get<int>() > 0) out += "  " + state + " " + std::to_string(n.get<int>());
  }
  if (job["pendingRollout"].get<int>() > 0) out += "  AWAITING_ROLLOUT " + std::to_string(job["pendingRollout"].get<int>());
  return out;
}

class TerminalView {
 public:
  void draw(const nlohmann::json& job, const nlohmann::json& executions, std::size_t max_rows) {
    std::ostringstream frame;
    frame << summary_of(job) << "\n";
    std::size_t width = 6;
    for (const auto& e : executions) width = std::max(width, e["thingName"].get<std::string>().size());
    std::size_t shown = 0;
    for (const auto& e : executions) {
      if (shown == max_rows) break;
      const std::string name = e["thingName"];
      const auto& d = e["statusDetails"];
      // Details are merged across updates (as AWS does), so "receive" lingers
      // after the download: past it (self-test, success) the bar is full.
      const bool downloaded = e["status"] == "SUCCEEDED" || d.contains("self_test");
      const auto progress = !downloaded && d.contains("receive") ? parse_receive(d["receive"].get<std::string>())
                                                                 : std::nullopt;
      frame << name << std::string(width - name.size() + 2, ' ') << bar(progress, downloaded, 30)
            << "  " << (progress ? std::to_string(progress->done) + "/" + std::to_string(progress->total) + "  " : "")
            << phase_of(e) << "\n";
      ++shown;
    }
    if (executions.size() > shown) frame << "... and " << executions.size() - shown << " more devices\n";
    const std::string text = frame.str();
    // Move up over the previous frame and clear it before drawing the new one.
    if (lines_ > 0) std::cout << "\033[" << lines_ << "A\033[J";
    std::cout << text << std::flush;
    lines_ = static_cast<int>(std::count(text.begin(), text.end(), '\n'));
  }

 private:
  int lines_ = 0;
};

// Plain (and --json) output: only what changed since the last poll.
class ChangeLog {
 public:
  explicit ChangeLog(bool json) : json_(json) {}
  void report(const nlohmann::json& executions) {
    for (const auto& e : executions) {
      const std::string name = e["thingName"];
      const std::string key = e["status"].get<std::string>() + "|" + e["statusDetails"].dump();
      auto& last = last_[name];
      if (last == key) continue;
      last = key;
      if (json_) {
        std::cout << nlohmann::json{{"thingName", name}, {"status", e["status"]}, {"statusDetails", e["statusDetails"]}}.dump()
                  << "\n";
      } else {
        const std::string details = details_text(e["statusDetails"]);
        std::cout << clock_now() << " " << name << " " << e["status"].get<std::string>()
                  << (details.empty() ? "" : " " + details) << "\n";
      }
    }
    std::cout << std::flush;
  }

 private:
  bool json_;
  std::map<std::string, std::string> last_;
};

bool finished(const nlohmann::json& job, const nlohmann::json& executions) {
  if (job["status"] != "IN_PROGRESS") return true;
  // A continuous job never completes by itself: stop once every device it has
  // reached so far is done and none is waiting for the rollout.
  if (job["targetSelection"] == "CONTINUOUS" && !executions.empty() && job["pendingRollout"].get<int>() == 0) {
    for (const auto& e : executions) {
      if (!is_terminal(e["status"])) return false;
    }
    return true;
  }
  return false;
}

int outcome(const nlohmann::json& job, const nlohmann::json& executions) {
  if (job["status"] == "CANCELED" || executions.empty()) return kExitFailed;
  for (const auto& e : executions) {
    if (e["status"] != "SUCCEEDED") return kExitFailed;
  }
  return kExitOk;
}

int watch(const WatchOptions& o) {
  RestClient client(o.server);
  const std::string path = "/api/v1/jobs/" + url_encode(o.job);
  const bool tty = !o.plain && !o.server.json && ::isatty(STDOUT_FILENO) == 1;
  TerminalView view;
  ChangeLog log(o.server.json);
  const auto start = std::chrono::steady_clock::now();
  for (;;) {
    const auto job = client.get(path);
    const auto executions = client.get_all(path + "/executions", "executions");
    if (tty) view.draw(job, executions, o.max_rows);
    else log.report(executions);
    if (finished(job, executions)) {
      const int code = outcome(job, executions);
      if (o.server.json) {
        std::cout << nlohmann::json{{"jobId", job["jobId"]}, {"status", job["status"]},
                                    {"executionCounts", job["executionCounts"]}, {"success", code == kExitOk}}
                         .dump()
                  << "\n";
      } else if (!tty) {
        std::cout << clock_now() << " " << summary_of(job) << "\n";
      }
      return code;
    }
    const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (o.timeout_seconds && elapsed >= *o.timeout_seconds) {
      std::cerr << "otter: job " << o.job << " still running after " << *o.timeout_seconds << " s\n";
      return kExitWatchTimeout;
    }
    std::this_thread::sleep_for(std::chrono::duration<double>(o.interval_seconds));
  }
}

}  // namespace

void add_job_watch_command(CLI::App& job) {
  auto o = std::make_shared<WatchOptions>();
  auto* cmd = job.add_subcommand("watch", "follow a job's devices live until it completes (exit 0 only if all succeeded)");
  cmd->add_option("job", o->job)->required();
  cmd->add_option("--interval", o->interval_seconds, "seconds between polls")->check(CLI::Range(0.05, 60.0))->capture_default_str();
  cmd->add_option("--timeout", o->timeout_seconds, "give up after S seconds (exit 124)")->check(CLI::PositiveNumber);
  cmd->add_flag("--plain", o->plain, "one line per change even in a terminal");
  cmd->add_option("--rows", o->max_rows, "devices shown in the terminal view")->capture_default_str();
  add_server_options(*cmd, o->server);
  cmd->callback([o] {
    const int code = watch(*o);
    if (code != kExitOk) throw CommandError{code, code == kExitWatchTimeout ? "watch timed out" : "job " + o->job + " did not succeed on every device"};
  });
}

}  // namespace otter::cli
