// Durability: 200 simulated devices update through a real otterd process that
// is killed with SIGKILL at random moments and restarted. Afterwards every
// update a device saw acknowledged is in otterd's database exactly as sent,
// and every device finished.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <mosquitto.h>

#include <atomic>
#include <fstream>
#include <iterator>
#include <random>

#include <gtest/gtest.h>

#include "harness.h"
#include "otter/jobs/service.h"
#include "otter/model/json.h"
#include "otter/store/sqlite_store.h"

namespace otter::testing {
namespace {

using nlohmann::json;

constexpr int kDevices = 200;
constexpr std::size_t kImageSize = 6000;
constexpr std::uint64_t kBlockSize = 1024;
constexpr std::size_t kBlocks = (kImageSize + kBlockSize - 1) / kBlockSize;

// otterd as a child process.
class OtterdProcess {
 public:
  OtterdProcess(std::filesystem::path data_dir, std::uint16_t port) : data_dir_(std::move(data_dir)), port_(port) {}
  ~OtterdProcess() { kill_now(); }

  void start() {
    std::string port = std::to_string(port_);
    std::string log = (data_dir_ / "otterd.log").string();
    pid_ = fork();
    if (pid_ == 0) {
      FILE* f = std::freopen(log.c_str(), "a", stdout);
      (void)f;
      dup2(fileno(stdout), fileno(stderr));
      // A SIGTERM sent before otterd reaches its sigwait() must wait for it,
      // not kill it: the mask survives exec and otterd keeps it blocked.
      sigset_t term;
      sigemptyset(&term);
      sigaddset(&term, SIGTERM);
      sigprocmask(SIG_BLOCK, &term, nullptr);
      execl(OTTERD_BINARY, "otterd", "--data-dir", data_dir_.c_str(), "--mqtt-port", port.c_str(), "--log-level",
            "warn", static_cast<char*>(nullptr));
      _exit(127);
    }
    ASSERT_GT(pid_, 0);
  }

  void kill_now() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
    pid_ = -1;
  }

  int stop() {
    if (pid_ <= 0) return -1;
    ::kill(pid_, SIGTERM);
    int status = 0;
    waitpid(pid_, &status, 0);
    pid_ = -1;
    return status;
  }

 private:
  std::filesystem::path data_dir_;
  std::uint16_t port_;
  pid_t pid_ = -1;
};

// A device that behaves like an OTA agent and retries every step until answered.
class SimulatedDevice {
 public:
  enum class Step { Discovering, Starting, Downloading, Finishing, Done };

  SimulatedDevice(const DeviceCredentials& c, std::uint16_t port, const std::vector<std::uint8_t>& image)
      : name_(c.name), image_(image), have_(kBlocks, false), data_(image.size()) {
    mosq_ = mosquitto_new(name_.c_str(), true, this);
    mosquitto_int_option(mosq_, MOSQ_OPT_PROTOCOL_VERSION, MQTT_PROTOCOL_V311);
    mosquitto_tls_set(mosq_, c.ca_file.c_str(), nullptr, c.cert_file.c_str(), c.key_file.c_str(), nullptr);
    mosquitto_connect_callback_set(mosq_, [](mosquitto* m, void* self, int rc) {
      if (rc != 0) return;
      auto* d = static_cast<SimulatedDevice*>(self);
      std::string base = "$aws/things/" + d->name_;
      for (const char* t : {"/jobs/notify-next", "/jobs/$next/get/accepted", "/jobs/+/update/accepted",
                            "/jobs/+/update/rejected", "/streams/+/data/cbor"})
        mosquitto_subscribe(m, nullptr, (base + t).c_str(), 1);
      d->connected_ = true;
    });
    mosquitto_message_callback_set(mosq_, [](mosquitto*, void* self, const mosquitto_message* m) {
      static_cast<SimulatedDevice*>(self)->on_message(m);
    });
    mosquitto_connect_async(mosq_, "127.0.0.1", port, 30);
    mosquitto_loop_start(mosq_);
  }
  ~SimulatedDevice() {
    mosquitto_disconnect(mosq_);
    mosquitto_loop_stop(mosq_, false);
    mosquitto_destroy(mosq_);
  }

