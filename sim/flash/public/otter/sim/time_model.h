// Per-operation time of a memory, from its datasheet (values and sources are
// cited where each part is defined: parts.cc). Times are typical values; the
// simulator adds them up so benchmarks can compare an algorithm's flash time
// with the minimum for the same bytes.
#pragma once

#include <cstdint>

namespace otter::sim {

struct TimeModel {
  double read_setup_us = 0;        // per read operation (command, address, access latency)
  double read_us_per_byte = 0;
  double program_setup_us = 0;     // per program operation (command, address)
  double program_us_per_byte = 0;  // data transfer into the device
  double program_us_per_page = 0;  // array programming per (started) program page or word
  std::uint32_t program_page = 1;  // the unit `program_us_per_page` applies to
  double erase_us_per_unit = 0;    // per erase unit (sector / page)

  double read_us(std::uint32_t bytes) const { return read_setup_us + read_us_per_byte * bytes; }
  double program_us(std::uint32_t bytes) const {
    const std::uint32_t pages = (bytes + program_page - 1) / program_page;
    return program_setup_us + program_us_per_byte * bytes + program_us_per_page * pages;
  }
  double erase_us(std::uint32_t units) const { return erase_us_per_unit * units; }
};

// What a memory has done: operation counts, bytes and modelled time.
struct FlashCounters {
  std::uint64_t reads = 0;
  std::uint64_t programs = 0;
  std::uint64_t erases = 0;  // erase operations
  std::uint64_t bytes_read = 0;
  std::uint64_t bytes_programmed = 0;
  std::uint64_t units_erased = 0;  // erase units (sectors/pages) erased
  std::uint64_t torn = 0;          // operations interrupted by a power cut
  std::uint64_t refused = 0;       // operations attempted without power
  std::uint64_t not_erased = 0;    // programs over non-erased bits (reported as kNotErased)
  std::uint64_t misaligned = 0;    // accesses refused for alignment/page limits
  double time_us = 0;

  FlashCounters& operator+=(const FlashCounters& o) {
    reads += o.reads;
    programs += o.programs;
    erases += o.erases;
    bytes_read += o.bytes_read;
    bytes_programmed += o.bytes_programmed;
    units_erased += o.units_erased;
    torn += o.torn;
    refused += o.refused;
    not_erased += o.not_erased;
    misaligned += o.misaligned;
    time_us += o.time_us;
    return *this;
  }
};

}  // namespace otter::sim
