#include "harness.h"

#include <cbor.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace otter::agent_test {

using nlohmann::json;

// ---------------------------------------------------------------- TestApp

void TestApp::log(agent::LogLevel level, std::string_view line) {
  lines.emplace_back(line);
  if (std::getenv("OTTER_AGENT_TEST_LOG") != nullptr)
    std::fprintf(stderr, "%d %.*s\n", static_cast<int>(level), static_cast<int>(line.size()), line.data());
}

bool TestApp::logged(std::string_view needle) const {
  return std::any_of(lines.begin(), lines.end(), [&](const std::string& l) { return l.find(needle) != std::string::npos; });
}

// ----------------------------------------------------------- AuditedFlash

bool AuditedFlash::begin(std::uint32_t address, std::size_t length, const char* what) {
  const bool inside = std::any_of(allowed_.begin(), allowed_.end(), [&](const auto& a) {
    return address >= a.first && address + length <= static_cast<std::uint64_t>(a.first) + a.second;
  });
  if (!inside) violations.push_back(std::string(what) + " at " + std::to_string(address) + "+" + std::to_string(length));
  if (off_) return false;
  tearing_ = false;
  if (cut_at_ && operations_ == *cut_at_) {
    off_ = true;
    tearing_ = true;
  }
  ++operations_;
  return true;
}

Status AuditedFlash::read(std::uint32_t address, std::span<std::uint8_t> out) {
  if (off_) return Status::kIoError;
  return inner_.read(address, out);
}

Status AuditedFlash::program(std::uint32_t address, std::span<const std::uint8_t> data) {
  if (!begin(address, data.size(), "program")) return Status::kIoError;
  if (tearing_) {
    // Half of the data made it, the last of it garbled.
    std::vector<std::uint8_t> torn(data.begin(), data.begin() + static_cast<std::ptrdiff_t>(data.size() / 2));
    if (!torn.empty()) torn.back() ^= 0x5A;
    const std::uint32_t unit = inner_.geometry().program_size;
    torn.resize(torn.size() / unit * unit);
    if (!torn.empty()) (void)inner_.program(address, torn);
    return Status::kIoError;
  }
  return inner_.program(address, data);
}

Status AuditedFlash::erase(std::uint32_t address, std::uint32_t length) {
  if (!begin(address, length, "erase")) return Status::kIoError;
  if (tearing_) return Status::kIoError;  // an interrupted erase: contents left as they were
  return inner_.erase(address, length);
}

// -------------------------------------------------------- ModelBootloader

Status ModelBootloader::verify_staged(std::uint32_t size, std::span<const std::uint8_t> signature,
                                      image::Digest& digest) {
  ++verifications;
  return image::verify_image(layout_.staging, size, signature, key_, &digest);
}

Status ModelBootloader::request_install(const boot::InstallRequest& request) {
  if (request.version.encoded() < status_.min_version) return Status::kDowngrade;
  installed = request;
  status_.state = boot::State::kInstallRequested;
  return Status::kOk;
}

Status ModelBootloader::confirm() {
  if (status_.state != boot::State::kTrial) return Status::kInvalidArgument;
  status_.state = boot::State::kIdle;
  return Status::kOk;
}

Status ModelBootloader::reject(Status reason) {
  rejected = true;
  status_.last_error = reason;
  return Status::kOk;
}

void ModelBootloader::reset() {
  if (status_.state == boot::State::kInstallRequested && installed) {
    status_.previous = status_.running;
    status_.running = installed->version;
    status_.state = boot::State::kTrial;
  } else if (status_.state == boot::State::kTrial) {
    // Never confirmed, or rejected: the backup comes back.
    status_.running = status_.previous;
    status_.state = boot::State::kRolledBack;
    if (!rejected) status_.last_error = boot::kReasonNotConfirmed;
  }
  rejected = false;
}

// ------------------------------------------------------------ CBOR helpers