  // Re-sends the current step when nothing happened for a while (lost answers, otterd down).
  void retry_if_idle(std::chrono::steady_clock::time_point now) {
    std::lock_guard lock(mutex_);
    if (!connected_ || step_ == Step::Done || now - last_activity_ < std::chrono::milliseconds(800)) return;
    send_step();
  }

  bool done() {
    std::lock_guard lock(mutex_);
    return step_ == Step::Done;
  }
  Step step() {
    std::lock_guard lock(mutex_);
    return step_;
  }
  const std::string& name() const { return name_; }
  std::vector<std::pair<std::string, json>> acknowledged() {
    std::lock_guard lock(mutex_);
    return acknowledged_;
  }

 private:
  void publish(const std::string& topic, const std::vector<std::uint8_t>& payload) {
    mosquitto_publish(mosq_, nullptr, topic.c_str(), static_cast<int>(payload.size()), payload.data(), 1, false);
  }
  void publish(const std::string& topic, const json& j) {
    std::string s = j.dump();
    publish(topic, std::vector<std::uint8_t>(s.begin(), s.end()));
  }

  // The client token says which update an answer belongs to.
  static json progress(std::size_t received) {
    return {{"status", "IN_PROGRESS"},
            {"statusDetails", {{"receive", std::to_string(received) + "/" + std::to_string(kBlocks)}}},
            {"clientToken", "p" + std::to_string(received)}};
  }
  static json update_for(Step step) {
    if (step == Step::Starting) return progress(0);
    return {{"status", "SUCCEEDED"},
            {"statusDetails", {{"reason", "accepted v1.0.1"}, {"updatedBy", "v1.0.0"}}},
            {"clientToken", "done"}};
  }
  static json without_token(json update) {
    update.erase("clientToken");
    return update;
  }

  // Called with mutex_ held.
  void send_step() {
    last_activity_ = std::chrono::steady_clock::now();
    std::string base = "$aws/things/" + name_;
    switch (step_) {
      case Step::Discovering:
        publish(base + "/jobs/$next/get", json{{"clientToken", "n:" + name_}});
        break;
      case Step::Starting:
      case Step::Finishing:
        publish(base + "/jobs/" + job_ + "/update", update_for(step_));
        break;
      case Step::Downloading: {
        burst_received_ = 0;
        std::vector<std::uint8_t> bitmap((kBlocks + 7) / 8, 0);
        for (std::size_t i = 0; i < kBlocks; ++i)
          if (!have_[i]) bitmap[i / 8] = static_cast<std::uint8_t>(bitmap[i / 8] | (1u << (i % 8)));
        // Two blocks per request: more round trips, so the kills find work in flight.
        publish(base + "/streams/" + stream_ + "/get/cbor", encode_request("rdy", 0, kBlockSize, 0, 2, bitmap));
        break;
      }
      case Step::Done:
        break;
    }
  }

