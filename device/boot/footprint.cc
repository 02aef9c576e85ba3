// Cortex-M4 footprint of the bootloader with image verification: the boot
// core, SHA-256 + ECDSA P-256 (mbedTLS), the board profile, and minimal
// register-level drivers standing in for the M480 FMC (APROM) and a SPI NOR.
#include <cstring>

#include "otter/boards/board_profile.h"
#include "otter/boot/boot_control.h"

namespace {

// M480 FMC: ISP registers at 0x4000C000 (TRM "FMC register map").
struct Fmc {
  std::uint32_t ispctl, ispaddr, ispdat, ispcmd, isptrg;
};
Fmc* const kFmc = reinterpret_cast<Fmc*>(0x4000C000);
constexpr std::uint32_t kIspProgram = 0x21, kIspPageErase = 0x22;

void fmc_run(std::uint32_t cmd, std::uint32_t address, std::uint32_t data) {
  volatile Fmc* fmc = kFmc;
  fmc->ispcmd = cmd;
  fmc->ispaddr = address;
  fmc->ispdat = data;
  fmc->isptrg = 1;
  while ((fmc->isptrg & 1) != 0) {
  }
}

class Aprom : public otter::flash::FlashDevice {
 public:
  // Never heap-allocated: keeps the deleting destructor off the global operator delete.
  static void operator delete(void*, std::size_t) {}
  otter::flash::Geometry geometry() const override { return {0x80000, 4096, 4, 4096, 0xFF, true}; }
  otter::Status read(std::uint32_t address, std::span<std::uint8_t> out) override {
    std::memcpy(out.data(), reinterpret_cast<const void*>(static_cast<std::uintptr_t>(address)), out.size());
    return otter::Status::kOk;
  }
  otter::Status program(std::uint32_t address, std::span<const std::uint8_t> data) override {
    for (std::size_t i = 0; i + 4 <= data.size(); i += 4) {
      std::uint32_t word;
      std::memcpy(&word, data.data() + i, 4);
      fmc_run(kIspProgram, address + static_cast<std::uint32_t>(i), word);
    }
    return otter::Status::kOk;
  }
  otter::Status erase(std::uint32_t address, std::uint32_t length) override {
    for (std::uint32_t a = address; a < address + length; a += 4096) fmc_run(kIspPageErase, a, 0);
    return otter::Status::kOk;
  }
};

// SPI NOR stand-in: command, address and data bytes through one data register.
volatile std::uint32_t* const kSpiData = reinterpret_cast<volatile std::uint32_t*>(0x40060020);

void spi_command(std::uint8_t cmd, std::uint32_t address) {
  *kSpiData = cmd;
  *kSpiData = (address >> 16) & 0xFF;
  *kSpiData = (address >> 8) & 0xFF;
  *kSpiData = address & 0xFF;
}

class SpiNor : public otter::flash::FlashDevice {
 public:
  static void operator delete(void*, std::size_t) {}
  otter::flash::Geometry geometry() const override { return {4 << 20, 4096, 1, 256, 0xFF, true}; }
  otter::Status read(std::uint32_t address, std::span<std::uint8_t> out) override {
    spi_command(0x03, address);
    for (auto& b : out) b = static_cast<std::uint8_t>(*kSpiData);
    return otter::Status::kOk;
  }
  otter::Status program(std::uint32_t address, std::span<const std::uint8_t> data) override {
    spi_command(0x02, address);
    for (auto b : data) *kSpiData = b;
    return otter::Status::kOk;
  }
  otter::Status erase(std::uint32_t address, std::uint32_t length) override {
    for (std::uint32_t a = address; a < address + length; a += 4096) spi_command(0x20, a);
    return otter::Status::kOk;
  }
};

}  // namespace

int main() {
  // Locals, not statics: a static with a destructor would pull in atexit().
  Aprom aprom;
  SpiNor spi;
  const otter::boards::BoardProfile& board = *otter::boards::find_board("numaker-iot-m487");
  const otter::boot::Layout layout = otter::boards::make_layout(board, aprom, spi);
  static otter::image::PublicKey key;
  std::memcpy(key.point.data(), reinterpret_cast<const void*>(static_cast<std::uintptr_t>(board.public_key.offset)),
              key.point.size());
  const auto status = otter::boot::run_bootloader(layout, key);
  return status.ok() ? static_cast<int>(status->state) : 100;
}