namespace {

struct CborRef {
  cbor_item_t* item = nullptr;
  explicit CborRef(cbor_item_t* i) : item(i) {}
  ~CborRef() {
    if (item != nullptr) cbor_decref(&item);
  }
  CborRef(const CborRef&) = delete;
  CborRef& operator=(const CborRef&) = delete;
};

std::vector<std::uint8_t> serialize(cbor_item_t* item) {
  unsigned char* buffer = nullptr;
  std::size_t size = 0;
  const std::size_t n = cbor_serialize_alloc(item, &buffer, &size);
  std::vector<std::uint8_t> out(buffer, buffer + n);
  std::free(buffer);
  return out;
}

void add_pair(cbor_item_t* map, const char* key, cbor_item_t* value) {
  cbor_map_add(map, cbor_pair{.key = cbor_move(cbor_build_string(key)), .value = cbor_move(value)});
}

cbor_item_t* uint_item(std::uint32_t v, bool wide) {
  if (wide) return cbor_build_uint32(v);
  if (v <= 0xFF) return cbor_build_uint8(static_cast<std::uint8_t>(v));
  if (v <= 0xFFFF) return cbor_build_uint16(static_cast<std::uint16_t>(v));
  return cbor_build_uint32(v);
}

std::vector<std::uint8_t> unbase64(const std::string& text) {
  std::vector<std::uint8_t> out;
  std::uint32_t acc = 0;
  int bits = 0;
  for (const char c : text) {
    int v = -1;
    if (c >= 'A' && c <= 'Z') v = c - 'A';
    else if (c >= 'a' && c <= 'z') v = c - 'a' + 26;
    else if (c >= '0' && c <= '9') v = c - '0' + 52;
    else if (c == '+') v = 62;
    else if (c == '/') v = 63;
    else continue;
    acc = (acc << 6) | static_cast<std::uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<std::uint8_t>(acc >> bits));
    }
  }
  return out;
}

bool topic_matches(const std::string& filter, const std::string& topic) {
  std::size_t f = 0;
  std::size_t t = 0;
  while (f < filter.size() && t <= topic.size()) {
    if (filter[f] == '+') {
      while (t < topic.size() && topic[t] != '/') ++t;
      ++f;
      continue;
    }
    if (t >= topic.size() || filter[f] != topic[t]) return false;
    ++f;
    ++t;
  }
  return f == filter.size() && t == topic.size();
}

}  // namespace

std::vector<std::uint8_t> cbor_block(std::uint32_t file_id, std::uint32_t index, std::span<const std::uint8_t> payload,
                                     std::optional<std::uint32_t> length, bool wide_integers) {
  CborRef map(cbor_new_definite_map(length ? 4 : 3));
  add_pair(map.item, "f", uint_item(file_id, wide_integers));
  add_pair(map.item, "i", uint_item(index, wide_integers));
  if (length) add_pair(map.item, "l", uint_item(*length, wide_integers));
  add_pair(map.item, "p", cbor_build_bytestring(payload.data(), payload.size()));
  return serialize(map.item);
}

std::string base64(std::span<const std::uint8_t> data) {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  for (std::size_t i = 0; i < data.size(); i += 3) {
    std::uint32_t v = static_cast<std::uint32_t>(data[i]) << 16;
    if (i + 1 < data.size()) v |= static_cast<std::uint32_t>(data[i + 1]) << 8;
    if (i + 2 < data.size()) v |= data[i + 2];
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += i + 1 < data.size() ? kAlphabet[(v >> 6) & 63] : '=';
    out += i + 2 < data.size() ? kAlphabet[v & 63] : '=';
  }
  return out;
}

// -------------------------------------------------------- FakeOtaService

Status FakeOtaService::subscribe(std::string_view topic) {
  if (!connected) return Status::kIoError;
  subscriptions.insert(std::string(topic));
  return Status::kOk;
}

Status FakeOtaService::unsubscribe(std::string_view topic) {
  if (!connected) return Status::kIoError;
  subscriptions.erase(std::string(topic));
  return Status::kOk;
}

bool FakeOtaService::subscribed(const std::string& topic) const {
  return std::any_of(subscriptions.begin(), subscriptions.end(),
                     [&](const std::string& filter) { return topic_matches(filter, topic); });
}

Status FakeOtaService::publish(std::string_view topic_view, std::span<const std::uint8_t> payload, std::uint8_t qos) {
  if (!connected || refuse_publish(std::string(topic_view))) return Status::kIoError;
  if (!device_powered()) return Status::kOk;
  Message m{std::string(topic_view), {payload.begin(), payload.end()}, qos};
  from_device.push_back(m);
  if (service_away) {
    // Only the broker is up: QoS 1 messages wait in the service's persistent
    // session, QoS 0 ones reach nobody.
    if (qos > 0) held.push_back(std::move(m));
    return Status::kOk;
  }
  serve(m);
  return Status::kOk;
}