  void on_message(const mosquitto_message* m) {
    std::string topic = m->topic;
    const auto* p = static_cast<const std::uint8_t*>(m->payload);
    std::vector<std::uint8_t> payload(p, p + m->payloadlen);
    std::lock_guard lock(mutex_);
    last_activity_ = std::chrono::steady_clock::now();
    if (topic.find("/data/cbor") != std::string::npos) {
      auto block = decode_block(payload);
      if (!block || step_ != Step::Downloading || block->i >= kBlocks) return;
      std::copy(block->p.begin(), block->p.end(), data_.begin() + static_cast<std::ptrdiff_t>(block->i * kBlockSize));
      if (!have_[block->i]) {
        have_[block->i] = true;
        // Progress after every block (QoS 1, never retried: like the agent's reports).
        publish("$aws/things/" + name_ + "/jobs/" + job_ + "/update",
                progress(static_cast<std::size_t>(std::count(have_.begin(), have_.end(), true))));
        ++burst_received_;
      }
      if (std::all_of(have_.begin(), have_.end(), [](bool b) { return b; })) {
        if (data_ != image_) {
          corrupt_ = true;
          return;
        }
        step_ = Step::Finishing;
        send_step();
      } else if (burst_received_ == 2) {
        send_step();  // the next burst
      }
      return;
    }
    json j = json::parse(std::string(payload.begin(), payload.end()), nullptr, false);
    if (j.is_discarded()) return;
    if (topic.ends_with("notify-next") || topic.ends_with("$next/get/accepted")) {
      if (step_ != Step::Discovering || !j.contains("execution")) return;
      job_ = j["execution"]["jobId"].get<std::string>();
      stream_ = j["execution"]["jobDocument"]["afr_ota"]["streamname"].get<std::string>();
      step_ = Step::Starting;
      send_step();
    } else if (topic.ends_with("/update/accepted")) {
      std::string token = j.value("clientToken", "");
      if (token.empty()) return;
      if (token[0] == 'p') {
        acknowledged_.emplace_back(name_, without_token(progress(std::stoul(token.substr(1)))));
      } else if (token == "done") {
        acknowledged_.emplace_back(name_, without_token(update_for(Step::Finishing)));
      }
      if ((token == "p0" && step_ == Step::Starting) || (token == "done" && step_ == Step::Finishing)) {
        step_ = step_ == Step::Starting ? Step::Downloading : Step::Done;
        send_step();
      }
    } else if (topic.ends_with("/update/rejected")) {
      // An earlier SUCCEEDED was committed but its answer was lost in a crash.
      if (step_ == Step::Finishing && j.value("code", "") == "InvalidStateTransition" &&
          j["executionState"].value("status", "") == "SUCCEEDED")
        step_ = Step::Done;
    }
  }

