// otter-link: the link emulator as a standalone proxy, for benchmarks and
// for running a real board or client over a modelled link.
//   otter-link --upstream 127.0.0.1:8883 --link "rtt=100ms,bw=1mbit"
// prints "listening 127.0.0.1:<port>" once ready, runs until SIGINT/SIGTERM,
// then prints its statistics (one JSON object with --json).
#include <csignal>
#include <cstdio>
#include <stdexcept>
#include <string>
#include <thread>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "otter/link/link_emulator.h"

namespace {

volatile std::sig_atomic_t g_stop = 0;
void on_signal(int) { g_stop = 1; }

std::pair<std::string, std::uint16_t> host_port(const std::string& text, const char* what) {
  const auto colon = text.rfind(':');
  if (colon == std::string::npos) throw std::invalid_argument(fmt::format("{} '{}' must be HOST:PORT", what, text));
  const auto port = std::stoul(text.substr(colon + 1));
  if (port > 65535) throw std::invalid_argument(fmt::format("{} '{}': port out of range", what, text));
  return {text.substr(0, colon), static_cast<std::uint16_t>(port)};
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"otter-link: a TCP proxy that emulates a network link (latency, bandwidth, jitter, loss, outages)"};
  std::string upstream;
  std::string listen = "127.0.0.1:0";
  std::string spec;
  bool json = false;
  double seconds = 0;
  app.add_option("--upstream", upstream, "where connections go, HOST:PORT (e.g. the broker)")->required();
  app.add_option("--listen", listen, "where boards connect, HOST:PORT (port 0 = pick one)")->capture_default_str();
  app.add_option("--link", spec, "link spec, e.g. \"rtt=100ms,bw=1mbit,jitter=5ms,loss=0.001,outage=30s+5s,seed=7\"");
  app.add_option("--duration", seconds, "stop after this many seconds (default: run until signalled)");
  app.add_flag("--json", json, "print the final statistics as JSON");
  CLI11_PARSE(app, argc, argv);

  try {
    otter::link::LinkEmulator::Options options;
    std::tie(options.listen_host, options.listen_port) = host_port(listen, "--listen");
    std::tie(options.upstream_host, options.upstream_port) = host_port(upstream, "--upstream");
    options.profile = otter::link::parse_link_profile(spec);
    otter::link::LinkEmulator emulator(options);
    std::signal(SIGINT, on_signal);
    std::signal(SIGTERM, on_signal);
    emulator.start();
    std::printf("listening %s:%u\n", options.listen_host.c_str(), emulator.port());
    std::fflush(stdout);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
    while (!g_stop && (seconds <= 0 || std::chrono::steady_clock::now() < deadline)) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    emulator.stop();
    const auto s = emulator.stats();
    const double busy_s = std::chrono::duration<double>(s.modelled_busy).count();
    if (json) {
      std::printf(
          "{\"connections\":%llu,\"refused\":%llu,\"cut\":%llu,\"connect_failures\":%llu,\"bytes_up\":%llu,"
          "\"bytes_down\":%llu,\"segments_up\":%llu,\"segments_down\":%llu,\"modelled_busy_s\":%.6f}\n",
          static_cast<unsigned long long>(s.connections_accepted), static_cast<unsigned long long>(s.connections_refused),
          static_cast<unsigned long long>(s.connections_cut), static_cast<unsigned long long>(s.connect_failures),
          static_cast<unsigned long long>(s.bytes_up), static_cast<unsigned long long>(s.bytes_down),
          static_cast<unsigned long long>(s.segments_up), static_cast<unsigned long long>(s.segments_down),
          busy_s);
    } else {
      std::printf("connections %llu (refused %llu, cut %llu, upstream failures %llu); up %llu B, down %llu B; "
                  "modelled link busy time %.3f s\n",
                  static_cast<unsigned long long>(s.connections_accepted),
                  static_cast<unsigned long long>(s.connections_refused),
                  static_cast<unsigned long long>(s.connections_cut),
                  static_cast<unsigned long long>(s.connect_failures), static_cast<unsigned long long>(s.bytes_up),
                  static_cast<unsigned long long>(s.bytes_down), busy_s);
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "otter-link: %s\n", e.what());
    return 2;
  }
  return 0;
}
