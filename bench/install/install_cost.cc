// Install cost: the modelled flash time and operation counts of one install
// (staged image -> app, with the backup of the running image when the mode
// has one), against the datasheet minimum for the same bytes: erase each
// target sector once, program each byte once, read each byte once, in the
// largest operations the part allows. Goal: ratio <= 1.05.
//
// Usage: otter_install_cost [image KiB, default 256]
#include <cstdio>
#include <cstdlib>
#include <string>

#include "boot_testing.h"

namespace {

using otter::boot::Mode;
using otter::sim::SimulatedMemory;
using otter::sim::TimeModel;

// The minimum for copying `bytes` from one memory to another: one read of
// every byte (one operation), each target erase unit erased once (one
// operation each), every byte programmed once in the largest operations the
// target allows.
struct Minimum {
  double us = 0;
  std::uint64_t reads = 0, programs = 0, erases = 0;
  Minimum& operator+=(const Minimum& o) {
    us += o.us;
    reads += o.reads;
    programs += o.programs;
    erases += o.erases;
    return *this;
  }
};

Minimum minimum_copy(const SimulatedMemory& from, const SimulatedMemory& to, std::uint32_t bytes) {
  const TimeModel& r = from.time_model();
  const TimeModel& w = to.time_model();
  const auto g = to.geometry();
  Minimum m;
  m.us = r.read_us(bytes);
  m.reads = 1;
  if (g.needs_erase && g.erase_size != 0) {
    m.erases = (bytes + g.erase_size - 1) / g.erase_size;
    m.us += w.erase_us(static_cast<std::uint32_t>(m.erases));
  }
  const std::uint32_t op = g.program_page != 0 ? g.program_page : bytes;
  for (std::uint32_t done = 0; done < bytes; done += op) {
    m.us += w.program_us(std::min(op, bytes - done));
    ++m.programs;
  }
  return m;
}

struct Row {
  const char* board;
  Mode mode;
};

const char* mode_name(Mode m) {
  switch (m) {
    case Mode::kBackup: return "backup";
    case Mode::kNoBackup: return "no-backup";
    case Mode::kSdStaging: return "sd-staging";
  }
  return "?";
}

}  // namespace

int main(int argc, char** argv) {
  const std::uint32_t kib = argc > 1 ? static_cast<std::uint32_t>(std::strtoul(argv[1], nullptr, 10)) : 256;
  if (kib < 1 || kib > 400) {
    std::fprintf(stderr, "image size must be 1..400 KiB (the smallest app area is 416 KiB)\n");
    return 2;
  }
  const std::uint32_t size = kib * 1024 - 123;  // not unit-aligned, like a real image
  std::printf("Install cost, image %u bytes; flash time from the parts' datasheet typicals (sim/flash/parts.cc)\n",
              size);
  std::printf("%-18s %-10s %13s %13s %11s %9s %12s %12s %7s\n", "board", "mode", "reads (min)", "progs (min)",
              "erases (min)", "KiB prog", "modelled ms", "minimum ms", "ratio");
  bool all_met = true;
  for (const Row row : {Row{"numaker-iot-m487", Mode::kBackup}, Row{"numaker-iot-m487", Mode::kNoBackup},
                        Row{"numaker-pfm-m487", Mode::kBackup}, Row{"numaker-m2354", Mode::kSdStaging},
                        Row{"numaker-m2354", Mode::kNoBackup}}) {
    otter::boot::testing::TestBoard board(*otter::boards::find_board(row.board), row.mode);
    const std::uint32_t id = board.layout().hardware_id;
    const auto old_image = otter::boot::testing::make_image({id, {1, 0, 0}, 0, size, 1});
    const auto new_image = otter::boot::testing::make_image({id, {1, 0, 1}, 0, size, 2});
    board.factory_install(old_image);
    if (!board.boot().ok()) return 1;
    board.stage(new_image);
    if (board.control().request_install(board.request_for(new_image)) != otter::Status::kOk) return 1;
    board.flash().reset_counters();
    auto status = board.boot();
    if (!status.ok() || status->state != otter::boot::State::kTrial) {
      std::fprintf(stderr, "%s: install failed\n", row.board);
      return 1;
    }
    const otter::sim::FlashCounters c = board.flash().counters();
    auto& internal = board.flash().internal();
    auto& external = board.flash().external();
    Minimum minimum = minimum_copy(external, internal, size);                        // staging -> app
    if (row.mode != Mode::kNoBackup) minimum += minimum_copy(internal, external, size);  // app -> backup
    const double ratio = c.time_us / minimum.us;
    all_met &= ratio <= 1.05;
    std::printf("%-18s %-10s %6llu (%4llu) %6llu (%4llu) %5llu (%3llu) %9.1f %12.1f %12.1f %7.3f\n", row.board,
                mode_name(row.mode), static_cast<unsigned long long>(c.reads),
                static_cast<unsigned long long>(minimum.reads), static_cast<unsigned long long>(c.programs),
                static_cast<unsigned long long>(minimum.programs), static_cast<unsigned long long>(c.erases),
                static_cast<unsigned long long>(minimum.erases), static_cast<double>(c.bytes_programmed) / 1024,
                c.time_us / 1000, minimum.us / 1000, ratio);
  }
  std::printf("goal ratio <= 1.05: %s\n", all_met ? "met on every board" : "NOT met on every board");
  return 0;
}