void FakeOtaService::service_returns() {
  service_away = false;
  std::vector<Message> waiting = std::move(held);
  held.clear();
  for (const Message& m : waiting) serve(m);
}

void FakeOtaService::serve(const Message& m) {
  const std::string prefix = "$aws/things/" + thing_ + "/";
  if (m.topic.rfind(prefix, 0) != 0) {
    protocol_errors.push_back("publish outside the thing's subtree: " + m.topic);
    return;
  }
  const std::string rest = m.topic.substr(prefix.size());
  if (rest == "jobs/$next/get") {
    handle_next_get(m);
  } else if (rest.rfind("jobs/", 0) == 0 && rest.size() > 12 && rest.substr(rest.size() - 7) == "/update") {
    handle_update(rest.substr(5, rest.size() - 12), m);
  } else if (rest.rfind("streams/", 0) == 0 && (rest.ends_with("/get/cbor") || rest.ends_with("/get/json"))) {
    handle_stream_get(rest.substr(8, rest.size() - 17), m, rest.ends_with("/get/json"));
  } else {
    protocol_errors.push_back("unexpected topic: " + m.topic);
  }
}

json FakeOtaService::execution_json(const JobSpec& job) const {
  json file = {{"filepath", "numaker-iot-m487-ota.bin"},
               {"filesize", job.image.size()},
               {"fileid", job.file_id},
               {"certfile", "Code_Verify_Key"},
               {"sig-sha256-ecdsa", job.signature_base64},
               {"fileType", 0}};
  if (job.allow_downgrade) file["allowDowngrade"] = *job.allow_downgrade;
  json e = {{"jobId", job.job_id},
            {"thingName", thing_},
            {"status", job.status},
            {"queuedAt", 1700000000},
            {"lastUpdatedAt", 1700000001},
            {"versionNumber", job.version_number},
            {"executionNumber", job.execution_number},
            {"jobDocument",
             {{"afr_ota", {{"protocols", {"MQTT"}}, {"streamname", job.stream}, {"files", json::array({file})}}}}}};
  if (!job.status_details.empty()) e["statusDetails"] = job.status_details;
  return e;
}

void FakeOtaService::notify_next() {
  json doc = {{"timestamp", 1700000002}};
  if (!jobs.empty()) doc["execution"] = execution_json(jobs.front());
  const std::string text = doc.dump();
  send(topic("jobs/notify-next"), {text.begin(), text.end()});
}

void FakeOtaService::handle_next_get(const Message& m) {
  json request = json::parse(m.text(), nullptr, false);
  if (!request.is_object() || !request.contains("clientToken") || !request["clientToken"].is_string() ||
      request.size() != 1)
    protocol_errors.push_back("$next/get body: " + m.text());
  json doc = {{"timestamp", 1700000002}};
  if (request.is_object() && request.contains("clientToken")) doc["clientToken"] = request["clientToken"];
  if (!jobs.empty()) doc["execution"] = execution_json(jobs.front());
  const std::string text = doc.dump();
  send(topic("jobs/$next/get/accepted"), {text.begin(), text.end()});
  if (answer_on_notify_next) notify_next();
}

void FakeOtaService::handle_update(const std::string& job_id, const Message& m) {
  json doc = json::parse(m.text(), nullptr, false);
  static const std::set<std::string> kStatuses = {"IN_PROGRESS", "SUCCEEDED", "FAILED", "REJECTED"};
  bool ok = doc.is_object() && doc.contains("status") && doc["status"].is_string() &&
            kStatuses.count(doc["status"].get<std::string>()) == 1 && doc.contains("statusDetails") &&
            doc["statusDetails"].is_object() && doc.size() == 2;
  if (ok) {
    for (const auto& [k, v] : doc["statusDetails"].items()) ok = ok && v.is_string();
  }
  if (!ok) protocol_errors.push_back("update body: " + m.text());
  if (m.text().find(' ') != std::string::npos && m.text().find("accepted v") == std::string::npos)
    protocol_errors.push_back("update with spaces: " + m.text());
  updates.push_back({{"job", job_id}, {"doc", doc}, {"qos", m.qos}});
  if (jobs.empty() || jobs.front().job_id != job_id || !ok) return;
  JobSpec& job = jobs.front();
  job.version_number++;
  job.status_details = doc["statusDetails"];
  if (answer_updates) {
    const std::string accepted = json{{"timestamp", 1700000000}}.dump();
    send(topic("jobs/" + job_id + "/update/accepted"), {accepted.begin(), accepted.end()});
  }
  const std::string status = doc["status"];
  if (status == "IN_PROGRESS") {
    job.status = status;
    return;
  }
  jobs.pop_front();
  notify_next();
}

