#pragma once
// Counters otterd exports on /metrics (Prometheus). Monotonic, lock-free.
// Gauges that come from the database (executions by state) are queried from
// JobService instead.
#include <atomic>
#include <cstdint>

namespace otter::model {

struct Metrics {
  using Counter = std::atomic<std::uint64_t>;
  Counter mqtt_messages_received{0};
  Counter mqtt_messages_dropped{0};      // malformed topic, oversized, inbox full
  Counter mqtt_messages_published{0};    // everything otterd handed to the broker: answers, notifications, blocks
  Counter job_requests{0};               // $next/get, <job>/get
  Counter job_updates_accepted{0};
  Counter job_updates_rejected{0};
  Counter job_requests_rejected{0};      // malformed JSON, unknown job on get
  Counter notifications_sent{0};         // notify-next publishes
  Counter stream_requests{0};
  Counter stream_requests_rejected{0};
  Counter stream_blocks_served{0};
  Counter stream_bytes_served{0};
  Counter store_transactions{0};
};

}  // namespace otter::model
