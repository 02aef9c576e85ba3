// Prometheus text exposition format (version 0.0.4) for /metrics.
#pragma once

#include <map>
#include <string>
#include <vector>

namespace otter::api {

struct MetricSample {
  std::map<std::string, std::string> labels;
  double value = 0;
};

struct MetricFamily {
  std::string name;  // [a-zA-Z_:][a-zA-Z0-9_:]*
  std::string help;
  std::string type;  // "counter" or "gauge"
  std::vector<MetricSample> samples;
};

// "# HELP", "# TYPE" and one line per sample; label values escaped (\\, \",
// \n); integral values printed without a fraction. Throws
// std::invalid_argument for an invalid metric or label name.
std::string render_prometheus(const std::vector<MetricFamily>& families);

}  // namespace otter::api
