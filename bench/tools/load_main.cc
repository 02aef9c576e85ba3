// otter-bench-load: P2's instruments.
//   otter-bench-load clients --port P --credentials ROOT --things a,b,c --stream S --file-size N
//                    [--block-size 2048 --blocks-per-request 8 --window 4 --rounds 1]
//     -> one JSON line: blocks, bytes, seconds, rates, re-requests
//   otter-bench-load responder --port P --ca F --cert F --key F --image FILE
//     -> "ready" once subscribed; serves until end of stdin, then one JSON line of counts
#include <cstdio>
#include <iostream>
#include <sstream>
#include <stdexcept>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "raw_responder.h"
#include "stream_load.h"

int main(int argc, char** argv) {
  CLI::App app{"otter-bench-load: GetStream load clients and the raw Mosquitto responder (benchmark P2)"};
  app.require_subcommand(1);
  otter::bench::LoadOptions load;
  std::string things;
  auto* clients = app.add_subcommand("clients", "download a stream with N things at once and print the rate");
  clients->add_option("--host", load.host)->capture_default_str();
  clients->add_option("--port", load.port, "broker TLS port")->required();
  clients->add_option("--credentials", load.credentials_root, "folder with <thing>/{ca,cert,key}.pem")->required();
  clients->add_option("--things", things, "comma-separated thing names")->required();
  clients->add_option("--stream", load.stream, "stream name")->required();
  clients->add_option("--file-id", load.file_id)->capture_default_str();
  clients->add_option("--file-size", load.file_size, "bytes")->required();
  clients->add_option("--block-size", load.block_size)->capture_default_str();
  clients->add_option("--blocks-per-request", load.blocks_per_request)->capture_default_str();
  clients->add_option("--window", load.window, "requests in flight per thing")->capture_default_str();
  clients->add_option("--rounds", load.rounds, "passes over the file per thing")->capture_default_str();
  clients->add_option("--stall-ms", load.stall_ms, "re-request after this long without a block")->capture_default_str();
  clients->add_option("--timeout", load.timeout_s, "seconds")->capture_default_str();

  otter::bench::ResponderOptions responder;
  auto* raw = app.add_subcommand("responder", "answer GetStream requests with pre-encoded blocks (raw baseline)");
  raw->add_option("--host", responder.host)->capture_default_str();
  raw->add_option("--port", responder.port)->required();
  raw->add_option("--ca", responder.ca_file)->required();
  raw->add_option("--cert", responder.cert_file)->required();
  raw->add_option("--key", responder.key_file)->required();
  raw->add_option("--client-id", responder.client_id)->capture_default_str();
  raw->add_option("--image", responder.image_path, "the file served")->required();
  raw->add_option("--file-id", responder.file_id)->capture_default_str();
  CLI11_PARSE(app, argc, argv);

  try {
    if (*raw) return otter::bench::run_raw_responder(responder);
    std::stringstream list(things);
    for (std::string t; std::getline(list, t, ',');)
      if (!t.empty()) load.things.push_back(t);
    if (load.things.empty()) throw std::invalid_argument("--things is empty");
    const auto r = otter::bench::run_stream_load(load);
    std::cout << fmt::format(
                     "{{\"clients\":{},\"completed\":{},\"blocks\":{},\"payload_bytes\":{},\"message_bytes\":{},"
                     "\"duplicates\":{},\"requests\":{},\"rerequests\":{},\"seconds\":{:.4f},\"blocks_per_s\":{:.1f},"
                     "\"payload_mbyte_per_s\":{:.3f}}}",
                     load.things.size(), r.completed, r.blocks, r.payload_bytes, r.message_bytes, r.duplicates,
                     r.requests, r.rerequests, r.seconds, r.seconds > 0 ? static_cast<double>(r.blocks) / r.seconds : 0,
                     r.seconds > 0 ? static_cast<double>(r.payload_bytes) / r.seconds / 1e6 : 0)
              << std::endl;
    return r.completed ? 0 : 3;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "otter-bench-load: %s\n", e.what());
    return 2;
  }
}
