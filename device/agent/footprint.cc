// Cortex-M4 footprint of the OTA agent with its JSON (jsmn) and CBOR code, the
// protocol module and the download record. The transport, clock, application
// and bootloader are the port's and the boot/image modules' (measured in their
// own footprints): here they are minimal implementations so that the agent's
// every path is linked. With link-time optimization nothing here may be
// visible to the optimizer: the ports are noipa (their constant answers must
// not prune agent code) and the inputs pass through an opaque barrier.
//
// Built twice: with the agent, and with OTTER_FOOTPRINT_PORTS_ONLY as the
// agent's baseline: the same stand-in ports and message buffer (the
// firmware's, like AWS's PAL and MQTT glue, not the agent's) without the
// agent, so the size report subtracts exactly them.
#include "otter/agent/agent.h"

#define OPAQUE [[gnu::noipa]]

namespace {

using namespace otter;

class NullFlash final : public flash::FlashDevice {
 public:
  // Keeps the deleting destructor from referencing the global operator delete.
  static void operator delete(void*, std::size_t) {}
  OPAQUE flash::Geometry geometry() const override { return {.size = 1 << 20, .erase_size = 4096, .program_size = 1, .program_page = 256}; }
  OPAQUE Status read(std::uint32_t, std::span<std::uint8_t> out) override {
    for (auto& b : out) b = 0xFF;
    return Status::kOk;
  }
  OPAQUE Status program(std::uint32_t, std::span<const std::uint8_t>) override { return Status::kOk; }
  OPAQUE Status erase(std::uint32_t, std::uint32_t) override { return Status::kOk; }
};

class Port final : public agent::Transport, public agent::Clock, public agent::Application, public agent::Bootloader {
 public:
  static void operator delete(void*, std::size_t) {}
  OPAQUE Status publish(std::string_view, std::span<const std::uint8_t>, std::uint8_t) override { return Status::kOk; }
  OPAQUE Status subscribe(std::string_view) override { return Status::kOk; }
  OPAQUE Status unsubscribe(std::string_view) override { return Status::kOk; }
  OPAQUE std::uint64_t now_ms() override { return ++now_; }
  OPAQUE void request_reset() override {}
  OPAQUE void start_self_test() override {}
  OPAQUE void log(agent::LogLevel, std::string_view) override {}
  OPAQUE std::uint32_t hardware_id() const override { return 1; }
  OPAQUE Result<image::Descriptor> read_staged_descriptor() override { return Status::kNotFound; }
  OPAQUE Status verify_staged(std::uint32_t, std::span<const std::uint8_t>, image::Digest&) override { return Status::kOk; }
  OPAQUE Status request_install(const boot::InstallRequest&) override { return Status::kOk; }
  OPAQUE Result<boot::BootStatus> status() override { return boot::BootStatus{}; }
  OPAQUE Status confirm() override { return Status::kOk; }
  OPAQUE Status reject(Status) override { return Status::kOk; }

 private:
  std::uint64_t now_ = 0;
};

NullFlash flash_device;
Port port;
boot::Layout layout;

}  // namespace

namespace {
// The optimizer must assume anything about what `p` points to.
void opaque(const void* p) { asm volatile("" : : "r"(p) : "memory"); }
}  // namespace

#ifdef OTTER_FOOTPRINT_PORTS_ONLY
int main() {
  static std::uint8_t message[256];
  opaque(message);
  opaque(&port);
  opaque(&flash_device);
  return 0;
}
#else
int main() {
  layout.staging = flash::Partition(flash_device, 0, 512 * 1024);
  layout.download = flash::Partition(flash_device, 512 * 1024, 8192);
  agent::AgentConfig config;
  config.thing_name = "footprint";
  opaque(&config);
  static agent::Agent agent(config, port, port, port, layout, port);
  (void)agent.start();
  agent.on_connected();
  static constexpr std::string_view topic = "$aws/things/footprint/jobs/notify-next";
  static std::uint8_t message[256];
  opaque(message);
  agent.on_message(topic, message);
  static constexpr std::string_view data_topic = "$aws/things/footprint/streams/s/data/cbor";
  agent.on_message(data_topic, message);
  agent.poll();
  agent.self_test_done(true);
  agent.on_disconnected();
  return static_cast<int>(agent.state());
}
#endif
