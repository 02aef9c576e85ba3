// otter-sim: virtual NuMaker boards (one or a fleet) running Otter's real
// bootloader and agent against a broker, optionally over emulated links.
//
//   otter-sim --board numaker-iot-m487 --credentials DIR --link wifi
//   otter-sim --fleet 1000 --prefix dev- --credentials ROOT --until idle
//   otter-sim firmware --board numaker-iot-m487 --version 1.0.1 -o fw.bin
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <stdexcept>
#include <string>

#include <sys/resource.h>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "otter/boards/board_profile.h"
#include "otter/fleet/fleet.h"
#include "otter/image/board.h"
#include "otter/simboard/device_files.h"
#include "otter/simboard/firmware.h"

namespace {

namespace fs = std::filesystem;
using namespace otter;

volatile std::sig_atomic_t g_signalled = 0;
void on_signal(int) { g_signalled = 1; }

constexpr int kExitOk = 0;
constexpr int kExitTimeout = 3;
constexpr int kExitHalted = 4;
constexpr int kExitUsage = 2;

struct HostPort {
  std::string host;
  std::uint16_t port = 0;
};

HostPort parse_host_port(const std::string& text) {
  const auto colon = text.rfind(':');
  if (colon == std::string::npos) throw std::invalid_argument(fmt::format("--broker '{}' must be HOST:PORT", text));
  const auto port = std::stoul(text.substr(colon + 1));
  if (port == 0 || port > 65535) throw std::invalid_argument(fmt::format("--broker '{}': bad port", text));
  return {text.substr(0, colon), static_cast<std::uint16_t>(port)};
}

Version parse_version_arg(const std::string& text) {
  auto v = otter::parse_version(std::span<const char>(text.data(), text.size()));
  if (!v.ok()) throw std::invalid_argument(fmt::format("'{}' is not a version like 1.0.1", text));
  return *v;
}

std::vector<std::uint8_t> read_binary(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error(fmt::format("cannot read {}", path));
  return std::vector<std::uint8_t>(std::istreambuf_iterator<char>(in), {});
}

const boards::BoardProfile& board_profile(const std::string& name) {
  const auto* p = boards::find_board(name);
  if (!p) {
    std::string known;
    for (const auto& b : boards::all_boards()) known += std::string(known.empty() ? "" : ", ") + std::string(b.name);
    throw std::invalid_argument(fmt::format("unknown board '{}' (known: {})", name, known));
  }
  return *p;
}

std::uint32_t parse_size_arg(const std::string& text) {
  std::size_t end = 0;
  const auto n = std::stoul(text, &end);
  std::string unit = text.substr(end);
  std::uint64_t mult = 1;
  if (unit == "k" || unit == "K" || unit == "KiB") mult = 1024;
  else if (unit == "m" || unit == "M" || unit == "MiB") mult = 1024 * 1024;
  else if (!unit.empty()) throw std::invalid_argument(fmt::format("size '{}': use bytes, k or m", text));
  const auto v = n * mult;
  if (v > 16u * 1024 * 1024) throw std::invalid_argument(fmt::format("size '{}' is too large", text));
  return static_cast<std::uint32_t>(v);
}

int run_firmware(const std::string& board, const std::string& version, const std::string& behaviour,
                 const std::string& size, std::uint32_t min_version_arg, const std::string& out, bool raw) {
  simboard::FirmwareSpec spec;
  spec.hardware_id = board_profile(board).hardware_id;
  spec.version = parse_version_arg(version);
  auto b = simboard::parse_behaviour(behaviour);
  if (!b) throw std::invalid_argument(fmt::format("--behaviour '{}': ok, fail-self-test, hang or crash", behaviour));
  spec.behaviour = *b;
  spec.size = parse_size_arg(size);
  spec.min_version = min_version_arg;
  spec.stamped = !raw;
  const auto bytes = simboard::build_firmware(spec);
  std::ofstream o(out, std::ios::binary | std::ios::trunc);
  if (!o) throw std::runtime_error(fmt::format("cannot write {}", out));
  o.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  if (raw) {
    std::printf("built %s: simulated firmware for %s, %u bytes, descriptor slot blank (stamp it with `otter stamp`)\n",
                out.c_str(), board.c_str(), spec.size);
  } else {
    std::printf("built %s: simulated firmware v%s for %s (hardware id 0x%08x), %u bytes, behaviour: %s\n", out.c_str(),
                version.c_str(), board.c_str(), spec.hardware_id, spec.size,
                std::string(simboard::to_string(spec.behaviour)).c_str());
  }
  return kExitOk;
}

struct RunArgs {
  std::string board = "numaker-iot-m487";
  std::string name;
  std::string credentials;
  std::string broker;
  std::string link;
  std::string mode;
  std::string factory;
  std::string factory_version = "1.0.0";
  std::string image_size = "64k";
  int fleet = 0;
  std::string prefix = "dev-";
  std::string until;  // "", "idle", "version=X"
  double idle_seconds = 3;
  double timeout = 0;
  double spread = 0;
  std::string report;
  std::string console = "auto";
  std::string work_dir;
  std::uint32_t block_size = 0;
  std::uint32_t blocks_per_request = 0;
  std::uint32_t window = 0;
  bool aws_baseline = false;
  bool plain = false;
  bool debug = false;
  std::uint32_t self_test_timeout_ms = 0;
  std::int64_t cut_download_blocks = -1;
  std::int64_t cut_install_op = -1;
  std::uint32_t power_off_ms = 1000;
  std::uint64_t seed = 1;
};

boot::Mode parse_mode(const std::string& text, const boards::BoardProfile& profile) {
  if (text.empty()) return profile.default_mode;
  if (text == "backup") return boot::Mode::kBackup;
  if (text == "no-backup") return boot::Mode::kNoBackup;
  if (text == "sd" || text == "sd-staging") return boot::Mode::kSdStaging;
  throw std::invalid_argument(fmt::format("--mode '{}': backup, no-backup or sd-staging", text));
}

// Each board holds its MQTT socket plus TLS and loop descriptors (3 measured
// here; more through the link emulator, which proxies every connection). Ask
// for the hard limit, and refuse a fleet that cannot fit: past the limit,
// boards would fail their connects one by one instead.
void ensure_descriptors(std::size_t boards, bool link) {
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) != 0) return;
  if (limit.rlim_cur < limit.rlim_max) {
    limit.rlim_cur = limit.rlim_max;
    if (::setrlimit(RLIMIT_NOFILE, &limit) != 0 || ::getrlimit(RLIMIT_NOFILE, &limit) != 0) return;
  }
  const rlim_t need = static_cast<rlim_t>(boards) * (link ? 6 : 3) + 64;
  if (limit.rlim_cur != RLIM_INFINITY && need > limit.rlim_cur) {
    throw std::invalid_argument(fmt::format(
        "{} boards need about {} file descriptors but this process may open {} (hard limit): raise it "
        "(ulimit -Hn, as root) or run the fleet in several otter-sim processes of at most {} boards",
        boards, need, static_cast<unsigned long long>(limit.rlim_cur),
        static_cast<unsigned long long>((limit.rlim_cur - 64) / (link ? 6 : 3))));
  }
}