std::vector<std::uint8_t> FakeOtaService::data_block(const JobSpec& job, std::uint32_t index, std::uint32_t block_size,
                                                     bool as_json) const {
  const std::size_t offset = static_cast<std::size_t>(index) * block_size;
  const std::size_t n = std::min<std::size_t>(block_size, job.image.size() - offset);
  const std::span<const std::uint8_t> payload(job.image.data() + offset, n);
  if (as_json) {
    const std::string text =
        json{{"f", job.file_id}, {"i", index}, {"l", n}, {"p", base64(payload)}}.dump();
    return {text.begin(), text.end()};
  }
  return cbor_block(job.file_id, index, payload, static_cast<std::uint32_t>(n));
}

void FakeOtaService::handle_stream_get(const std::string& stream, const Message& m, bool as_json) {
  // Decode with an independent implementation and insist on the documented keys.
  std::uint64_t file_id = 0, block_size = 0, offset = 0, count = 0;
  std::vector<std::uint8_t> bitmap;
  bool has_bitmap = false;
  std::string token;
  std::set<std::string> keys;
  if (as_json) {
    json doc = json::parse(m.text(), nullptr, false);
    if (!doc.is_object()) {
      protocol_errors.push_back("GetStream JSON: " + m.text());
      return;
    }
    for (const auto& [k, v] : doc.items()) keys.insert(k);
    token = doc.value("c", "");
    file_id = doc.value("f", 0ULL);
    block_size = doc.value("l", 0ULL);
    offset = doc.value("o", 0ULL);
    count = doc.value("n", 0ULL);
    if (doc.contains("b")) {
      has_bitmap = true;
      bitmap = unbase64(doc["b"].get<std::string>());
    }
    stream_requests.push_back(doc);
  } else {
    cbor_load_result result{};
    CborRef item(cbor_load(m.payload.data(), m.payload.size(), &result));
    if (item.item == nullptr || result.error.code != CBOR_ERR_NONE || !cbor_isa_map(item.item) ||
        !cbor_map_is_definite(item.item) || result.read != m.payload.size()) {
      protocol_errors.push_back("GetStream CBOR does not decode");
      return;
    }
    json decoded = json::object();
    cbor_pair* pairs = cbor_map_handle(item.item);
    for (std::size_t i = 0; i < cbor_map_size(item.item); ++i) {
      if (!cbor_isa_string(pairs[i].key)) {
        protocol_errors.push_back("GetStream key is not text");
        return;
      }
      const std::string key(reinterpret_cast<const char*>(cbor_string_handle(pairs[i].key)), cbor_string_length(pairs[i].key));
      keys.insert(key);
      cbor_item_t* v = pairs[i].value;
      if (key == "c" && cbor_isa_string(v)) {
        token.assign(reinterpret_cast<const char*>(cbor_string_handle(v)), cbor_string_length(v));
        decoded[key] = token;
      } else if (key == "b" && cbor_isa_bytestring(v)) {
        has_bitmap = true;
        bitmap.assign(cbor_bytestring_handle(v), cbor_bytestring_handle(v) + cbor_bytestring_length(v));
        decoded[key] = bitmap;
      } else if ((key == "f" || key == "l" || key == "o" || key == "n") && cbor_isa_uint(v)) {
        const std::uint64_t value = cbor_get_int(v);
        decoded[key] = value;
        (key == "f" ? file_id : key == "l" ? block_size : key == "o" ? offset : count) = value;
      } else {
        protocol_errors.push_back("GetStream field " + key + " has the wrong type");
      }
    }
    stream_requests.push_back(decoded);
  }
  const std::set<std::string> expected = {"c", "f", "l", "o", "b", "n"};
  if (keys != expected) protocol_errors.push_back("GetStream keys differ from {c,f,l,o,b,n}");
  if (token != "rdy") protocol_errors.push_back("GetStream client token is not \"rdy\"");
  if (jobs.empty() || jobs.front().stream != stream) {
    // A stream that does not exist: the rejected topic, like AWS.
    CborRef err(cbor_new_definite_map(3));
    add_pair(err.item, "o", cbor_build_string("ResourceNotFound"));
    add_pair(err.item, "m", cbor_build_string("no such stream"));
    add_pair(err.item, "c", cbor_build_string(token.c_str()));
    send(topic("streams/" + stream + "/rejected/cbor"), serialize(err.item));
    return;
  }
  const JobSpec& job = jobs.front();
  if (file_id != job.file_id || block_size < 256 || block_size > 128 * 1024 || count == 0) {
    protocol_errors.push_back("GetStream with bad file id, block size or count");
    return;
  }
  const std::uint64_t blocks = (job.image.size() + block_size - 1) / block_size;
  std::vector<std::uint32_t> wanted;
  if (has_bitmap) {
    for (std::size_t bit = 0; bit < bitmap.size() * 8 && wanted.size() < count; ++bit) {
      if ((bitmap[bit / 8] & (1U << (bit % 8))) != 0 && offset + bit < blocks)
        wanted.push_back(static_cast<std::uint32_t>(offset + bit));
    }
  } else {
    for (std::uint64_t b = offset; b < blocks && wanted.size() < count; ++b) wanted.push_back(static_cast<std::uint32_t>(b));
  }
  std::vector<Message> burst;
  const std::string data_topic = topic("streams/" + stream + (as_json ? "/data/json" : "/data/cbor"));
  for (const std::uint32_t index : wanted)
    burst.push_back({data_topic, data_block(job, index, static_cast<std::uint32_t>(block_size), as_json)});
  if (mangle) mangle(burst);
  for (Message& msg : burst) {
    // Count what is really sent (after drops), by the block it carries.
    std::uint32_t index = UINT32_MAX;
    if (as_json) {
      const json d = json::parse(msg.text(), nullptr, false);
      if (d.is_object() && d.contains("i") && d["i"].is_number_unsigned()) index = d["i"];
    } else {
      cbor_load_result r{};
      CborRef item(cbor_load(msg.payload.data(), msg.payload.size(), &r));
      if (item.item != nullptr && cbor_isa_map(item.item)) {
        cbor_pair* pairs = cbor_map_handle(item.item);
        for (std::size_t i = 0; i < cbor_map_size(item.item); ++i) {
          if (cbor_isa_string(pairs[i].key) && cbor_string_length(pairs[i].key) == 1 &&
              cbor_string_handle(pairs[i].key)[0] == 'i' && cbor_isa_uint(pairs[i].value))
            index = static_cast<std::uint32_t>(cbor_get_int(pairs[i].value));
        }
      }
    }
    inbox.push_back(std::move(msg));
    ++blocks_sent;
    if (index != UINT32_MAX) {
      ++served[index];
      if (on_block_sent) on_block_sent(index);
    }
  }
}

