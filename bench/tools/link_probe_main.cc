// otter-bench-link: the link emulator (sim/link) as a proxy whose counters a
// benchmark reads while traffic flows. otter-link only reports at exit; P1
// needs the bytes of the download phase alone (TLS records, MQTT headers and
// CBOR framing included, as they cross the emulated link), so every line read
// on stdin is answered with one JSON line of the current statistics.
//   otter-bench-link --upstream 127.0.0.1:8883 --link "rtt=100ms,bw=1mbit"
// prints {"port":N} once listening; "stats" on stdin -> {"bytes_up":..,...};
// end of stdin stops it.
#include <chrono>
#include <cstdio>
#include <iostream>
#include <stdexcept>
#include <string>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "otter/link/link_emulator.h"

namespace {

std::string stats_json(const otter::link::LinkStats& s) {
  return fmt::format(
      "{{\"connections\":{},\"cut\":{},\"bytes_up\":{},\"bytes_down\":{},\"segments_up\":{},\"segments_down\":{},"
      "\"modelled_busy_s\":{:.6f}}}",
      s.connections_accepted, s.connections_cut, s.bytes_up, s.bytes_down, s.segments_up, s.segments_down,
      std::chrono::duration<double>(s.modelled_busy).count());
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"otter-bench-link: link emulator proxy with statistics on demand (one line on stdin = one JSON line)"};
  std::string upstream;
  std::string spec;
  app.add_option("--upstream", upstream, "HOST:PORT connections go to (the broker)")->required();
  app.add_option("--link", spec, "link spec, e.g. \"rtt=100ms,bw=1mbit\"")->required();
  CLI11_PARSE(app, argc, argv);

  try {
    const auto colon = upstream.rfind(':');
    if (colon == std::string::npos) throw std::invalid_argument("--upstream must be HOST:PORT");
    const unsigned long port = std::stoul(upstream.substr(colon + 1));
    if (port == 0 || port > 65535) throw std::invalid_argument("--upstream port out of range");
    otter::link::LinkEmulator::Options options;
    options.upstream_host = upstream.substr(0, colon);
    options.upstream_port = static_cast<std::uint16_t>(port);
    options.profile = otter::link::parse_link_profile(spec);
    otter::link::LinkEmulator emulator(options);
    emulator.start();
    std::cout << fmt::format("{{\"port\":{}}}", emulator.port()) << std::endl;
    std::string line;
    while (std::getline(std::cin, line)) std::cout << stats_json(emulator.stats()) << std::endl;
    emulator.stop();
  } catch (const std::exception& e) {
    std::cerr << "otter-bench-link: " << e.what() << "\n";
    return 2;
  }
  return 0;
}
