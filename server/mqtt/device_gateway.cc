#include "otter/mqtt/device_gateway.h"

#include <spdlog/spdlog.h>

#include "otter/mqtt/jobs_protocol.h"
#include "otter/mqtt/topics.h"
#include "otter/streams/get_stream.h"

namespace otter::mqtt {

using nlohmann::json;

namespace {

constexpr std::size_t kMaxRequestPayload = 64 * 1024;

std::string text(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

std::string_view as_text(const std::vector<std::uint8_t>& payload) {
  return {reinterpret_cast<const char*>(payload.data()), payload.size()};
}

}  // namespace

DeviceGateway::DeviceGateway(jobs::Core& core, Publisher& publisher, GatewayOptions options)
    : core_(core),
      publisher_(publisher),
      options_(options),
      metrics_(core.metrics()),
      sender_(
          [this](const std::string& topic, const std::vector<std::uint8_t>& payload) {
            auto mid = publisher_.publish(topic, payload, 1);
            if (mid) ++metrics_.mqtt_messages_published;
            return mid;
          },
          core.metrics(), options.sender) {
  thread_ = std::thread([this] { run(); });
}

DeviceGateway::~DeviceGateway() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

void DeviceGateway::enqueue(const std::string& topic, std::vector<std::uint8_t> payload) {
  ++metrics_.mqtt_messages_received;
  // No request is larger than 32 KiB; bigger ones are hostile and never queued.
  if (payload.size() > kMaxRequestPayload) {
    ++metrics_.mqtt_messages_dropped;
    spdlog::warn("mqtt: dropped a {} byte message on {} (requests are at most {} bytes)", payload.size(),
                 topic.substr(0, 200), kMaxRequestPayload);
    return;
  }
  {
    std::lock_guard lock(mutex_);
    if (inbox_.size() >= options_.inbox_limit) {
      ++metrics_.mqtt_messages_dropped;
      spdlog::warn("mqtt: inbox full ({} requests); dropped a request on {}", inbox_.size(), topic);
      return;
    }
    inbox_.push_back({topic, std::move(payload)});
  }
  wake_.notify_one();
}

void DeviceGateway::run() {
  auto next_tick = std::chrono::steady_clock::now();
  while (true) {
    std::vector<Incoming> batch;
    {
      std::unique_lock lock(mutex_);
      wake_.wait_until(lock, next_tick, [&] { return stopping_ || !inbox_.empty(); });
      // On stop, requests already taken from the broker are still answered.
      if (stopping_ && inbox_.empty()) return;
      while (!inbox_.empty() && batch.size() < options_.max_batch) {
        batch.push_back(std::move(inbox_.front()));
        inbox_.pop_front();
      }
    }
    if (!batch.empty()) process(batch);
    auto now = std::chrono::steady_clock::now();
    if (now >= next_tick) {
      try {
        core_.run([](store::Store&, jobs::JobsEngine& engine, jobs::Effects& effects) { engine.tick(effects); });
      } catch (const std::exception& e) {
        spdlog::error("jobs: tick failed: {}", e.what());
      }
      next_tick = now + options_.tick_interval;
    }
  }
}

void DeviceGateway::process(std::vector<Incoming>& batch) {
  std::vector<Outgoing> out;
  try {
    core_.run([&](store::Store& store, jobs::JobsEngine& engine, jobs::Effects& effects) {
      for (const auto& in : batch) handle(in, store, engine, effects, out);
    });
    send(out);
    return;
  } catch (const std::exception& e) {
    spdlog::error("mqtt: a batch of {} requests failed ({}); retrying them one by one", batch.size(), e.what());
  }
  // Isolate the request that fails so the others are still answered.
  for (const auto& in : batch) {
    std::vector<Outgoing> single;
    try {
      core_.run([&](store::Store& store, jobs::JobsEngine& engine, jobs::Effects& effects) {
        handle(in, store, engine, effects, single);
      });
      send(single);
    } catch (const std::exception& e) {
      ++metrics_.mqtt_messages_dropped;
      spdlog::error("mqtt: request on {} dropped: {}", in.topic, e.what());
    }
  }
}

void DeviceGateway::send(const std::vector<Outgoing>& out) {
  for (const auto& o : out) {
    std::span<const std::uint8_t> bytes(reinterpret_cast<const std::uint8_t*>(o.payload.data()), o.payload.size());
    if (publisher_.publish(o.topic, bytes, 1)) {
      ++metrics_.mqtt_messages_published;
    } else {
      spdlog::warn("mqtt: could not publish to {}", o.topic);
    }
  }
}

void DeviceGateway::notify(const std::vector<jobs::NextExecutionChange>& changes) {
  auto now = core_.clock().now();
  std::vector<Outgoing> out;
  for (const auto& c : changes) {
    out.push_back({notify_next_topic(c.thing_name), text(next_execution_message(c.next, c.document, "", now))});
    ++metrics_.notifications_sent;
    spdlog::info("thing {}: notify-next {}", c.thing_name, c.next ? "job " + c.next->job_id : "(no pending job)");
  }
  send(out);
}

void DeviceGateway::handle(const Incoming& in, store::Store& store, jobs::JobsEngine& engine, jobs::Effects& effects,
                           std::vector<Outgoing>& out) {
  auto topic = parse_device_topic(in.topic);
  if (!topic) {
    ++metrics_.mqtt_messages_dropped;
    spdlog::warn("mqtt: dropped a message on unexpected topic {}", in.topic.substr(0, 200));
    return;
  }
  const std::string& thing = topic->thing;
  auto now = core_.clock().now();
  switch (topic->kind) {
    case DeviceTopic::Kind::ListPendingJobs:
    case DeviceTopic::Kind::DescribeJob: {
      ++metrics_.job_requests;
      std::string base = topic->kind == DeviceTopic::Kind::ListPendingJobs ? jobs_topic(thing, "get")
                                                                           : jobs_topic(thing, topic->id + "/get");
      auto parsed = parse_describe_request(as_text(in.payload));
      if (auto* e = std::get_if<RequestError>(&parsed)) {
        ++metrics_.job_requests_rejected;
        spdlog::info("thing {}: {} rejected: {} {}", thing, in.topic, jobs::to_string(e->code), e->message);
        out.push_back({base + "/rejected", text(rejected(e->code, e->message, e->client_token, now))});
        return;
      }
      const auto& request = std::get<DescribeRequest>(parsed);
      if (topic->kind == DeviceTopic::Kind::ListPendingJobs) {
        out.push_back({base + "/accepted",
                       text(pending_jobs(store.pending_executions_of_thing(thing), request.client_token, now))});
        return;
      }
      if (topic->id == "$next") {
        auto next = engine.next_execution(thing);
        json document = nullptr;
        if (next)
          if (auto job = store.job(next->job_id)) document = job->spec.document;
        json message = next_execution_message(next, document, request.client_token, now);
        out.push_back({base + "/accepted", text(message)});
        // AWS's agent listens on notify-next only; give it the same answer there.
        if (next) {
          message.erase("clientToken");
          out.push_back({notify_next_topic(thing), text(message)});
        }
        spdlog::info("thing {}: $next/get -> {}", thing, next ? "job " + next->job_id : "no pending job");
        return;
      }
      auto execution = store.execution(topic->id, thing);
      auto job = execution ? store.job(topic->id) : std::nullopt;
      if (!execution || !job ||
          (request.execution_number && *request.execution_number != execution->execution_number)) {
        ++metrics_.job_requests_rejected;
        out.push_back({base + "/rejected", text(rejected(jobs::RejectCode::ResourceNotFound,
                                                         "no execution of job " + topic->id + " for " + thing,
                                                         request.client_token, now))});
        return;
      }
      out.push_back({base + "/accepted", text(describe_accepted(*execution, job->spec.document, request, now))});
      return;
    }
    case DeviceTopic::Kind::UpdateJob: {
      std::string base = jobs_topic(thing, topic->id + "/update");
      auto parsed = parse_update_request(as_text(in.payload));
      if (auto* e = std::get_if<RequestError>(&parsed)) {
        ++metrics_.job_updates_rejected;
        spdlog::info("thing {} job {}: update rejected: {} {}", thing, topic->id, jobs::to_string(e->code),
                     e->message);
        out.push_back({base + "/rejected", text(rejected(e->code, e->message, e->client_token, now))});
        return;
      }
      const auto& request = std::get<UpdateJobRequest>(parsed);
      auto outcome = engine.update_execution(thing, topic->id, request.update, effects);
      if (!outcome.accepted) {
        ++metrics_.job_updates_rejected;
        spdlog::info("thing {} job {}: update to {} rejected: {} {}", thing, topic->id, request.update.status,
                     jobs::to_string(outcome.code), outcome.message);
        out.push_back({base + "/rejected", text(rejected(outcome.code, outcome.message, request.client_token, now,
                                                         outcome.execution))});
        return;
      }
      ++metrics_.job_updates_accepted;
      out.push_back({base + "/accepted", text(update_accepted(outcome, request, now))});
      return;
    }
    case DeviceTopic::Kind::GetStream: {
      ++metrics_.stream_requests;
      auto reject = [&](streams::StreamError e) {
        ++metrics_.stream_requests_rejected;
        spdlog::info("thing {} stream {}: request rejected: {} {}", thing, topic->id, e.code, e.message);
        auto bytes = streams::encode_stream_error(topic->format, e);
        out.push_back({streams::rejected_topic(thing, topic->id, topic->format), std::string(bytes.begin(), bytes.end())});
      };
      auto parsed = streams::parse_get_stream(topic->format, in.payload);
      if (auto* e = std::get_if<streams::StreamError>(&parsed)) return reject(*e);
      auto& request = std::get<streams::GetStreamRequest>(parsed);
      auto stream = store.stream(topic->id);
      // Unknown and not-yours look the same, so the answer leaks nothing.
      if (!stream || !store.may_read_stream(thing, topic->id))
        return reject({"ResourceNotFoundException", "no stream " + topic->id + " for " + thing, request.client_token});
      const model::StreamFile* file = nullptr;
      for (const auto& f : stream->files)
        if (f.file_id == request.file_id) file = &f;
      if (!file)
        return reject({"ResourceNotFoundException",
                       "no file " + std::to_string(request.file_id) + " in stream " + topic->id, request.client_token});
      auto plan = streams::plan_blocks(request, file->size);
      if (auto* e = std::get_if<streams::StreamError>(&plan)) return reject(*e);
      std::string error;
      auto image = images_.open(file->source_path, file->size, error);
      if (!image) {
        spdlog::error("stream {}: {}", topic->id, error);
        return reject({"InternalServerException", "the image is not available", request.client_token});
      }
      auto& blocks = std::get<std::vector<std::uint32_t>>(plan);
      streams::BlockBatch batch;
      batch.thing = thing;
      batch.stream_id = topic->id;
      batch.file_id = file->file_id;
      batch.block_size = request.block_size;
      batch.format = topic->format;
      batch.file = std::move(image);
      batch.blocks.assign(blocks.begin(), blocks.end());
      std::size_t queued = sender_.submit(std::move(batch));
      spdlog::debug("thing {} stream {}: {} blocks of {} bytes from {} queued", thing, topic->id, queued,
                    request.block_size, blocks.front());
      return;
    }
  }
}

}  // namespace otter::mqtt
