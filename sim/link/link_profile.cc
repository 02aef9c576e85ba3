#include "otter/link/link_profile.h"

#include <charconv>
#include <cmath>
#include <map>
#include <stdexcept>

#include <fmt/format.h>

namespace otter::link {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

// Splits "12.5ms" into 12.5 and "ms".
std::pair<double, std::string> number_and_unit(std::string_view text, std::string_view what) {
  text = trim(text);
  double value = 0;
  const auto* begin = text.data();
  const auto* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(begin, end, value);
  if (ec != std::errc{} || ptr == begin) {
    throw std::invalid_argument(fmt::format("{} '{}' does not start with a number", what, text));
  }
  if (!std::isfinite(value) || value < 0) {
    throw std::invalid_argument(fmt::format("{} '{}' must be a finite number >= 0", what, text));
  }
  return {value, lower(trim(std::string_view(ptr, static_cast<std::size_t>(end - ptr))))};
}

}  // namespace

Nanos parse_duration(std::string_view text) {
  auto [value, unit] = number_and_unit(text, "duration");
  static const std::map<std::string, double, std::less<>> kUnits = {
      {"ns", 1}, {"us", 1e3}, {"ms", 1e6}, {"s", 1e9}, {"min", 60e9}};
  auto it = kUnits.find(unit);
  if (it == kUnits.end()) {
    throw std::invalid_argument(fmt::format("duration '{}': unit must be one of ns, us, ms, s, min", text));
  }
  const double ns = value * it->second;
  if (ns > 1e18) throw std::invalid_argument(fmt::format("duration '{}' is too long", text));
  return Nanos(static_cast<std::int64_t>(std::llround(ns)));
}

std::uint64_t parse_bitrate(std::string_view text) {
  auto [value, unit] = number_and_unit(text, "bit rate");
  for (std::string_view suffix : {"/s", "ps"}) {
    if (unit.size() > suffix.size() && unit.ends_with(suffix)) unit.resize(unit.size() - suffix.size());
  }
  static const std::map<std::string, double, std::less<>> kUnits = {
      {"b", 1},        {"bit", 1},     {"k", 1e3},  {"kb", 1e3}, {"kbit", 1e3}, {"m", 1e6},
      {"mb", 1e6},     {"mbit", 1e6},  {"g", 1e9},  {"gb", 1e9}, {"gbit", 1e9}};
  auto it = kUnits.find(unit);
  if (it == kUnits.end()) {
    throw std::invalid_argument(
        fmt::format("bit rate '{}': unit must be one of bit, kbit, mbit, gbit (optionally /s)", text));
  }
  const double bps = value * it->second;
  if (bps > 1e12) throw std::invalid_argument(fmt::format("bit rate '{}' is too high", text));
  return static_cast<std::uint64_t>(std::llround(bps));
}

std::uint64_t parse_size(std::string_view text) {
  auto [value, unit] = number_and_unit(text, "size");
  static const std::map<std::string, double, std::less<>> kUnits = {
      {"", 1}, {"b", 1}, {"k", 1024}, {"kb", 1024}, {"kib", 1024}, {"m", 1048576}, {"mb", 1048576}, {"mib", 1048576}};
  auto it = kUnits.find(unit);
  if (it == kUnits.end()) {
    throw std::invalid_argument(fmt::format("size '{}': unit must be one of b, k, m", text));
  }
  const double bytes = value * it->second;
  if (bytes > 1e12) throw std::invalid_argument(fmt::format("size '{}' is too large", text));
  return static_cast<std::uint64_t>(std::llround(bytes));
}

