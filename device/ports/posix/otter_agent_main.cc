// otter-agent: one device as a POSIX process. Its flash lives in files under
// --data-dir (board profile geometry); at every "reset" the real bootloader
// runs over them, then the OTA agent talks to the broker over mutual TLS.
// A console log like the seed's board shows what happens.
#include <CLI/CLI.hpp>

#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>
#include <vector>

#include "otter/agent/agent.h"
#include "otter/agent/boot_control_bootloader.h"
#include "otter/boards/board_profile.h"
#include "otter/ports/posix/file_flash.h"
#include "otter/ports/posix/mosquitto_transport.h"
#include "otter/ports/posix/steady_clock.h"

namespace {

using namespace otter;
using ports::posix::FileFlash;
using ports::posix::MosquittoTransport;

volatile std::sig_atomic_t g_stop = 0;
void on_signal(int) { g_stop = 1; }

std::vector<std::uint8_t> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::string version_text(Version v) {
  return "v" + std::to_string(v.major) + "." + std::to_string(v.minor) + "." + std::to_string(v.build);
}

enum class SelfTestMode { kPass, kFail, kHang };

class Console final : public agent::Application {
 public:
  Console(bool verbose, SelfTestMode mode, agent::Clock& clock) : verbose_(verbose), mode_(mode), clock_(clock) {}
  void request_reset() override { reset_requested = true; reset_at = clock_.now_ms() + 500; }
  void start_self_test() override {
    std::printf("[APP] self-test started\n");
    if (mode_ != SelfTestMode::kHang) self_test_due = clock_.now_ms() + 1000;
  }
  void log(agent::LogLevel level, std::string_view line) override {
    if (level == agent::LogLevel::kDebug && !verbose_) return;
    std::printf("%.*s\n", static_cast<int>(line.size()), line.data());
    std::fflush(stdout);
  }
  // Answers the self-test when due.
  void poll(agent::Agent& agent) {
    if (self_test_due != 0 && clock_.now_ms() >= self_test_due) {
      self_test_due = 0;
      std::printf("[APP] self-test %s\n", mode_ == SelfTestMode::kPass ? "passed" : "failed");
      agent.self_test_done(mode_ == SelfTestMode::kPass);
    }
  }

  bool reset_requested = false;
  std::uint64_t reset_at = 0;
  std::uint64_t self_test_due = 0;

