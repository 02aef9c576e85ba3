// The OTA agent: AWS IoT Jobs + MQTT file streams on the device side.
//
// It learns of OTA jobs (notify-next, $next/get), checks them, downloads the
// file block by block into the staging partition with a window of GetStream
// requests in flight, keeps a power-fail-safe record of received blocks so a
// reset or reconnect resumes, verifies the image, hands it to the bootloader,
// and after the reset into the new image runs the application's self-test and
// reports the outcome. Transport-agnostic, event driven (on_message, poll), no
// heap, no threads, fixed RAM (see docs/agent.md).
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string_view>

#include "otter/agent/agent_config.h"
#include "otter/agent/bootloader.h"
#include "otter/agent/download_record.h"
#include "otter/agent/ports.h"
#include "otter/agent/staging_writer.h"
#include "otter/boot/boot_control.h"
#include "otter/core/bitmap.h"
#include "otter/protocol/job_messages.h"
#include "otter/protocol/job_updates.h"
#include "otter/protocol/names.h"
#include "otter/protocol/stream_messages.h"
#include "otter/protocol/topics.h"

namespace otter::agent {

enum class AgentState : std::uint8_t {
  kStopped,        // start() not called, or the configuration is invalid
  kOffline,        // waiting for the transport to connect
  kRequestingJob,  // $next/get sent, waiting for the answer
  kWaitingForJob,  // no pending job; waiting for notify-next
  kDownloading,    // stream requests in flight
  kReadyToReset,   // image verified and handed to the bootloader
  kSelfTest,       // new image on trial; the application's self-test runs
};

const char* to_string(AgentState state);

struct AgentStats {
  std::uint32_t blocks_written = 0;     // blocks written to staging (this boot)
  std::uint32_t blocks_duplicate = 0;   // already had it: ignored
  std::uint32_t blocks_refused = 0;     // wrong stream/file, bad index/size, undecodable
  std::uint32_t requests_sent = 0;      // GetStream requests, retries included
  std::uint32_t request_retries = 0;
  std::uint32_t blocks_resumed = 0;     // blocks found in the record when the job (re)started
  std::uint32_t updates_sent = 0;       // job status updates published
  std::uint32_t stream_errors = 0;      // messages on the stream's rejected topic
};

namespace detail {

// A GetStream request in flight.
struct Request {
  std::uint32_t first = 0;  // block range [first, end) this request covers
  std::uint32_t end = 0;
  std::uint32_t deadline = 0;
  std::uint32_t retries = 0;
  // Its blocks not received yet; 0: the slot is free. Counted down as they
  // arrive (blocks in its range are exactly the ones it asked for).
  std::uint32_t missing = 0;
};

// The agent's variables that start at zero, in two aggregates apart from the
// Agent class: constructing each is one clear of memory instead of a store
// per member. The scalars are the Agent's base, at its start; the tables
// are its last member. In between, the members the code uses most (ports,
// record, bitmap, configuration) stay within the small offsets of 16-bit
// Thumb loads and stores.
struct AgentVariables {
  AgentState state_ = AgentState::kStopped;
  bool connected_ = false;
  bool awaiting_service_ = false;     // reconnected: re-request once the service answers
  bool descriptor_checked_ = false;
  bool reset_requested_ = false;
  bool update_pending_ = false;
  Version image_version_{};
  std::uint32_t block_count_ = 0;
  std::uint32_t cursor_ = 0;          // next block not yet covered by a request
  std::uint32_t next_get_counter_ = 0;
  std::uint32_t job_request_deadline_ = 0;
  std::uint32_t job_request_retries_ = 0;
  std::uint32_t self_test_deadline_ = 0;
  std::uint32_t reset_deadline_ = 0;  // kReadyToReset: reset at the latest then
  std::uint32_t last_progress_ = 0;
  // Set bits of received_ during a download, kept as they change (counting
  // up to 4,096 bits at every received block would be work on the hot path).
  std::uint32_t received_count_ = 0;
  std::size_t update_size_ = 0;  // the pending status update (Agent::update_)
  AgentStats stats_;
  // The last job this agent ended (AgentTables::ended_job + its execution
  // number), so a late duplicate notification does not start it again.
  std::uint32_t ended_execution_ = 0;
};

struct AgentTables {
  std::array<Request, kMaxRequestsInFlight> requests{};
  protocol::JobExecution job{};  // the job in hand
  std::array<char, protocol::kMaxJobId + 1> ended_job{};  // NUL-terminated
};

}  // namespace detail

class Agent : private detail::AgentVariables {
  using Request = detail::Request;