namespace {

// Named links. "wifi" is the NuMaker-IoT-M487's ESP8266 over a home access
// point: the AT-command UART path limits it to a couple of Mbit/s.
LinkProfile preset(std::string_view name) {
  LinkProfile p;
  if (name == "wifi") {
    p.rtt = std::chrono::milliseconds(60);
    p.jitter = std::chrono::milliseconds(10);
    p.up_bps = p.down_bps = 2'000'000;
  } else if (name == "ethernet") {
    p.rtt = std::chrono::milliseconds(2);
    p.up_bps = p.down_bps = 100'000'000;
    p.burst_bytes = 64 * 1024;
  } else if (name == "lte") {
    p.rtt = std::chrono::milliseconds(80);
    p.jitter = std::chrono::milliseconds(20);
    p.up_bps = 5'000'000;
    p.down_bps = 20'000'000;
  } else if (name == "none" || name == "direct") {
  } else {
    throw std::invalid_argument(
        fmt::format("link spec item '{}' is neither key=value nor a preset (wifi, ethernet, lte, none)", name));
  }
  return p;
}

double parse_probability(std::string_view text) {
  auto [value, unit] = number_and_unit(text, "loss");
  if (unit == "%") value /= 100.0;
  else if (!unit.empty()) throw std::invalid_argument(fmt::format("loss '{}': a probability (0.001) or percent (0.1%)", text));
  if (value > 1.0) throw std::invalid_argument(fmt::format("loss '{}' is more than 100%", text));
  return value;
}

std::uint32_t parse_u32_size(std::string_view text, std::string_view key, std::uint64_t min) {
  const auto v = parse_size(text);
  if (v < min || v > 64 * 1024 * 1024) {
    throw std::invalid_argument(fmt::format("{} '{}' must be between {} bytes and 64 MiB", key, text, min));
  }
  return static_cast<std::uint32_t>(v);
}

}  // namespace

LinkProfile parse_link_profile(std::string_view spec) {
  LinkProfile p;
  bool first = true;
  std::size_t pos = 0;
  spec = trim(spec);
  if (spec.empty()) return p;
  while (pos <= spec.size()) {
    const auto comma = spec.find(',', pos);
    const auto item = trim(spec.substr(pos, comma == std::string_view::npos ? std::string_view::npos : comma - pos));
    pos = comma == std::string_view::npos ? spec.size() + 1 : comma + 1;
    if (item.empty()) throw std::invalid_argument(fmt::format("link spec '{}' has an empty item", spec));
    const auto eq = item.find('=');
    if (eq == std::string_view::npos) {
      if (!first) throw std::invalid_argument(fmt::format("preset '{}' must come first in the link spec", item));
      p = preset(lower(item));
      first = false;
      continue;
    }
    first = false;
    const auto key = lower(trim(item.substr(0, eq)));
    const auto value = trim(item.substr(eq + 1));
    if (key == "rtt") {
      p.rtt = parse_duration(value);
    } else if (key == "latency" || key == "delay") {
      p.rtt = 2 * parse_duration(value);
    } else if (key == "jitter") {
      p.jitter = parse_duration(value);
    } else if (key == "bw" || key == "bandwidth" || key == "rate") {
      p.up_bps = p.down_bps = parse_bitrate(value);
    } else if (key == "up") {
      p.up_bps = parse_bitrate(value);
    } else if (key == "down") {
      p.down_bps = parse_bitrate(value);
    } else if (key == "burst") {
      p.burst_bytes = parse_u32_size(value, key, 1);
    } else if (key == "mss" || key == "segment") {
      p.segment_bytes = parse_u32_size(value, key, 16);
    } else if (key == "loss") {
      p.loss = parse_probability(value);
    } else if (key == "outage") {
      const auto plus = value.find('+');
      if (plus == std::string_view::npos) {
        throw std::invalid_argument(fmt::format("outage '{}' must be AT+DURATION, e.g. 30s+5s", value));
      }
      p.outages.push_back({parse_duration(value.substr(0, plus)), parse_duration(value.substr(plus + 1))});
    } else if (key == "seed") {
      std::uint64_t seed = 0;
      auto [ptr, ec] = std::from_chars(value.data(), value.data() + value.size(), seed);
      if (ec != std::errc{} || ptr != value.data() + value.size()) {
        throw std::invalid_argument(fmt::format("seed '{}' must be an unsigned integer", value));
      }
      p.seed = seed;
    } else {
      throw std::invalid_argument(fmt::format(
          "unknown link spec key '{}' (known: rtt, latency, jitter, bw, up, down, burst, mss, loss, outage, seed)", key));
    }
  }
  return p;
}

std::string to_string(const LinkProfile& p) {
  std::string out = fmt::format("rtt={}ns,jitter={}ns,up={}bit,down={}bit,burst={},mss={},loss={},seed={}",
                                p.rtt.count(), p.jitter.count(), p.up_bps, p.down_bps, p.burst_bytes,
                                p.segment_bytes, p.loss, p.seed);
  for (const auto& o : p.outages) out += fmt::format(",outage={}ns+{}ns", o.at.count(), o.duration.count());
  return out;
}

}  // namespace otter::link
