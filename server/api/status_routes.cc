// /health (no token), /metrics (Prometheus) and read-only streams.
#include <httplib.h>

#include "otter/api/prometheus.h"
#include "otter/api/rest_api.h"
#include "otter/model/json.h"

namespace otter::api {
namespace {

MetricFamily counter(const std::string& name, const std::string& help, std::uint64_t value) {
  return {name, help, "counter", {{{}, static_cast<double>(value)}}};
}

}  // namespace

void add_status_routes(Router& router, ApiContext& ctx) {
  router.get("/health", [](Call& call) { call.json(200, {{"status", "ok"}, {"service", "otterd"}}); }, false);

  router.get("/metrics", [&ctx, &router](Call& call) {
    const model::Metrics& m = ctx.metrics;
    std::vector<MetricFamily> families;
    MetricFamily executions{"otter_job_executions", "Job executions by state (all jobs).", "gauge", {}};
    for (const auto& [status, n] : ctx.jobs.execution_counts()) {
      executions.samples.push_back({{{"state", std::string(model::to_string(status))}}, static_cast<double>(n)});
    }
    families.push_back(executions);
    families.push_back(counter("otter_stream_blocks_served_total", "Stream data blocks sent to devices.",
                               m.stream_blocks_served));
    families.push_back(counter("otter_stream_bytes_served_total", "Payload bytes of stream blocks sent to devices.",
                               m.stream_bytes_served));
    families.push_back(counter("otter_stream_requests_total", "GetStream requests received.", m.stream_requests));
    families.push_back(counter("otter_mqtt_messages_received_total", "MQTT messages received by otterd.",
                               m.mqtt_messages_received));
    families.push_back(counter("otter_mqtt_messages_published_total",
                               "MQTT messages otterd published (answers, notifications, stream blocks).",
                               m.mqtt_messages_published));
    families.push_back(counter("otter_job_requests_total", "Job requests ($next/get, get) from devices.",
                               m.job_requests));
    families.push_back(counter("otter_job_updates_accepted_total", "Execution updates accepted.",
                               m.job_updates_accepted));
    families.push_back(counter("otter_notifications_sent_total", "notify-next messages published.",
                               m.notifications_sent));
    MetricFamily errors{"otter_errors_total", "Requests refused or dropped, by kind.", "counter", {}};
    errors.samples.push_back({{{"kind", "mqtt_dropped"}}, static_cast<double>(m.mqtt_messages_dropped)});
    errors.samples.push_back({{{"kind", "job_request_rejected"}}, static_cast<double>(m.job_requests_rejected)});
    errors.samples.push_back({{{"kind", "job_update_rejected"}}, static_cast<double>(m.job_updates_rejected)});
    errors.samples.push_back({{{"kind", "stream_request_rejected"}}, static_cast<double>(m.stream_requests_rejected)});
    errors.samples.push_back({{{"kind", "api_client_error"}}, static_cast<double>(router.responses(4))});
    errors.samples.push_back({{{"kind", "api_server_error"}}, static_cast<double>(router.responses(5))});
    families.push_back(errors);
    MetricFamily api{"otter_api_responses_total", "REST API responses by status class.", "counter", {}};
    for (int c = 2; c <= 5; ++c) {
      api.samples.push_back({{{"class", std::to_string(c) + "xx"}}, static_cast<double>(router.responses(c))});
    }
    families.push_back(api);
    families.push_back(counter("otter_store_transactions_total", "Committed store transactions.",
                               m.store_transactions));
    families.push_back({"otter_firmware_images", "Firmware images in the store.", "gauge",
                        {{{}, static_cast<double>(ctx.firmware.count())}}});
    call.response.status = 200;
    call.response.set_content(render_prometheus(families), "text/plain; version=0.0.4; charset=utf-8");
  });

  router.get("/api/v1/streams", [&ctx](Call& call) {
    nlohmann::json all = nlohmann::json::array();
    for (const auto& s : ctx.jobs.streams()) all.push_back(model::to_json(s));
    call.json(200, paged("streams", all, page_of(call)));
  });

  router.get("/api/v1/streams/{streamId}", [&ctx](Call& call) {
    const auto stream = ctx.jobs.stream(call.param("streamId"));
    if (!stream) throw ApiError(404, "no stream '" + call.param("streamId") + "'");
    call.json(200, model::to_json(*stream));
  });
}

}  // namespace otter::api
