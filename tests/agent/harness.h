// Test harness for the OTA agent: an in-process service that speaks the AWS
// IoT Jobs + MQTT stream protocol (written with libcbor and nlohmann-json, not
// the agent's codec), a broker-like subscription filter, a fake clock, an
// application that records what the agent asked of it, a flash wrapper that
// audits every write and cuts power, and a model of the bootloader's state
// whose image checks are the real otter::image ones.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "otter/agent/agent.h"
#include "otter/image/image.h"
#include "ram_nor_flash.h"

namespace otter::agent_test {

struct Message {
  std::string topic;
  std::vector<std::uint8_t> payload;
  int qos = 0;
  std::string text() const { return {payload.begin(), payload.end()}; }
};

class FakeClock final : public agent::Clock {
 public:
  std::uint64_t now_ms() override { return now; }
  std::uint64_t now = 1000;
};

class TestApp final : public agent::Application {
 public:
  void request_reset() override { ++resets_requested; }
  void start_self_test() override { ++self_tests_started; }
  void log(agent::LogLevel level, std::string_view line) override;
  bool logged(std::string_view needle) const;

  int resets_requested = 0;
  int self_tests_started = 0;
  std::vector<std::string> lines;
};

// A FlashDevice wrapper: records writes outside the allowed ranges, and can
// cut power at the N-th program/erase (that operation is torn: a program
// writes only its first half, with garbage in the last written byte; every
// later operation fails until restore()).
class AuditedFlash final : public flash::FlashDevice {
 public:
  explicit AuditedFlash(flash::FlashDevice& inner) : inner_(inner) {}
  flash::Geometry geometry() const override { return inner_.geometry(); }
  Status read(std::uint32_t address, std::span<std::uint8_t> out) override;
  Status program(std::uint32_t address, std::span<const std::uint8_t> data) override;
  Status erase(std::uint32_t address, std::uint32_t length) override;

  void allow(std::uint32_t offset, std::uint32_t size) { allowed_.push_back({offset, size}); }
  void cut_after(std::uint64_t operations) { cut_at_ = operations_ + operations; }
  void restore() {
    off_ = false;
    cut_at_.reset();
  }
  bool off() const { return off_; }
  std::uint64_t operations() const { return operations_; }

  std::vector<std::string> violations;

 private:
  bool begin(std::uint32_t address, std::size_t length, const char* what);

  flash::FlashDevice& inner_;
  std::vector<std::pair<std::uint32_t, std::uint32_t>> allowed_;
  std::uint64_t operations_ = 0;
  std::optional<std::uint64_t> cut_at_;
  bool off_ = false;
  bool tearing_ = false;
};

// The bootloader's state as the agent sees it through BootControl, modelled
// here (the real bootloader has its own tests); descriptor and signature
// checks are the real otter::image code over the staging partition.
class ModelBootloader final : public agent::Bootloader {
 public:
  ModelBootloader(const boot::Layout& layout, const image::PublicKey& key, Version running)
      : layout_(layout), key_(key) {
    status_.running = running;
  }
  std::uint32_t hardware_id() const override { return layout_.hardware_id; }
  Result<image::Descriptor> read_staged_descriptor() override { return image::read_descriptor(layout_.staging); }
  Status verify_staged(std::uint32_t size, std::span<const std::uint8_t> signature, image::Digest& digest) override;
  Status request_install(const boot::InstallRequest& request) override;
  Result<boot::BootStatus> status() override { return status_; }
  Status confirm() override;
  Status reject(Status reason) override;

  // What the bootloader does at a reset.
  void reset();

  boot::BootStatus status_{};
  std::optional<boot::InstallRequest> installed;
  int verifications = 0;
  bool rejected = false;