  std::string name_;
  const std::vector<std::uint8_t>& image_;
  mosquitto* mosq_ = nullptr;
  std::mutex mutex_;
  std::atomic<bool> connected_{false};
  Step step_ = Step::Discovering;
  std::string job_, stream_;
  std::vector<bool> have_;
  std::vector<std::uint8_t> data_;
  bool corrupt_ = false;
  int burst_received_ = 0;
  std::chrono::steady_clock::time_point last_activity_{};
  std::vector<std::pair<std::string, json>> acknowledged_;
};

TEST(OtterdDurability, KilledRepeatedlyDuringA200DeviceJobItLosesNoAcknowledgedStateAndAllDevicesFinish) {
  mosquitto_lib_init();
  TestStack stack;
  auto image_path = stack.image("fw", kImageSize);
  std::ifstream in(image_path, std::ios::binary);
  std::vector<std::uint8_t> image{std::istreambuf_iterator<char>(in), {}};

  std::vector<std::string> names;
  {
    jobs::ManualClock clock(std::chrono::duration_cast<std::chrono::milliseconds>(
                                std::chrono::system_clock::now().time_since_epoch())
                                .count());
    model::Metrics metrics;
    jobs::Core core(store::open_sqlite_store(stack.data_dir() / "otterd.db"), clock, metrics);
    jobs::Registry registry(core);
    jobs::JobService service(core);
    jobs::OtaJobSpec spec;
    spec.job.id = "dur";
    for (int i = 0; i < kDevices; ++i) {
      names.push_back("sim-" + std::to_string(i));
      registry.create_thing(names.back());
      spec.job.targets.push_back({model::JobTarget::Kind::Thing, names.back()});
    }
    jobs::OtaJobFile f;
    f.file.filepath = "fw.bin";
    f.file.fileid = 0;
    f.file.certfile = "Code_Verify_Key";
    f.file.signature_base64 = "MEUCIQ==";
    f.source_path = image_path.string();
    spec.files.push_back(f);
    service.create_ota_job(spec);
  }

  OtterdProcess otterd(stack.data_dir(), stack.port());
  otterd.start();
  std::vector<std::unique_ptr<SimulatedDevice>> devices;
  for (const auto& n : names) devices.push_back(std::make_unique<SimulatedDevice>(stack.device(n), stack.port(), image));

  std::atomic<bool> stop{false};
  std::thread retrier([&] {
    while (!stop) {
      auto now = std::chrono::steady_clock::now();
      for (auto& d : devices) d->retry_if_idle(now);
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  });

  // Kills are placed by progress, not by the clock, so they always land
  // mid-job: at the start, then as 5%, 20%, 40%, 60% and 80% of the devices
  // finished, each after a further random delay.
  unsigned seed = std::random_device{}();
  std::mt19937 random(seed);
  std::uniform_int_distribution<int> jitter_ms(0, 250);
  auto finished_count = [&] {
    return static_cast<int>(std::count_if(devices.begin(), devices.end(), [](auto& d) { return d->done(); }));
  };
  std::vector<int> finished_at_kill;
  int kills = 0;
  for (double share : {0.0, 0.05, 0.2, 0.4, 0.6, 0.8}) {
    eventually([&] { return finished_count() >= static_cast<int>(share * kDevices); }, std::chrono::seconds(60));
    std::this_thread::sleep_for(std::chrono::milliseconds(100 + jitter_ms(random)));
    finished_at_kill.push_back(finished_count());
    otterd.kill_now();
    ++kills;
    std::this_thread::sleep_for(std::chrono::milliseconds(jitter_ms(random)));
    otterd.start();
  }
  bool all_done = eventually(
      [&] { return std::all_of(devices.begin(), devices.end(), [](auto& d) { return d->done(); }); },
      std::chrono::seconds(120));
  stop = true;
  retrier.join();
  EXPECT_EQ(otterd.stop(), 0) << "otterd did not stop cleanly on SIGTERM";
  int finished = static_cast<int>(std::count_if(devices.begin(), devices.end(), [](auto& d) { return d->done(); }));
  ASSERT_TRUE(all_done) << finished << " of " << kDevices << " devices finished (seed " << seed << ", " << kills
                        << " kills)";

  std::vector<std::vector<std::pair<std::string, json>>> acknowledged;
  for (auto& d : devices) acknowledged.push_back(d->acknowledged());
  devices.clear();

  auto store = store::open_sqlite_store(stack.data_dir() / "otterd.db");
  std::size_t checked = 0;
  for (std::size_t i = 0; i < names.size(); ++i) {
    auto execution = store->execution("dur", names[i]);
    ASSERT_TRUE(execution);
    EXPECT_EQ(execution->status, model::ExecutionStatus::Succeeded) << names[i] << " (seed " << seed << ")";
    auto events = store->events("dur", names[i]);
    for (const auto& [thing, update] : acknowledged[i]) {
      auto status = model::parse_execution_status(update["status"].get<std::string>());
      auto details = model::status_details_from_json(update["statusDetails"]);
      bool recorded = std::any_of(events.begin(), events.end(),
                                  [&](const auto& e) { return e.status == status && e.status_details == details; });
      EXPECT_TRUE(recorded) << thing << ": acknowledged " << update.dump() << " is not in the database (seed "
                            << seed << ")";
      ++checked;
    }
  }
  EXPECT_GE(checked, static_cast<std::size_t>(kDevices));
  std::string at;
  for (int n : finished_at_kill) at += " " + std::to_string(n);
  std::printf("durability: %d devices, %d kills (devices finished at each kill:%s), %zu acknowledged updates "
              "checked, seed %u\n",
              kDevices, kills, at.c_str(), checked, seed);
}

}  // namespace
}  // namespace otter::testing