std::string fleet_name(const RunArgs& a, int i) {
  const int width = static_cast<int>(std::to_string(a.fleet).size());
  return fmt::format("{}{:0{}}", a.prefix, i, width);
}

int run_boards(const RunArgs& a) {
  const auto& profile = board_profile(a.board);
  const auto mode = parse_mode(a.mode, profile);
  const bool fleet = a.fleet > 0;
  if (a.credentials.empty()) throw std::invalid_argument("--credentials is required (the folder `otter thing create` wrote)");

  // Where each board's credentials are.
  std::vector<std::pair<std::string, fs::path>> things;
  if (fleet) {
    for (int i = 1; i <= a.fleet; ++i) {
      const auto n = fleet_name(a, i);
      things.emplace_back(n, fs::path(a.credentials) / n);
    }
  } else {
    things.emplace_back(a.name, fs::path(a.credentials));
  }

  fs::path work = a.work_dir.empty() ? fs::temp_directory_path() / fmt::format("otter-sim-{}", ::getpid()) : fs::path(a.work_dir);
  const bool remove_work = a.work_dir.empty();
  fs::create_directories(work);

  ensure_descriptors(things.size(), !a.link.empty());

  fleet::FleetOptions fo;
  std::optional<HostPort> broker;
  if (!a.broker.empty()) broker = parse_host_port(a.broker);
  if (!a.link.empty()) fo.link = link::parse_link_profile(a.link);
  if (fo.link) fo.link->seed = fo.link->seed ^ a.seed;
  fo.power_on_spread = std::chrono::milliseconds(static_cast<long>(a.spread * 1000));

  std::vector<fleet::BoardSpec> specs;
  std::vector<std::uint8_t> factory_image;
  if (!a.factory.empty()) factory_image = read_binary(a.factory);

  const bool console_all = a.console == "all" || (a.console == "auto" && !fleet);
  for (std::size_t i = 0; i < things.size(); ++i) {
    const auto& [given_name, dir] = things[i];
    const auto files = simboard::load_device_files(dir);
    const std::string name = given_name.empty() ? files.thing_name : given_name;
    if (name != files.thing_name) {
      throw std::invalid_argument(fmt::format("{}: credentials are for '{}', not '{}'", dir.string(), files.thing_name, name));
    }
    if (!files.board.empty() && files.board != a.board) {
      throw std::invalid_argument(fmt::format("{}: thing '{}' was created for board '{}', not '{}' (use --board {})",
                                              dir.string(), name, files.board, a.board, files.board));
    }
    if (!broker) {
      if (files.endpoint.empty()) throw std::invalid_argument(fmt::format("{}: no otter_config.h; give --broker", dir.string()));
      broker = HostPort{files.endpoint, files.port};
    }
    const auto tls_dir = work / name;
    simboard::write_tls_files(files, tls_dir);
    auto key = image::parse_public_key(std::span(reinterpret_cast<const std::uint8_t*>(files.code_verify_certificate_pem.data()),
                                                 files.code_verify_certificate_pem.size()));
    if (!key.ok()) {
      throw std::invalid_argument(fmt::format("{}: code-verify certificate unusable ({})", dir.string(), to_string(key.status())));
    }
    fleet::BoardSpec spec;
    auto& o = spec.options;
    o.profile = &profile;
    o.name = name;
    o.mode = mode;
    if (!a.plain) {
      o.mqtt.ca_file = (tls_dir / "ca.pem").string();
      o.mqtt.cert_file = (tls_dir / "cert.pem").string();
      o.mqtt.key_file = (tls_dir / "key.pem").string();
    }
    o.code_verify_key = *key;
    o.agent = a.aws_baseline ? agent::AgentConfig::aws_baseline(name) : agent::AgentConfig{};
    if (a.block_size) o.agent.block_size = a.block_size;
    if (a.blocks_per_request) o.agent.blocks_per_request = a.blocks_per_request;
    if (a.window) o.agent.requests_in_flight = a.window;
    if (a.self_test_timeout_ms) o.agent.self_test_timeout_ms = a.self_test_timeout_ms;
    o.console = (console_all || (a.console == "first" && i == 0)) ? stdout : nullptr;
    o.seed = a.seed + i;
    o.console_debug = a.debug;
    if (a.cut_download_blocks >= 0) o.power_cut.during_download_after_blocks = static_cast<std::uint32_t>(a.cut_download_blocks);
    if (a.cut_install_op >= 0) o.power_cut.during_install_at_operation = static_cast<std::uint64_t>(a.cut_install_op);
    o.power_cut.off_for = std::chrono::milliseconds(a.power_off_ms);
    if (factory_image.empty()) {
      simboard::FirmwareSpec fw;
      fw.hardware_id = profile.hardware_id;
      fw.version = parse_version_arg(a.factory_version);
      fw.size = parse_size_arg(a.image_size);
      spec.factory = simboard::build_firmware(fw);
    } else {
      spec.factory = factory_image;
    }
    specs.push_back(std::move(spec));
  }
  fo.broker_host = broker->host;
  fo.broker_port = broker->port;

  fleet::Fleet fl(fo);
  for (auto& s : specs) fl.add(std::move(s));
  specs.clear();
  if (fl.link()) {
    std::printf("otter-sim: %zu board(s) over an emulated link (%s) to %s:%u\n", fl.boards().size(), a.link.c_str(),
                fo.broker_host.c_str(), fo.broker_port);
  } else {
    std::printf("otter-sim: %zu board(s) connecting to %s:%u\n", fl.boards().size(), fo.broker_host.c_str(), fo.broker_port);
  }
  std::fflush(stdout);

  std::signal(SIGINT, on_signal);
  std::signal(SIGTERM, on_signal);
  fl.start();

  std::optional<Version> until_version;
  if (a.until.rfind("version=", 0) == 0) until_version = parse_version_arg(a.until.substr(8));
  else if (!a.until.empty() && a.until != "idle") throw std::invalid_argument("--until: idle or version=X.Y.Z");

  const auto start = std::chrono::steady_clock::now();
  std::optional<std::chrono::steady_clock::time_point> idle_since;
  bool condition_met = false;
  bool halted = false;
  auto last_progress = start;
  auto done = [&] {
    if (g_signalled) return true;
    if (!a.until.empty()) {
      // A halted board never reaches the condition: say so now, not at the timeout.
      for (auto& b : fl.boards()) {
        if (b->state() == simboard::BoardState::kHalted) {
          halted = true;
          return true;
        }
      }
    }
    const auto now = std::chrono::steady_clock::now();
    if (fleet && a.console != "all" && now - last_progress > std::chrono::seconds(2)) {
      last_progress = now;
      std::map<std::string, int> states;
      for (auto& b : fl.boards()) {
        ++states[b->state() != simboard::BoardState::kRunning ? (b->state() == simboard::BoardState::kOff ? "off" : "halted")
                                                              : (b->idle() ? "idle" : "busy")];
      }
      std::string line;
      for (auto& [k, v] : states) line += fmt::format(" {} {}", v, k);
      std::printf("otter-sim: %.0f s:%s\n", std::chrono::duration<double>(now - start).count(), line.c_str());
      std::fflush(stdout);
    }
    if (a.until.empty()) return false;
    bool all = fl.all_idle();
    if (all && until_version) {
      for (auto& b : fl.boards()) {
        if (!b->idle() || b->report().installed != *until_version) {
          all = false;
          break;
        }
      }
    }
    if (!all) {
      idle_since.reset();
      return false;
    }
    if (!idle_since) idle_since = now;
    if (now - *idle_since >= std::chrono::duration<double>(a.idle_seconds)) {
      condition_met = true;
      return true;
    }
    return false;
  };
  const auto deadline = a.timeout > 0 ? start + std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                                                     std::chrono::duration<double>(a.timeout))
                                      : std::chrono::steady_clock::time_point::max();
  fl.run_until(deadline, done);
  // idle() only looks at the agent, so checking version=X every turn is
  // cheap until every board is idle.

  std::vector<simboard::BoardReport> reports;
  for (auto& b : fl.boards()) reports.push_back(b->report());
  const auto link_stats = fl.link() ? std::optional<link::LinkStats>(fl.link()->stats()) : std::nullopt;
  const auto json = fleet::report_json(reports, link_stats ? &*link_stats : nullptr);
  if (a.report == "-") {
    std::printf("%s\n", json.c_str());
  } else if (!a.report.empty()) {
    std::ofstream o(a.report, std::ios::trunc);
    o << json << "\n";
  }
  std::map<std::string, int> versions;
  for (const auto& r : reports) ++versions[fmt::format("v{}.{}.{}", r.installed.major, r.installed.minor, r.installed.build)];
  std::string summary;
  for (auto& [v, n] : versions) summary += fmt::format(" {}x {}", n, v);
  std::printf("otter-sim: %s after %.1f s; installed:%s\n",
              condition_met ? "done" : g_signalled ? "stopped" : halted ? "a board halted" : "timed out",
              std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(), summary.c_str());
  fl.boards().clear();
  if (remove_work) {
    std::error_code ec;
    fs::remove_all(work, ec);
  }
  if (halted) return kExitHalted;
  if (!a.until.empty() && !condition_met && !g_signalled) return kExitTimeout;
  return kExitOk;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"otter-sim: virtual NuMaker boards running Otter's bootloader and OTA agent"};
  app.require_subcommand(0, 1);
  RunArgs a;
  app.add_option("--board", a.board, "board profile: numaker-iot-m487, numaker-pfm-m487, numaker-m2354")->capture_default_str();
  app.add_option("--name", a.name, "thing name (default: the one in the credentials)");
  app.add_option("--credentials", a.credentials,
                 "folder with otter_credentials.c and otter_config.h (fleet: one sub-folder per thing)");
  app.add_option("--broker", a.broker, "HOST:PORT of the broker (default: from otter_config.h)");
  app.add_option("--link", a.link, "emulated link, e.g. wifi or \"rtt=100ms,bw=1mbit\" (default: direct)");
  app.add_option("--mode", a.mode, "bootloader mode: backup, no-backup, sd-staging (default: the board's)");
  app.add_option("--factory", a.factory, "image flashed at the factory (default: a built v1.0.0)");
  app.add_option("--factory-version", a.factory_version, "version of the built factory image")->capture_default_str();
  app.add_option("--image-size", a.image_size, "size of the built factory image")->capture_default_str();
  app.add_option("--fleet", a.fleet, "run N boards named <prefix><i> (i = 1..N, zero-padded)");
  app.add_option("--prefix", a.prefix, "fleet thing-name prefix")->capture_default_str();
  app.add_option("--until", a.until, "exit when every board is idle (\"idle\") or idle on a version (\"version=1.0.1\")");
  app.add_option("--idle-seconds", a.idle_seconds, "how long boards must stay idle for --until")->capture_default_str();
  app.add_option("--timeout", a.timeout, "give up after this many seconds (exit code 3; 4 when a board halted)");
  app.add_option("--spread", a.spread, "power boards on evenly over this many seconds")->capture_default_str();
  app.add_option("--report", a.report, "write the final per-board report (JSON) here; - for stdout");
  app.add_option("--console", a.console, "board consoles shown: auto, all, first, none")->capture_default_str();
  app.add_option("--work-dir", a.work_dir, "where TLS files are written (default: a temporary folder)");
  app.add_option("--block-size", a.block_size, "agent block size in bytes");
  app.add_option("--blocks-per-request", a.blocks_per_request, "agent blocks per GetStream request");
  app.add_option("--window", a.window, "agent requests in flight");
  app.add_flag("--aws-baseline", a.aws_baseline, "AWS OTA library defaults (4 KiB, 1 block per request, 1 in flight)");
  app.add_flag("--debug", a.debug, "show the agent's debug lines on the console (every block)");
  app.add_flag("--plain", a.plain, "connect without TLS (a development listener started with --plain-port)");
  app.add_option("--self-test-timeout-ms", a.self_test_timeout_ms, "agent self-test timeout");
  app.add_option("--cut-during-download", a.cut_download_blocks, "cut power at the block write after N blocks");
  app.add_option("--cut-during-install", a.cut_install_op, "cut power at flash operation N of the install");
  app.add_option("--power-off-ms", a.power_off_ms, "how long power stays off after a cut")->capture_default_str();
  app.add_option("--seed", a.seed, "seed for link jitter/loss and torn flash contents")->capture_default_str();

  auto* fw = app.add_subcommand("firmware", "build a simulated firmware image (descriptor stamped, unsigned)");
  std::string fw_board = "numaker-iot-m487", fw_version = "1.0.0", fw_behaviour = "ok", fw_size = "64k", fw_out, fw_min;
  fw->add_option("--board", fw_board, "board profile")->capture_default_str();
  fw->add_option("--version", fw_version, "version, e.g. 1.0.1 (ignored with --raw)")->capture_default_str();
  fw->add_option("--behaviour", fw_behaviour, "ok, fail-self-test, hang, crash")->capture_default_str();
  fw->add_option("--size", fw_size, "image size (bytes, k, m)")->capture_default_str();
  fw->add_option("--min-version", fw_min, "anti-rollback floor this image sets, e.g. 1.0.1");
  fw->add_option("-o,--output", fw_out, "output file")->required();
  bool fw_raw = false;
  fw->add_flag("--raw", fw_raw, "leave the descriptor slot blank (version and behaviour come from `otter stamp`)");

  auto* bid = app.add_subcommand("build-id", "print the build id (hex) that marks a build with a simulated behaviour");
  std::string bid_behaviour;
  bid->add_option("behaviour", bid_behaviour, "ok, fail-self-test, hang, crash")->required();

  CLI11_PARSE(app, argc, argv);
  try {
    if (*fw) {
      const std::uint32_t min = fw_min.empty() ? 0 : parse_version_arg(fw_min).encoded();
      return run_firmware(fw_board, fw_version, fw_behaviour, fw_size, min, fw_out, fw_raw);
    }
    if (*bid) {
      auto b = simboard::parse_behaviour(bid_behaviour);
      if (!b) throw std::invalid_argument("behaviour: ok, fail-self-test, hang or crash");
      const auto id = simboard::behaviour_build_id(*b);
      for (auto byte : std::span(id).first(5)) std::printf("%02x", byte);
      std::printf("\n");
      return kExitOk;
    }
    return run_boards(a);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "otter-sim: %s\n", e.what());
    return kExitUsage;
  }
}