 private:
  const boot::Layout& layout_;
  const image::PublicKey& key_;
};

struct JobSpec {
  std::string job_id = "ota-job-1";
  std::string stream = "AFR_OTA-stream-1";
  std::uint32_t file_id = 0;
  std::vector<std::uint8_t> image;
  std::string signature_base64;
  std::optional<bool> allow_downgrade;
  nlohmann::json status_details = nlohmann::json::object();
  std::uint32_t version_number = 1;
  std::uint32_t execution_number = 1;
  std::string status = "QUEUED";
};

// Everything the service sends in answer to one request passes through
// `mangle` (drop, duplicate, reorder, corrupt) before it is queued.
using Mangler = std::function<void(std::vector<Message>& burst)>;

class FakeOtaService final : public agent::Transport {
 public:
  explicit FakeOtaService(std::string thing) : thing_(std::move(thing)) {}

  Status publish(std::string_view topic, std::span<const std::uint8_t> payload, std::uint8_t qos) override;
  Status subscribe(std::string_view topic) override;
  Status unsubscribe(std::string_view topic) override;

  void add_job(JobSpec job) { jobs.push_back(std::move(job)); }
  // Sends the current job (or none) on notify-next, as a service does when it changes.
  void notify_next();
  // Queues a raw message to the device (subject to its subscriptions).
  void send(std::string topic, std::vector<std::uint8_t> payload) { inbox.push_back({std::move(topic), std::move(payload)}); }
  std::string topic(std::string_view suffix) const { return "$aws/things/" + thing_ + "/" + std::string(suffix); }
  bool subscribed(const std::string& topic) const;

  // The connection: in-flight messages are lost and subscriptions dropped
  // (a clean session), as after a broker restart.
  void disconnect(agent::Agent& agent);
  void reconnect(agent::Agent& agent);

  // Delivers queued messages and advances the clock to the agent's next
  // deadline until `done()` or `max_steps`.
  bool run(agent::Agent& agent, FakeClock& clock, const std::function<bool()>& done, int max_steps = 200000);

  // Status updates received, in order: {"job": id, "doc": <update JSON>}.
  std::vector<nlohmann::json> updates_for(const std::string& job) const;
  std::optional<nlohmann::json> last_update(const std::string& job) const;

  std::deque<JobSpec> jobs;
  std::deque<Message> inbox;
  std::vector<Message> from_device;
  std::set<std::string> subscriptions;
  std::map<std::uint32_t, int> served;      // block index -> times sent
  std::vector<nlohmann::json> updates;
  std::vector<nlohmann::json> stream_requests;  // decoded GetStream requests
  std::vector<std::string> protocol_errors;     // device messages not matching the documented shapes
  Mangler mangle;
  // False while the device has no power: what it "sends" then never leaves it.
  std::function<bool()> device_powered = [] { return true; };
  bool answer_on_notify_next = false;  // otterd also copies $next/get answers to notify-next
  bool answer_updates = true;  // jobs/<id>/update/accepted after each accepted update
  // The broker is up but the service is not (it reconnects later than the
  // device after a broker restart): see publish().
  bool service_away = false;
  std::vector<Message> held;
  void service_returns();
  // A publish the transport cannot send (kIoError), e.g. a connection that
  // dropped before the agent heard of it.
  std::function<bool(const std::string& topic)> refuse_publish = [](const std::string&) { return false; };
  bool connected = true;
  bool json_stream = false;
  bool corrupt_stream_requests_with_rejected = false;
  std::uint32_t blocks_sent = 0;
  // Called after each data message is queued (e.g. to disconnect at block N).
  std::function<void(std::uint32_t index)> on_block_sent;

 private:
  void serve(const Message& m);
  void handle_next_get(const Message& m);
  void handle_update(const std::string& job, const Message& m);
  void handle_stream_get(const std::string& stream, const Message& m, bool json);
  nlohmann::json execution_json(const JobSpec& job) const;
  std::vector<std::uint8_t> data_block(const JobSpec& job, std::uint32_t index, std::uint32_t block_size, bool json) const;

  std::string thing_;
};

// Standard padded base64 (the service's own, not the device codec).
std::string base64(std::span<const std::uint8_t> data);

// Encodes a CBOR data block with libcbor.
std::vector<std::uint8_t> cbor_block(std::uint32_t file_id, std::uint32_t index, std::span<const std::uint8_t> payload,
                                     std::optional<std::uint32_t> length, bool wide_integers = false);

}  // namespace otter::agent_test