 private:
  bool verbose_;
  SelfTestMode mode_;
  agent::Clock& clock_;
};

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"otter-agent: an Otter OTA device as a POSIX process (flash in files, real bootloader, MQTT over TLS)"};
  ports::posix::MqttOptions mqtt;
  std::string board_name = "numaker-iot-m487";
  std::string data_dir = "otter-device";
  std::string key_file;
  std::string factory_image;
  std::string self_test = "pass";
  bool baseline = false;
  bool json_stream = false;
  bool verbose = false;
  bool exit_when_idle = false;
  agent::AgentConfig config;
  app.add_option("--thing", mqtt.client_id, "Thing name (also the MQTT client id)")->required();
  app.add_option("--host", mqtt.host, "Broker host")->capture_default_str();
  app.add_option("--port", mqtt.port, "Broker port")->capture_default_str();
  app.add_option("--ca", mqtt.ca_file, "CA certificate (PEM) of the broker");
  app.add_option("--cert", mqtt.cert_file, "Device certificate (PEM)");
  app.add_option("--key", mqtt.key_file, "Device private key (PEM)");
  app.add_option("--board", board_name, "Board profile")->capture_default_str();
  app.add_option("--data-dir", data_dir, "Where the flash files live")->capture_default_str();
  app.add_option("--code-verify-key", key_file, "Code-signing certificate or public key (PEM/DER)")->required();
  app.add_option("--factory-image", factory_image, "Signed firmware programmed into the app area when it is blank");
  app.add_option("--block-size", config.block_size, "Stream block size in bytes (256..131072)")->capture_default_str();
  app.add_option("--blocks-per-request", config.blocks_per_request, "Blocks per GetStream request")->capture_default_str();
  app.add_option("--window", config.requests_in_flight, "Requests in flight")->capture_default_str();
  app.add_option("--progress-every", config.progress_every, "Progress report interval in blocks")->capture_default_str();
  app.add_flag("--aws-baseline", baseline, "AWS OTA library defaults (4 KiB blocks, 1 per request, 1 in flight)");
  app.add_flag("--json-stream", json_stream, "Use the JSON stream topics instead of CBOR");
  app.add_option("--self-test", self_test, "What the new firmware's self-test does: pass, fail or hang")
      ->check(CLI::IsMember({"pass", "fail", "hang"}));
  app.add_flag("--exit-when-idle", exit_when_idle, "Exit once no job is pending (for scripts)");
  app.add_flag("-v,--verbose", verbose, "Log every block");
  CLI11_PARSE(app, argc, argv);

  const boards::BoardProfile* board = boards::find_board(board_name);
  if (board == nullptr) {
    std::fprintf(stderr, "otter-agent: unknown board '%s'\n", board_name.c_str());
    return 2;
  }
  if (baseline) {
    const std::uint32_t every = config.progress_every;
    config = agent::AgentConfig::aws_baseline(mqtt.client_id);
    if (every != agent::AgentConfig{}.progress_every) config.progress_every = every;
  }
  config.thing_name = mqtt.client_id;
  if (json_stream) config.format = protocol::StreamFormat::kJson;
  const char* why = nullptr;
  if (config.validate(&why) != Status::kOk) {
    std::fprintf(stderr, "otter-agent: %s\n", why);
    return 2;
  }

  image::PublicKey key;
  try {
    const auto bytes = read_file(key_file);
    const auto parsed = image::parse_public_key(bytes);
    if (!parsed.ok()) {
      std::fprintf(stderr, "otter-agent: %s is not a P-256 certificate or public key (%s)\n", key_file.c_str(),
                   to_string(parsed.status()));
      return 2;
    }
    key = *parsed;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "otter-agent: %s\n", e.what());
    return 2;
  }

  std::filesystem::create_directories(data_dir);
  std::string error;
  auto internal = FileFlash::open(std::filesystem::path(data_dir) / "internal.flash", board->internal.geometry, error);
  auto external = internal ? FileFlash::open(std::filesystem::path(data_dir) / "external.flash", board->external.geometry, error)
                           : nullptr;
  if (!internal || !external) {
    std::fprintf(stderr, "otter-agent: %s\n", error.c_str());
    return 2;
  }
  const boot::Layout layout = boards::make_layout(*board, *internal, *external);
  if (!factory_image.empty()) {
    const auto blank = layout.app.is_erased(0, image::kMinImageSize);
    if (blank.ok() && *blank) {
      const auto image = read_file(factory_image);
      auto& memory = board->app.memory == boards::Memory::kInternal ? *internal : *external;
      if (image.size() > board->app.size || memory.poke(board->app.offset, image) != Status::kOk) {
        std::fprintf(stderr, "otter-agent: factory image %s does not fit the app area\n", factory_image.c_str());
        return 2;
      }
      std::printf("[FACTORY] %s programmed into app (%zu bytes)\n", factory_image.c_str(), image.size());
    }
  }

  std::signal(SIGINT, on_signal);
  std::signal(SIGTERM, on_signal);
  ports::posix::SteadyClock clock;
  const SelfTestMode mode = self_test == "pass" ? SelfTestMode::kPass : self_test == "fail" ? SelfTestMode::kFail : SelfTestMode::kHang;

  // One iteration per boot: the bootloader, then the application with its agent.
  while (g_stop == 0) {
    const auto boot_status = boot::run_bootloader(layout, key);
    if (!boot_status.ok()) {
      std::fprintf(stderr, "[BOOT] no bootable image (%s); program one with --factory-image\n",
                   to_string(boot_status.status()));
      return 1;
    }
    std::printf("[BOOT] %s on %s, running %s\n", mqtt.client_id.c_str(), board->name.data(),
                version_text(boot_status->running).c_str());
    agent::BootControlBootloader bootloader(layout, key);
    Console console(verbose, mode, clock);
    MosquittoTransport transport(mqtt);
    agent::Agent agent(config, transport, clock, bootloader, layout, console);
    transport.attach(&agent);
    if (transport.start() != Status::kOk) {
      std::fprintf(stderr, "otter-agent: %s\n", transport.last_error().c_str());
      return 2;
    }
    if (agent.start() != Status::kOk) return 2;
    std::string reported_error;
    while (g_stop == 0) {
      transport.loop(50);
      agent.poll();
      console.poll(agent);
      if (!transport.connected() && transport.last_error() != reported_error) {
        reported_error = transport.last_error();
        std::fprintf(stderr, "[MQTT] %s\n", reported_error.c_str());
      }
      if (console.reset_requested && clock.now_ms() >= console.reset_at) break;
      if (exit_when_idle && agent.state() == agent::AgentState::kWaitingForJob) {
        transport.stop();
        return 0;
      }
    }
    transport.stop();
    if (console.reset_requested) std::printf("[BOOT] reset\n");
  }
  return 0;
}
