#include "otter/agent/agent.h"

#include <algorithm>
#include <bit>
#include <cstring>

#include "log_line.h"
#include "otter/core/crc32.h"
#include "otter/protocol/stream_messages.h"
#include "otter/protocol/topics.h"

// Build options (both default on). Off, they leave out what AWS's library
// also leaves out of its footprint figure: console lines (its log macros are
// empty by default) and the JSON stream variant (it speaks CBOR only).
#ifndef OTTER_AGENT_CONSOLE
#define OTTER_AGENT_CONSOLE 1
#endif
#ifndef OTTER_AGENT_JSON_STREAMS
#define OTTER_AGENT_JSON_STREAMS 1
#endif

#if OTTER_AGENT_CONSOLE
#define OTTER_AGENT_LOG(level) LogLine(app_, LogLevel::level)
#else
// Dead code the compiler removes with its strings; still type-checked.
#define OTTER_AGENT_LOG(level) \
  while (false) LogLine(app_, LogLevel::level)
#endif

namespace otter::agent {

using namespace std::string_view_literals;
using protocol::JobStatus;
using protocol::StreamFormat;
using protocol::TopicKind;

namespace {

std::span<const std::uint8_t> as_bytes(std::string_view text) {
  return {reinterpret_cast<const std::uint8_t*>(text.data()), text.size()};
}
std::string_view as_text(std::span<const std::uint8_t> bytes) {
  return {reinterpret_cast<const char*>(bytes.data()), bytes.size()};
}

std::uint32_t hash_identity(const protocol::JobExecution& job) {
  std::uint32_t crc = crc32(as_bytes(job.job()));
  crc = crc32(as_bytes(job.stream_name()), crc);
  // The file id's little-endian bytes: its bytes in memory on the targets.
  static_assert(std::endian::native == std::endian::little);
  crc = crc32({reinterpret_cast<const std::uint8_t*>(&job.file.file_id), sizeof job.file.file_id}, crc);
  return crc32(std::span<const std::uint8_t>(job.file.signature.data(), job.file.signature_size), crc);
}

// One plain loop for both searches of handle_update_rejected (two inlined
// string_view::find cost more).
bool contains(std::string_view text, std::string_view part) {
  for (std::size_t at = 0; at + part.size() <= text.size(); ++at) {
    if (std::memcmp(text.data() + at, part.data(), part.size()) == 0) return true;
  }
  return false;
}

// Deadlines are the clock's low 32 bits (no 64-bit arithmetic on Cortex-M):
// the signed difference orders them as long as none is 24 days away or more.
bool reached(std::uint32_t now, std::uint32_t deadline) { return static_cast<std::int32_t>(now - deadline) >= 0; }

// The reasons of Agent::Ending, in its order, each NUL-terminated: one
// string instead of a pointer and length at every call.
constexpr char kEndingTexts[] =
    "image too large\0image too small\0no valid image descriptor\0wrong board\0image size differs from job\0"
    "below anti-rollback floor\0same version\0downgrade not allowed\0"
    "staging flash error\0boot status unreadable\0signature check failed\0bootloader refused install\0"
    "new image is not newer\0rolled back\0install failed\0image not installed\0trial failed\0"
    "self-test failed\0confirm failed\0download timed out";

std::string_view ending_text(std::uint32_t index) {
  const char* text = kEndingTexts;
  for (const char* end = text;; ++end) {
    if (*end != '\0') continue;
    if (index-- == 0) return {text, static_cast<std::size_t>(end - text)};
    text = end + 1;
  }
}

}  // namespace

const char* to_string(AgentState state) {
  switch (state) {
    case AgentState::kStopped: return "stopped";
    case AgentState::kOffline: return "offline";
    case AgentState::kRequestingJob: return "requesting job";
    case AgentState::kWaitingForJob: return "waiting for job";
    case AgentState::kDownloading: return "downloading";
    case AgentState::kReadyToReset: return "ready to reset";
    case AgentState::kSelfTest: return "self-test";
  }
  return "?";
}

Agent::Agent(const AgentConfig& config, Transport& transport, Clock& clock, Bootloader& bootloader,
             const boot::Layout& layout, Application& application)
    : AgentVariables{},
      transport_(transport),
      clock_(clock),
      bootloader_(bootloader),
      layout_(layout),
      app_(application),
      staging_(layout.staging),
      config_(config),
      record_(layout.download) {}

Status Agent::start() {
  const char* why = nullptr;
  if (config_.validate(&why) != Status::kOk) {
    OTTER_AGENT_LOG(kError) << "invalid configuration: " << why;
    return Status::kInvalidArgument;
  }
  if (staging_.check_geometry(config_.block_size) != Status::kOk) {
    OTTER_AGENT_LOG(kError) << "staging partition unusable: its program unit must divide 512 B and the block size";
    return Status::kUnsupported;
  }
  if (const Status s = record_.check_geometry(); s != Status::kOk) {
    OTTER_AGENT_LOG(kError) << "download partition unusable: " << otter::to_string(s);
    return s;
  }
  state_ = AgentState::kOffline;  // on_connected() below goes on to kRequestingJob
  OTTER_AGENT_LOG(kInfo) << "agent started for " << config_.thing_name << " (blocks of "
                                 << config_.block_size << " B, " << config_.blocks_per_request << " per request, "
                                 << config_.requests_in_flight << " in flight)";
  if (connected_) on_connected();
  return Status::kOk;
}

void Agent::on_connected() {
  connected_ = true;
  if (state_ == AgentState::kStopped) return;
  // The AWS agent subscribes to notify-next only; $next/get/accepted too makes
  // the answer arrive on AWS proper, where it is not copied to notify-next.
  // Also every job's ("+") update/rejected: learn of a cancellation (the
  // service refuses our next update). The other topics have no name to fill.
  const TopicKind kinds[] = {TopicKind::kNotifyNext, TopicKind::kNextGetAccepted, TopicKind::kNextGetRejected,
                             TopicKind::kJobUpdateRejected};
  for (const TopicKind kind : kinds) subscribe(kind, "+"sv);
  if (state_ == AgentState::kReadyToReset && !reset_requested_) await_ready_ack();
  send_pending_update();
  if (state_ == AgentState::kDownloading) {
    // Requests in flight were lost with the connection: ask again for what is
    // still missing (resubscribing first, for non-persistent sessions) as soon
    // as the service answers the $next/get below. After a broker restart the
    // service may reconnect later than the device: stream requests (QoS 0)
    // sent before that are lost and would wait request_timeout_ms, while the
    // QoS 1 $next/get waits in the service's session and its answer shows the
    // service is back (it also tells whether the job is still pending).
    subscribe_stream(true);
    cancel_requests();
    awaiting_service_ = true;
  } else if (state_ == AgentState::kOffline || state_ == AgentState::kWaitingForJob) {
    state_ = AgentState::kRequestingJob;
  }
  // Also while downloading: the answer tells whether the job was cancelled
  // while the device was away.
  if (state_ == AgentState::kRequestingJob || state_ == AgentState::kDownloading) request_next_job();
}

// The topic of `kind` in topic_ ("" if it cannot be built: bad name).
std::string_view Agent::topic(TopicKind kind, std::string_view name) {
  const auto n = protocol::build_topic(topic_, config_.thing_name, kind, name, config_.format);
  return n.ok() ? std::string_view(topic_.data(), *n) : std::string_view{};
}

// Subscribes to the topic of `kind` (unsubscribes with `on` false).
void Agent::subscribe(TopicKind kind, std::string_view name, bool on) {
  const std::string_view to = topic(kind, name);
  if (to.empty()) return;
  (void)(on ? transport_.subscribe(to) : transport_.unsubscribe(to));
}

void Agent::on_disconnected() {
  connected_ = false;
  if (state_ == AgentState::kRequestingJob || state_ == AgentState::kWaitingForJob) state_ = AgentState::kOffline;
}

void Agent::request_next_job() {
  std::array<char, 16 + protocol::kMaxThingName> body;
  const auto n = protocol::encode_next_get(body, next_get_counter_++, config_.thing_name);
  const std::string_view to = topic(TopicKind::kNextGet);
  if (!n.ok() || to.empty()) return;
  (void)transport_.publish(to, as_bytes({body.data(), *n}), 1);
  job_request_deadline_ = deadline_in(backoff(job_request_retries_));
}

void Agent::on_message(std::string_view topic, std::span<const std::uint8_t> payload) {
  if (state_ == AgentState::kStopped) return;
  const auto match = protocol::parse_topic(topic, config_.thing_name);
  if (!match.ok()) return;
  // Job topics name a job, stream topics a stream: is it the one in hand?
  static_assert(TopicKind::kStreamRejected > TopicKind::kStreamData && TopicKind::kStreamData > TopicKind::kStreamGet &&
                TopicKind::kStreamGet > TopicKind::kJobUpdateRejected);
  const protocol::JobExecution& job = tables_.job;
  const bool in_hand = match->name == (match->kind >= TopicKind::kStreamGet ? job.stream_name() : job.job());
  switch (match->kind) {
    case TopicKind::kNotifyNext:
    case TopicKind::kNextGetAccepted:
      handle_jobs_message(payload);
      break;
    case TopicKind::kNextGetRejected:
      OTTER_AGENT_LOG(kWarning) << "$next/get rejected: " << as_text(payload.first(payload.size() < 80 ? payload.size() : 80));
      break;
    case TopicKind::kJobUpdateRejected:
      if (in_hand) handle_update_rejected(payload);
      break;
    case TopicKind::kJobUpdateAccepted:
      // The service has the self_test ready report: safe to reset now.
      if (state_ == AgentState::kReadyToReset && in_hand) request_reset();
      break;
    case TopicKind::kStreamData:
      if (state_ == AgentState::kDownloading && in_hand && match->format == config_.format) {
        handle_data(payload, match->format);
      } else {
        ++stats_.blocks_refused;
      }
      break;
    case TopicKind::kStreamRejected:
      if (state_ == AgentState::kDownloading && in_hand)
        handle_stream_rejected(payload, match->format);
      break;
    default:
      break;
  }
}

void Agent::handle_jobs_message(std::span<const std::uint8_t> payload) {
  protocol::JobsMessage message;
  if (const Status s = protocol::parse_jobs_message(as_text(payload), message); s != Status::kOk) {
    OTTER_AGENT_LOG(kWarning) << "ignoring unparsable jobs message: " << otter::to_string(s);
    return;
  }
  job_request_retries_ = 0;
  if (!message.has_execution) {
    if (state_ == AgentState::kDownloading) {
      OTTER_AGENT_LOG(kWarning) << "job " << tables_.job.job() << " is no longer pending; download stopped";
      abandon_job();
    }
    if (state_ == AgentState::kRequestingJob || state_ == AgentState::kOffline) state_ = AgentState::kWaitingForJob;
    if (state_ == AgentState::kWaitingForJob) OTTER_AGENT_LOG(kInfo) << "no pending job";
    return;
  }
  const protocol::JobExecution& e = message.execution;
  const std::string_view id = e.job();
  if (id == protocol::c_string(tables_.ended_job) && e.execution_number == ended_execution_) return;
  const bool same_job = id == tables_.job.job();
  if (same_job && (state_ == AgentState::kDownloading || state_ == AgentState::kSelfTest ||
                   state_ == AgentState::kReadyToReset)) {
    tables_.job.version_number = e.version_number;
    resume_requests();  // the service is there: ask for what is missing now
    return;  // a repeated notification of the job in hand
  }
  if (state_ == AgentState::kDownloading) {
    OTTER_AGENT_LOG(kWarning) << "job " << tables_.job.job() << " superseded by " << e.job();
    abandon_job();
  }
  if (state_ == AgentState::kSelfTest || state_ == AgentState::kReadyToReset) return;  // finish this one first
  begin_job(message);
}

void Agent::begin_job(const protocol::JobsMessage& message) {
  tables_.job = message.execution;
  block_count_ = 0;
  OTTER_AGENT_LOG(kInfo) << "job " << tables_.job.job() << " received (execution " << tables_.job.execution_number
                                 << ", version " << tables_.job.version_number << ")";
  if (tables_.job.self_test != protocol::SelfTest::kNone) {
    begin_self_test();
    return;
  }
  if (message.document_error != protocol::JobDocumentError::kNone) {
    end_job(JobStatus::kRejected, protocol::to_string(message.document_error), 0);
    return;
  }
  if (staged_image_is_this_jobs()) {
    OTTER_AGENT_LOG(kWarning) << "the self_test ready report was lost; the new image is this job's";
    begin_self_test();
    return;
  }
  // (Wraps for a size near 4 GiB, which the staging size check refuses.)
  const std::uint32_t blocks = (tables_.job.file.size + config_.block_size - 1) / config_.block_size;
  if (tables_.job.file.size > layout_.staging.size() || blocks > kMaxBlocks) {
    end_job(Ending::kImageTooLarge, tables_.job.file.size);
    return;
  }
  if (tables_.job.file.size < image::kDescriptorOffset) {
    end_job(Ending::kImageTooSmall, tables_.job.file.size);
    return;
  }
  block_count_ = blocks;
  begin_download();
}

void Agent::begin_download() {
  received_.reset(block_count_);
  descriptor_checked_ = false;
  awaiting_service_ = false;
  cancel_requests();
  if (const Status s = prepare_staging(); s != Status::kOk) {
    end_job(Ending::kStagingFlashError, static_cast<std::uint32_t>(s));
    return;
  }
  received_count_ = static_cast<std::uint32_t>(received_->count());
  stats_.blocks_resumed = received_count_;
  last_progress_ = received_count_;
  state_ = AgentState::kDownloading;
  OTTER_AGENT_LOG(kInfo) << "job accepted: " << tables_.job.job() << ", stream " << tables_.job.stream_name() << ", "
                                 << tables_.job.file.size << " bytes in " << block_count_ << " blocks";
  if (stats_.blocks_resumed > 0)
    OTTER_AGENT_LOG(kInfo) << "resuming download: " << stats_.blocks_resumed << "/" << block_count_
                                   << " blocks already in flash";
  subscribe_stream(true);
  if (stats_.blocks_resumed == block_count_) {  // all in flash already
    finish_download();
    return;
  }
  if (!check_descriptor()) return;
  fill_window();
}

Status Agent::prepare_staging() {
  const DownloadIdentity identity{hash_identity(tables_.job), tables_.job.file.size, config_.block_size};
  if (record_.resume(identity, received_.view()) == Status::kOk) {
    // A cut while a block was being programmed leaves it half written and not
    // recorded: erase such areas (and forget the recorded blocks sharing their
    // erase units) so they can be written again.
    bool rebased = false;
    const std::uint32_t unit = layout_.staging.geometry().erase_size;
    for (std::uint32_t i = 0; i < block_count_; ++i) {
      if (received_->test(i)) continue;
      const std::uint32_t offset = i * config_.block_size;
      const std::uint32_t length = block_length(i);
      OTTER_ASSIGN_OR_RETURN(const bool erased, staging_.is_erased(offset, length));
      if (erased) continue;
      OTTER_TRY(staging_.erase_range(offset, length));
      if (unit != 0) {
        const std::uint32_t from = offset / unit * unit;
        // Partitions are far below 4 GiB: 32-bit arithmetic cannot overflow here.
        const std::uint32_t to = (offset + length + unit - 1) / unit * unit;
        // (clear() ignores the blocks past the file the last unit may reach)
        for (std::uint32_t b = from / config_.block_size; b * config_.block_size < to; ++b) received_->clear(b);
      }
      rebased = true;
    }
    if (rebased) OTTER_TRY(record_.start(identity, received_.view()));
    return Status::kOk;
  }
  OTTER_AGENT_LOG(kInfo) << "preparing staging area (" << tables_.job.file.size << " bytes)";
  received_.reset(block_count_);  // all clear (resume may have read another record's bitmap)
  // Record first, erase second would let a cut leave a record over old data:
  // erase, then start the record.
  OTTER_TRY(record_.clear());
  OTTER_TRY(staging_.erase(tables_.job.file.size));
  return record_.start(identity, received_.view());
}

void Agent::subscribe_stream(bool on) {
  const std::string_view stream = tables_.job.stream_name();
  subscribe(TopicKind::kStreamData, stream, on);
  subscribe(TopicKind::kStreamRejected, stream, on);
}

std::uint32_t Agent::block_length(std::uint32_t index) const {
  const std::uint32_t offset = index * config_.block_size;
  const std::uint32_t left = tables_.job.file.size - offset;
  return left < config_.block_size ? left : config_.block_size;
}

std::uint32_t Agent::deadline_in(std::uint32_t delay) { return static_cast<std::uint32_t>(clock_.now_ms()) + delay; }

std::uint32_t Agent::backoff(std::uint32_t retries) const {
  // 32-bit on purpose (no 64-bit helpers on Cortex-M): the delay stays at
  // most max_backoff_ms < kMaxDelayMs = 2^27 (validate()), so doubling it
  // never overflows.
  std::uint32_t delay = config_.request_timeout_ms;
  for (std::uint32_t i = 0; i < retries && delay < config_.max_backoff_ms; ++i)
    delay = std::min(delay * 2, config_.max_backoff_ms);
  // Spread the retries of a fleet that lost the same broker at once.
  const std::uint32_t spread = config_.request_timeout_ms / 8 + 1;
  const std::uint32_t jitter = (crc32(as_bytes(config_.thing_name)) + retries * 7919U) % spread;
  return delay + jitter;
}

void Agent::resume_requests() {
  awaiting_service_ = false;
  fill_window();
}

void Agent::fill_window() {
  if (!connected_ || state_ != AgentState::kDownloading || awaiting_service_) return;
  for (std::uint32_t slot = 0; slot < config_.requests_in_flight; ++slot) {
    Request& r = tables_.requests[slot];
    if (r.missing != 0) continue;
    std::uint32_t from = cursor_;  // the first missing block from the cursor on
    while (from < block_count_ && received_->test(from)) ++from;
    if (from >= block_count_) return;
    // As far as one request bitmap reaches; send_request ends the request
    // after its blocks_per_request-th missing block.
    const std::uint32_t limit = from + protocol::kMaxRequestBitmap * 8;
    r = Request{from, limit < block_count_ ? limit : block_count_, 0, 0, 0};
    send_request(r);
    cursor_ = r.end;
  }
}

void Agent::send_request(Request& r) {
  std::array<std::uint8_t, protocol::kMaxRequestBitmap> bitmap{};
  // The missing blocks of [first, end), at most blocks_per_request of them:
  // the request ends after the last one (a retry's range does not change).
  std::uint32_t wanted = 0;
  std::uint32_t b = r.first;
  for (; b < r.end && wanted < config_.blocks_per_request; ++b) {
    if (received_->test(b)) continue;
    bitmap[(b - r.first) / 8] |= static_cast<std::uint8_t>(1U << ((b - r.first) % 8));
    ++wanted;
  }
  r.end = b;
  r.missing = wanted;
  if (wanted == 0) return;
  const protocol::GetStreamRequest request{.client_token = protocol::stream::kReadyToken,
                                           .file_id = tables_.job.file.file_id,
                                           .block_size = config_.block_size,
                                           .block_offset = r.first,
                                           .bitmap = std::span<const std::uint8_t>(bitmap.data(), (r.end - r.first + 7) / 8),
                                           .number_of_blocks = wanted};
#if OTTER_AGENT_JSON_STREAMS
  const Result<std::size_t> size =
      config_.format == StreamFormat::kCbor
          ? protocol::encode_get_stream_cbor(request, request_)
          : protocol::encode_get_stream_json(
                request, std::span<char>(reinterpret_cast<char*>(request_.data()), request_.size()));
#else
  const Result<std::size_t> size = protocol::encode_get_stream_cbor(request, request_);
#endif
  r.deadline = deadline_in(backoff(r.retries));
  const std::string_view to = topic(TopicKind::kStreamGet, tables_.job.stream_name());
  if (!size.ok() || to.empty()) return;
  ++stats_.requests_sent;
  (void)transport_.publish(to, std::span<const std::uint8_t>(request_.data(), size.value()), 0);
}

void Agent::handle_data(std::span<const std::uint8_t> payload, StreamFormat format) {
#if OTTER_AGENT_JSON_STREAMS
  Result<protocol::DataBlock> block = format == StreamFormat::kCbor ? protocol::decode_data_block_cbor(payload)
                                                                     : protocol::decode_data_block_json(as_text(payload));
#else
  (void)format;
  Result<protocol::DataBlock> block = protocol::decode_data_block_cbor(payload);
#endif
  if (!block.ok() || block->file_id != tables_.job.file.file_id || block->index >= block_count_ ||
      block->length != block_length(block->index)) {
    ++stats_.blocks_refused;
    OTTER_AGENT_LOG(kWarning) << "refused a data message (" << (block.ok() ? "wrong file, index or size" : otter::to_string(block.status())) << ")";
    return;
  }
  awaiting_service_ = false;  // blocks flow: the service is there
  const std::uint32_t index = block->index;
  if (received_->test(index)) {
    ++stats_.blocks_duplicate;
    return;
  }
  if (const Status s = write_block(index, *block); s != Status::kOk) {
    if (s == Status::kMalformed) {
      ++stats_.blocks_refused;
      return;
    }
    end_job(Ending::kStagingFlashError, static_cast<std::uint32_t>(s));
    return;
  }
  const std::uint32_t received = received_count_;
  OTTER_AGENT_LOG(kDebug) << "block " << (index + 1) << "/" << block_count_ << " received";
  for (Request& r : tables_.requests) {
    if (r.missing == 0 || index < r.first || index >= r.end) continue;
    r.retries = 0;  // the service is answering this request
    --r.missing;    // a new block of its range: one it asked for
    r.deadline = deadline_in(backoff(0));
  }
  if (received == stats_.blocks_resumed + 1 || received - last_progress_ >= config_.progress_every ||
      received == block_count_) {
    last_progress_ = received;
    const std::uint32_t counts[] = {received, block_count_};
    report(protocol::Update::kProgress, JobStatus::kInProgress, {}, counts);
    OTTER_AGENT_LOG(kInfo) << "progress " << received * 100 / block_count_
                                   << "% (" << received << "/" << block_count_ << " blocks)";
  }
  if (!check_descriptor()) return;
  if (received == block_count_) {
    finish_download();
    return;
  }
  fill_window();
}

Status Agent::write_block(std::uint32_t index, const protocol::DataBlock& block) {
  const std::uint32_t offset = index * config_.block_size;
#if OTTER_AGENT_JSON_STREAMS
  Status s = block.payload_base64.empty() || block.length == 0
                 ? staging_.write(offset, block.payload)
                 : staging_.write_base64(offset, block.payload_base64, block.length);
#else
  Status s = staging_.write(offset, block.payload);
#endif
  if (s != Status::kOk) return s;
  ++stats_.blocks_written;
  received_->set(index);
  s = record_.mark(index, received_.view());
  if (s != Status::kOk) {
    received_->clear(index);
    return s;
  }
  ++received_count_;
  return Status::kOk;
}

bool Agent::check_descriptor() {
  if (descriptor_checked_) return true;
  const std::uint32_t end = image::kDescriptorOffset + image::kDescriptorSize;
  const std::uint32_t last = (end < tables_.job.file.size ? end : tables_.job.file.size) - 1;
  for (std::uint32_t b = 0; b <= last / config_.block_size; ++b) {
    if (!received_->test(b)) return true;  // not yet: keep downloading
  }
  descriptor_checked_ = true;
  const auto read = bootloader_.read_staged_descriptor();
  if (!read.ok()) {
    end_job(Ending::kNoDescriptor, static_cast<std::uint32_t>(read.status()));
    return false;
  }
  // Checked once: the port calls below would otherwise make every access
  // test the Result again.
  const image::Descriptor& descriptor = *read;
  // The first failed check picks the ending; one end_job call for all.
  Ending why;
  std::uint32_t detail;
  if (descriptor.hardware_id != bootloader_.hardware_id()) {
    why = Ending::kWrongBoard;
    detail = descriptor.hardware_id;
  } else if (descriptor.image_size != tables_.job.file.size) {
    why = Ending::kSizeDiffers;
    detail = descriptor.image_size;
  } else if (const auto boot = bootloader_.status(); !boot.ok()) {
    why = Ending::kBootStatusUnreadable;
    detail = static_cast<std::uint32_t>(boot.status());
  } else {
    const Version version = descriptor.version;
    const Version running = boot->running;
    image_version_ = version;
    detail = version.encoded();
    if (detail < boot->min_version) {
      why = Ending::kBelowFloor;
    } else if (!(version > running) && !(tables_.job.file.allow_downgrade && version != running)) {
      why = version == running ? Ending::kSameVersion : Ending::kDowngrade;
    } else {
      why = Ending::kNone;
    }
  }
  if (why != Ending::kNone) {
    end_job(why, detail);
    return false;
  }
#if OTTER_AGENT_CONSOLE
  std::array<char, 10> board;
  protocol::format_hex32(descriptor.hardware_id, board);
  OTTER_AGENT_LOG(kInfo) << "image descriptor ok: board " << std::string_view(board.data(), board.size()) << ", version "
                                 << descriptor.version.major << "." << descriptor.version.minor << "."
                                 << descriptor.version.build;
#endif
  return true;
}

void Agent::finish_download() {
  cancel_requests();
  subscribe_stream(false);
  OTTER_AGENT_LOG(kInfo) << "download complete, checking signature";
  const protocol::OtaFile& file = tables_.job.file;
  boot::InstallRequest install;
  const auto signature = std::span<const std::uint8_t>(file.signature.data(), file.signature_size);
  if (const Status s = bootloader_.verify_staged(file.size, signature, install.digest); s != Status::kOk) {
    OTTER_AGENT_LOG(kError) << "signature check failed: " << otter::to_string(s);
    end_job(Ending::kSignatureFailed, static_cast<std::uint32_t>(s));
    return;
  }
  OTTER_AGENT_LOG(kInfo) << "signature verified";
  install.image_size = file.size;
  std::memcpy(install.signature.data(), signature.data(), signature.size());
  install.signature_size = file.signature_size;
  install.version = image_version_;
  if (const Status s = bootloader_.request_install(install); s != Status::kOk) {
    end_job(Ending::kInstallRefused, static_cast<std::uint32_t>(s));
    return;
  }
  (void)record_.clear();
  const auto boot = bootloader_.status();
  state_ = AgentState::kReadyToReset;
  reset_requested_ = false;
  OTTER_AGENT_LOG(kInfo) << "new image handed to the bootloader";
  await_ready_ack();
  report_self_test(protocol::SelfTest::kReady, boot.ok() ? boot->running.encoded() : 0);
}

// The IN_PROGRESS update with statusDetails self_test `step` and the version.
void Agent::report_self_test(protocol::SelfTest step, std::uint32_t version) {
  report(protocol::Update::kSelfTest, JobStatus::kInProgress,
         step == protocol::SelfTest::kReady ? protocol::json::kSelfTestReady : protocol::json::kSelfTestActive, &version);
}

// A reset right after the publish can lose the ready report (still in the
// transport's queue): wait for update/accepted, at most ready_ack_timeout_ms.
void Agent::await_ready_ack() {
  subscribe(TopicKind::kJobUpdateAccepted, tables_.job.job());
  reset_deadline_ = deadline_in(config_.ready_ack_timeout_ms);
}

void Agent::request_reset() {
  if (reset_requested_) return;
  reset_requested_ = true;
  OTTER_AGENT_LOG(kInfo) << "rebooting";
  app_.request_reset();
}

// After a reset whose self_test ready report never reached the service: the
// bootloader holds a trial (or pending) image, and the staged image is the
// one this job describes (size, signature; a trial image's version).
bool Agent::staged_image_is_this_jobs() {
  const auto status = bootloader_.status();
  if (!status.ok()) return false;
  const boot::BootStatus& boot = *status;  // checked once (not again after each port call)
  if (boot.state != boot::State::kTrial && boot.state != boot::State::kInstallRequested) return false;
  const protocol::OtaFile& file = tables_.job.file;
  const auto descriptor = bootloader_.read_staged_descriptor();
  if (!descriptor.ok() || descriptor->image_size != file.size ||
      (boot.state == boot::State::kTrial && descriptor->version != boot.running))
    return false;
  image::Digest digest;  // verify_staged's output, unused here: no zero fill
  return bootloader_.verify_staged(file.size, {file.signature.data(), file.signature_size}, digest) == Status::kOk;
}

void Agent::begin_self_test() {
  (void)record_.clear();
  const auto boot = bootloader_.status();
  if (!boot.ok()) {
    end_job(Ending::kBootStatusUnreadable, static_cast<std::uint32_t>(boot.status()));
    return;
  }
  const protocol::JobExecution& job = tables_.job;
  const std::uint32_t running = boot->running.encoded();
  const auto error = static_cast<std::uint32_t>(boot->last_error);
  switch (boot->state) {
    case boot::State::kTrial: {
      // "ready" carries the version that downloaded the image: the trial
      // image must be newer. ("active" carries the trial image's own version:
      // a reset during the self-test, the test simply runs again.)
      if (job.self_test == protocol::SelfTest::kReady && job.has_updated_by && running <= job.updated_by &&
          !job.file.allow_downgrade) {
        reject_image(Status::kDowngrade, Ending::kNotNewer, running);
        return;
      }
      report_self_test(protocol::SelfTest::kActive, running);
      state_ = AgentState::kSelfTest;
      self_test_deadline_ = deadline_in(config_.self_test_timeout_ms);
      OTTER_AGENT_LOG(kInfo) << "running self-test of the new image";
      app_.start_self_test();
      return;
    }
    case boot::State::kInstallRequested:
      // Restarted before the reset that installs the image: reset now.
      state_ = AgentState::kReadyToReset;
      OTTER_AGENT_LOG(kInfo) << "install pending";
      request_reset();
      return;
    case boot::State::kRolledBack:
      end_job(Ending::kRolledBack, error);
      return;
    case boot::State::kInstallFailed:
      end_job(Ending::kInstallFailed, error);
      return;
    case boot::State::kIdle:
      // Confirmed before the SUCCEEDED report went out (a cut in between):
      // the running image is the one the self-test reported as active.
      if (job.has_updated_by && ((job.self_test == protocol::SelfTest::kActive && running == job.updated_by) ||
                                 (job.self_test == protocol::SelfTest::kReady && running > job.updated_by))) {
        if (succeed_job()) return;
      }
      end_job(Ending::kNotInstalled, running);
      return;
    default:
      end_job(Ending::kTrialFailed, error);
      return;
  }
}

void Agent::self_test_done(bool passed) {
  if (state_ != AgentState::kSelfTest) return;
  if (!passed) {
    OTTER_AGENT_LOG(kError) << "self-test failed; rolling back";
    reject_image(Status::kAborted, Ending::kSelfTestFailed, static_cast<std::uint32_t>(Status::kAborted));
    return;
  }
  if (const Status s = bootloader_.confirm(); s != Status::kOk) {
    end_job(Ending::kConfirmFailed, static_cast<std::uint32_t>(s));
    return;
  }
  OTTER_AGENT_LOG(kInfo) << "self-test passed; image accepted";
  (void)succeed_job();
}

// The trial image failed: the bootloader rolls it back at the reset.
void Agent::reject_image(Status reason, Ending why, std::uint32_t detail) {
  (void)bootloader_.reject(reason);
  end_job(why, detail);
  app_.request_reset();
}

// Publishes SUCCEEDED with the running and previous versions the bootloader
// reports (zeros if it cannot) and closes the job; false (the job stays) if
// the update cannot be encoded.
bool Agent::succeed_job() {
  const auto boot = bootloader_.status();
  const Version running = boot.ok() ? boot->running : Version{};
  const Version previous = boot.ok() ? boot->previous : Version{};
  const std::uint32_t versions[] = {running.major, running.minor, running.build,
                                    previous.major, previous.minor, previous.build};
  if (!report(protocol::Update::kSucceeded, JobStatus::kSucceeded, {}, versions)) return false;
  close_job(true);  // after the report: its JSON frame is not under close_job
  return true;
}

void Agent::end_job(Ending why, std::uint32_t detail) {
  static_assert(std::ranges::count(kEndingTexts, '\0') == static_cast<int>(Ending::kDownloadTimedOut) + 1);
  end_job(why < Ending::kStagingFlashError ? JobStatus::kRejected : JobStatus::kFailed,
          ending_text(static_cast<std::uint32_t>(why)), detail);
}

// Publishes the final FAILED / REJECTED status and forgets the job. (Not
// inlined: one copy for the endings and the job document errors.)
[[gnu::noinline]] void Agent::end_job(JobStatus status, std::string_view reason, std::uint32_t detail) {
  report(protocol::Update::kFailed, status, reason, &detail);
  OTTER_AGENT_LOG(kError) << "job " << tables_.job.job() << " " << protocol::to_string(status) << ": " << reason;
  close_job(false);
}

// Remembers the job as ended, so that a late duplicate notification does not
// start it again, and stops it.
void Agent::close_job(bool succeeded) {
  tables_.ended_job = tables_.job.job_id;
  ended_execution_ = tables_.job.execution_number;
  stop_job(succeeded);
}

// The job went away (cancelled, superseded): stop without reporting.
void Agent::abandon_job() { stop_job(false); }

// Forgets the job in hand; its download record too unless `keep_record`.
void Agent::stop_job(bool keep_record) {
  if (state_ == AgentState::kDownloading) subscribe_stream(false);
  if (!keep_record) (void)record_.clear();
  cancel_requests();
  tables_.job = protocol::JobExecution{};
  block_count_ = 0;
  state_ = connected_ ? AgentState::kWaitingForJob : AgentState::kOffline;
}

// Frees every request slot; the next window starts from the first block.
void Agent::cancel_requests() {
  cursor_ = 0;
  for (Request& r : tables_.requests) r.missing = 0;
}

// An update of the job in hand was rejected.
void Agent::handle_update_rejected(std::span<const std::uint8_t> payload) {
  const std::string_view job = tables_.job.job();
  const std::string_view text = as_text(payload);
  // TerminalStateReached / InvalidStateTransition: the job was cancelled or
  // finished elsewhere; anything else (throttling) is only logged.
  if (contains(text, "TerminalStateReached"sv) || contains(text, "InvalidStateTransition"sv)) {
    OTTER_AGENT_LOG(kWarning) << "job " << job << " ended by the service; stopping";
    if (state_ == AgentState::kDownloading) abandon_job();
    return;
  }
  OTTER_AGENT_LOG(kWarning) << "status update of " << job << " rejected";
}

void Agent::handle_stream_rejected(std::span<const std::uint8_t> payload, StreamFormat format) {
  ++stats_.stream_errors;
  // The retry timers ask again; a stream that stays refused ends in FAILED
  // after max_request_retries. The error text is only logged: without a
  // console there is nothing to decode.
#if OTTER_AGENT_CONSOLE
#if OTTER_AGENT_JSON_STREAMS
  const auto error = format == StreamFormat::kCbor ? protocol::decode_stream_error_cbor(payload)
                                                   : protocol::decode_stream_error_json(as_text(payload));
#else
  const auto error = protocol::decode_stream_error_cbor(payload);
#endif
  OTTER_AGENT_LOG(kWarning) << "stream request rejected: " << (error.ok() ? error->code : "?") << " "
                                    << (error.ok() ? error->message : "");
#endif
  (void)payload;
  (void)format;
}

// Publishes a status update of the job in hand (progress at QoS 0, the others
// at QoS 1, kept until the next connection if not sent); false if it cannot be
// encoded.
bool Agent::report(protocol::Update update, JobStatus status, std::string_view text, const std::uint32_t* numbers) {
  decltype(update_) json;  // whatever fits here can be kept
  const auto n = protocol::encode_update(json, update, {status, text, numbers});
  if (!n.ok()) return false;
  const std::string_view to = topic(TopicKind::kJobUpdate, tables_.job.job());
  if (to.empty()) return true;
  ++stats_.updates_sent;
  const bool keep = update != protocol::Update::kProgress;
  const Status s = connected_ ? transport_.publish(to, as_bytes({json.data(), *n}), keep ? 1 : 0) : Status::kIoError;
  if (s == Status::kOk || !keep) return true;
  // Keep the last unsent status update until the next connection.
  std::memcpy(update_.data(), json.data(), *n);
  update_size_ = *n;
  update_job_ = tables_.job.job_id;
  update_pending_ = true;
  return true;
}

void Agent::send_pending_update() {
  if (!update_pending_ || !connected_) return;
  const std::string_view to = topic(TopicKind::kJobUpdate, protocol::c_string(update_job_));
  if (to.empty()) return;
  if (transport_.publish(to, as_bytes({update_.data(), update_size_}), 1) == Status::kOk)
    update_pending_ = false;
}

void Agent::poll() {
  if (state_ == AgentState::kStopped) return;
  const auto now = static_cast<std::uint32_t>(clock_.now_ms());
  // Also offline: a device that cannot reach the service still installs.
  // (request_reset() asks once.)
  if (state_ == AgentState::kReadyToReset && reached(now, reset_deadline_)) request_reset();
  if (!connected_) return;
  send_pending_update();
  if (state_ == AgentState::kRequestingJob && reached(now, job_request_deadline_)) {
    ++job_request_retries_;
    request_next_job();
  }
  if (state_ == AgentState::kSelfTest && reached(now, self_test_deadline_)) {
    OTTER_AGENT_LOG(kError) << "self-test timed out";
    self_test_done(false);
  }
  if (state_ != AgentState::kDownloading) return;
  // No answer to the reconnect's $next/get: ask anyway (AWS-like services
  // that lost it; the request timers take over from here).
  if (awaiting_service_ && reached(now, job_request_deadline_)) awaiting_service_ = false;
  // Slots past requests_in_flight are never used (missing stays 0).
  for (Request& r : tables_.requests) {
    if (r.missing == 0 || !reached(now, r.deadline)) continue;
    if (r.retries >= config_.max_request_retries) {
      end_job(Ending::kDownloadTimedOut, received_count_);
      return;
    }
    ++r.retries;
    ++stats_.request_retries;
    OTTER_AGENT_LOG(kWarning) << "no data for blocks " << r.first << ".." << (r.end - 1) << ", asking again (retry "
                                      << r.retries << ")";
    send_request(r);
  }
  fill_window();
}

std::uint64_t Agent::next_deadline_ms() const {
  const bool downloading = state_ == AgentState::kDownloading;
  bool any = false;
  std::uint32_t next = 0;
  const auto consider = [&](bool scheduled, std::uint32_t deadline) {
    if (scheduled && (!any || reached(next, deadline))) next = deadline;
    any = any || scheduled;
  };
  consider(state_ == AgentState::kRequestingJob || (downloading && awaiting_service_), job_request_deadline_);
  consider(state_ == AgentState::kSelfTest, self_test_deadline_);
  consider(state_ == AgentState::kReadyToReset && !reset_requested_, reset_deadline_);
  for (const Request& r : tables_.requests) consider(downloading && r.missing != 0, r.deadline);
  if (!any) return UINT64_MAX;
  // Back to the clock's 64-bit time: the deadline is within 24 days of now.
  const std::uint64_t now = clock_.now_ms();
  return now + static_cast<std::uint64_t>(static_cast<std::int64_t>(static_cast<std::int32_t>(next - static_cast<std::uint32_t>(now))));
}

}  // namespace otter::agent
