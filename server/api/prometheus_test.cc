#include "otter/api/prometheus.h"

#include <gtest/gtest.h>

namespace otter::api {
namespace {

TEST(RenderPrometheus, WritesHelpTypeAndOneLinePerSample) {
  const std::string text = render_prometheus(
      {{"otter_job_executions", "Executions by state.", "gauge",
        {{{{"state", "QUEUED"}}, 3}, {{{"state", "SUCCEEDED"}}, 12}}}});
  EXPECT_EQ(text,
            "# HELP otter_job_executions Executions by state.\n"
            "# TYPE otter_job_executions gauge\n"
            "otter_job_executions{state=\"QUEUED\"} 3\n"
            "otter_job_executions{state=\"SUCCEEDED\"} 12\n");
}

TEST(RenderPrometheus, SampleWithoutLabelsHasNoBraces) {
  EXPECT_EQ(render_prometheus({{"x_total", "h", "counter", {{{}, 7}}}}), "# HELP x_total h\n# TYPE x_total counter\nx_total 7\n");
}

TEST(RenderPrometheus, EscapesLabelValues) {
  const std::string text = render_prometheus({{"m", "h", "gauge", {{{{"k", "a\"b\\c\nd"}}, 1}}}});
  EXPECT_NE(text.find("m{k=\"a\\\"b\\\\c\\nd\"} 1\n"), std::string::npos) << text;
}

TEST(RenderPrometheus, PrintsFractionsExactly) {
  EXPECT_NE(render_prometheus({{"m", "h", "gauge", {{{}, 0.5}}}}).find("m 0.5\n"), std::string::npos);
}

TEST(RenderPrometheus, RefusesInvalidNames) {
  EXPECT_THROW(render_prometheus({{"bad-name", "h", "gauge", {}}}), std::invalid_argument);
  EXPECT_THROW(render_prometheus({{"m", "h", "gauge", {{{{"0bad", "v"}}, 1}}}}), std::invalid_argument);
}

}  // namespace
}  // namespace otter::api