 public:
  // `layout.staging` receives the image; `layout.download` holds the record of
  // received blocks. All references must outlive the agent.
  Agent(const AgentConfig& config, Transport& transport, Clock& clock, Bootloader& bootloader,
        const boot::Layout& layout, Application& application);

  // Validates the configuration and partitions; kOk or the reason (logged).
  Status start();
  // The transport (re)connected: (re)subscribe and ask for the next job.
  void on_connected();
  void on_disconnected();
  // Every message of a subscribed topic.
  void on_message(std::string_view topic, std::span<const std::uint8_t> payload);
  // Drives timers (request retries, self-test timeout); call often (e.g. every
  // 100 ms, or when next_deadline_ms() is due).
  void poll();
  // When poll() next has something to do (UINT64_MAX: nothing scheduled).
  std::uint64_t next_deadline_ms() const;
  // The application's answer to Application::start_self_test().
  void self_test_done(bool passed);

  AgentState state() const { return state_; }
  const AgentStats& stats() const { return stats_; }
  // The job being worked on ("" when none).
  std::string_view job_id() const { return tables_.job.job(); }
  std::uint32_t blocks_total() const { return block_count_; }
  std::uint32_t blocks_received() const { return static_cast<std::uint32_t>(received_->count()); }

 private:
  void handle_jobs_message(std::span<const std::uint8_t> payload);
  void handle_update_rejected(std::span<const std::uint8_t> payload);
  void handle_data(std::span<const std::uint8_t> payload, protocol::StreamFormat format);
  void handle_stream_rejected(std::span<const std::uint8_t> payload, protocol::StreamFormat format);

  void begin_job(const protocol::JobsMessage& message);
  void begin_download();
  void begin_self_test();
  bool staged_image_is_this_jobs();
  void request_reset();
  void await_ready_ack();
  Status prepare_staging();
  Status write_block(std::uint32_t index, const protocol::DataBlock& block);
  bool check_descriptor();
  void finish_download();
  void fill_window();
  void resume_requests();
  void send_request(Request& request);
  // Why the agent ends a job: the reasons of its REJECTED (the job cannot
  // work on this device) and FAILED updates, which otterd and the tests read
  // (texts in agent.cc).
  enum class Ending : std::uint8_t {
    kImageTooLarge, kImageTooSmall, kNoDescriptor, kWrongBoard, kSizeDiffers, kBelowFloor, kSameVersion, kDowngrade,
    kStagingFlashError,  // the first FAILED one
    kBootStatusUnreadable, kSignatureFailed, kInstallRefused, kNotNewer, kRolledBack, kInstallFailed, kNotInstalled,
    kTrialFailed, kSelfTestFailed, kConfirmFailed, kDownloadTimedOut,
    kNone,  // not an ending: every check passed
  };
  void end_job(Ending why, std::uint32_t detail);
  void end_job(protocol::JobStatus status, std::string_view reason, std::uint32_t detail);
  bool succeed_job();
  void close_job(bool succeeded);
  void reject_image(Status reason, Ending why, std::uint32_t detail);
  void report_self_test(protocol::SelfTest step, std::uint32_t version);
  void abandon_job();
  void stop_job(bool keep_record);
  void cancel_requests();
  void request_next_job();
  void subscribe_stream(bool on);
  std::string_view topic(protocol::TopicKind kind, std::string_view name = {});
  void subscribe(protocol::TopicKind kind, std::string_view name = {}, bool on = true);

  bool report(protocol::Update update, protocol::JobStatus status, std::string_view text,
              const std::uint32_t* numbers);
  void send_pending_update();
  std::uint32_t block_length(std::uint32_t index) const;
  std::uint32_t backoff(std::uint32_t retries) const;
  std::uint32_t deadline_in(std::uint32_t delay);

  Transport& transport_;
  Clock& clock_;
  Bootloader& bootloader_;
  const boot::Layout& layout_;
  Application& app_;
  StagingWriter staging_;
  AgentConfig config_;
  DownloadRecord record_;

  Bitmap<kMaxBlocks> received_;

  // A status update that could not be published yet (sent again on reconnect).
  // Buffers without an initializer are written before they are read.
  std::array<char, 160> update_;
  std::array<char, protocol::kMaxJobId + 1> update_job_;

  std::array<char, protocol::kMaxTopic> topic_;
  std::array<std::uint8_t, 256> request_;

  detail::AgentTables tables_{};  // last: see detail::AgentVariables
};

}  // namespace otter::agent