void FakeOtaService::disconnect(agent::Agent& agent) {
  connected = false;
  inbox.clear();
  subscriptions.clear();
  agent.on_disconnected();
}

void FakeOtaService::reconnect(agent::Agent& agent) {
  connected = true;
  agent.on_connected();
}

bool FakeOtaService::run(agent::Agent& agent, FakeClock& clock, const std::function<bool()>& done, int max_steps) {
  for (int step = 0; step < max_steps; ++step) {
    if (done()) return true;
    if (!inbox.empty()) {
      Message m = std::move(inbox.front());
      inbox.pop_front();
      if (connected && subscribed(m.topic)) agent.on_message(m.topic, m.payload);
      continue;
    }
    const std::uint64_t next = agent.next_deadline_ms();
    if (next == UINT64_MAX) return done();  // nothing will ever happen
    clock.now = std::max(clock.now + 1, next);
    agent.poll();
  }
  return done();
}

std::vector<json> FakeOtaService::updates_for(const std::string& job) const {
  std::vector<json> out;
  for (const json& u : updates) {
    if (u["job"] == job) out.push_back(u["doc"]);
  }
  return out;
}

std::optional<json> FakeOtaService::last_update(const std::string& job) const {
  const auto all = updates_for(job);
  if (all.empty()) return std::nullopt;
  return all.back();
}

}  // namespace otter::agent_test
