#include "otter/api/prometheus.h"

#include <cmath>
#include <cstdio>
#include <stdexcept>

namespace otter::api {
namespace {

bool is_valid_name(const std::string& name, bool allow_colon) {
  if (name.empty()) return false;
  for (std::size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || (allow_colon && c == ':') ||
                    (i > 0 && c >= '0' && c <= '9');
    if (!ok) return false;
  }
  return true;
}

std::string escape(const std::string& text, bool quote) {
  std::string out;
  for (char c : text) {
    if (c == '\\') out += "\\\\";
    else if (c == '\n') out += "\\n";
    else if (quote && c == '"') out += "\\\"";
    else out += c;
  }
  return out;
}

std::string format_value(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  char buf[64];
  if (v == std::floor(v) && std::fabs(v) < 1e15) {
    std::snprintf(buf, sizeof(buf), "%.0f", v);
  } else {
    std::snprintf(buf, sizeof(buf), "%.17g", v);
  }
  return buf;
}

}  // namespace

std::string render_prometheus(const std::vector<MetricFamily>& families) {
  std::string out;
  for (const auto& family : families) {
    if (!is_valid_name(family.name, true)) throw std::invalid_argument("invalid metric name '" + family.name + "'");
    out += "# HELP " + family.name + " " + escape(family.help, false) + "\n";
    out += "# TYPE " + family.name + " " + family.type + "\n";
    for (const auto& sample : family.samples) {
      out += family.name;
      if (!sample.labels.empty()) {
        out += "{";
        bool first = true;
        for (const auto& [key, value] : sample.labels) {
          if (!is_valid_name(key, false)) throw std::invalid_argument("invalid label name '" + key + "'");
          if (!first) out += ",";
          first = false;
          out += key + "=\"" + escape(value, true) + "\"";
        }
        out += "}";
      }
      out += " " + format_value(sample.value) + "\n";
    }
  }
  return out;
}

}  // namespace otter::api
