// Otter's bootloader as a Cortex-M4 image for QEMU (mps2-an386): the board's
// internal and external flash are host files (internal.bin, external.bin)
// reached through semihosting; the provisioned public key is read from the
// board's key area in internal flash, as on a device. Runs the bootloader
// once (one reset), reports the outcome on the semihosting console and exits
// with status 0 when there is an image to boot.
//
// An optional host file "board.cfg" holds "<board name> <backup|no-backup|sd-staging>";
// the default is "numaker-iot-m487 backup".
#include <array>
#include <cstring>
#include <string_view>

#include "otter/boards/board_profile.h"
#include "otter/boot/boot_control.h"
#include "otter/ports/semihosting.h"
#include "semihosting_flash.h"

namespace {

namespace sh = otter::semihosting;
using otter::boot::Mode;
using otter::boot::State;

// Console output without printf (keeps the image small).
class Line {
 public:
  Line& operator<<(const char* text) {
    append(text, std::strlen(text));
    return *this;
  }
  Line& operator<<(std::string_view text) {
    append(text.data(), text.size());
    return *this;
  }
  Line& operator<<(otter::Version v) {
    std::array<char, 24> text{};
    const auto n = otter::format_version(v, text);
    append(text.data(), n.value_or(0));
    return *this;
  }
  Line& operator<<(unsigned v) {
    char text[10];
    std::size_t n = 0;
    do {
      text[sizeof(text) - 1 - n++] = static_cast<char>('0' + v % 10);
      v /= 10;
    } while (v != 0 && n < sizeof(text));
    append(text + sizeof(text) - n, n);
    return *this;
  }
  Line& hex(std::uint32_t v) {
    char text[11] = {'0', 'x'};
    for (int i = 0; i < 8; ++i) text[2 + i] = "0123456789abcdef"[(v >> (28 - 4 * i)) & 0xF];
    append(text, 10);
    return *this;
  }
  ~Line() {
    append("\n", 1);
    sh::write(buffer_.data(), size_);
  }

 private:
  void append(const char* text, std::size_t n) {
    n = std::min(n, buffer_.size() - size_);
    std::memcpy(buffer_.data() + size_, text, n);
    size_ += n;
  }
  std::array<char, 200> buffer_{};
  std::size_t size_ = 0;
};

const char* state_name(State s) {
  switch (s) {
    case State::kIdle: return "idle";
    case State::kInstallRequested: return "install-requested";
    case State::kTrial: return "trial";
    case State::kRolledBack: return "rolled-back";
    case State::kInstallFailed: return "install-failed";
    case State::kTrialFailed: return "trial-failed";
  }
  return "?";
}

const char* mode_name(Mode m) {
  switch (m) {
    case Mode::kBackup: return "backup";
    case Mode::kNoBackup: return "no-backup";
    case Mode::kSdStaging: return "sd-staging";
  }
  return "?";
}

// Reads board.cfg if present.
void read_config(const otter::boards::BoardProfile*& board, Mode& mode) {
  board = otter::boards::find_board("numaker-iot-m487");
  mode = board->default_mode;
  const int handle = sh::open("board.cfg", sh::OpenMode::kReadBinary);
  if (handle < 0) return;
  std::array<char, 64> text{};
  const long length = sh::file_length(handle);
  const std::size_t n = length > 0 ? std::min<std::size_t>(static_cast<std::size_t>(length), text.size()) : 0;
  const bool ok = n > 0 && sh::read(handle, text.data(), n) == 0;
  sh::close(handle);
  if (!ok) return;
  std::string_view cfg(text.data(), n);
  while (!cfg.empty() && (cfg.back() == '\n' || cfg.back() == ' ')) cfg.remove_suffix(1);
  // (No substr(): it may throw, and firmware links no exception support.)
  const auto space = cfg.find(' ');
  const std::string_view name(cfg.data(), space == std::string_view::npos ? cfg.size() : space);
  if (const auto* b = otter::boards::find_board(name); b != nullptr) {
    board = b;
    mode = b->default_mode;
  }
  if (space == std::string_view::npos) return;
  const std::string_view m(cfg.data() + space + 1, cfg.size() - space - 1);
  if (m == "backup") mode = Mode::kBackup;
  if (m == "no-backup") mode = Mode::kNoBackup;
  if (m == "sd-staging") mode = Mode::kSdStaging;
}

// Stack high-water mark: paint the free RAM below main's frame, run the
// bootloader, find the deepest word it overwrote.
extern "C" std::uint32_t _ebss;
constexpr std::uint32_t kPaint = 0x5AC3A55Au;

std::uint32_t* stack_pointer() {
  std::uint32_t* sp;
  asm volatile("mov %0, sp" : "=r"(sp));
  return sp;
}

// Not inlined: with link-time optimization the bootloader's frames would
// otherwise be part of main's, above the painted stack, and go uncounted.
__attribute__((noinline)) otter::Result<otter::boot::BootStatus> run(const otter::boot::Layout& layout,
                                                                     const otter::image::PublicKey& key) {
  return otter::boot::run_bootloader(layout, key);
}

}  // namespace

int main() {
  std::uint32_t* const top = stack_pointer() - 16;  // leave this frame's neighbourhood alone
  for (volatile std::uint32_t* p = &_ebss + 16; p < top; ++p) *p = kPaint;

  const otter::boards::BoardProfile* board = nullptr;
  Mode mode = Mode::kBackup;
  read_config(board, mode);
  Line() << "otter-boot: board " << board->name << ", mode " << mode_name(mode);

  // Locals, not statics: a static with a destructor would pull in atexit().
  otter::boot::qemu::SemihostingFlash internal("internal.bin", board->internal.geometry);
  otter::boot::qemu::SemihostingFlash external("external.bin", board->external.geometry);
  if (internal.open() != otter::Status::kOk || external.open() != otter::Status::kOk) {
    Line() << "otter-boot: FAIL: internal.bin / external.bin missing or of the wrong size";
    return 1;
  }
  const otter::boot::Layout layout = otter::boards::make_layout(*board, internal, external, mode);

  static otter::image::PublicKey key;
  if (internal.read(board->public_key.offset, key.point) != otter::Status::kOk || key.point[0] != 0x04) {
    Line() << "otter-boot: FAIL: no public key provisioned in the key area";
    return 1;
  }

  const auto status = run(layout, key);
  {
    volatile std::uint32_t* p = &_ebss + 16;
    while (p < top && *p == kPaint) ++p;
    Line() << "otter-boot: peak stack of run_bootloader "
           << static_cast<unsigned>(reinterpret_cast<std::uintptr_t>(top) - reinterpret_cast<std::uintptr_t>(p))
           << " bytes (static RAM: crypto heap and buffers in .bss)";
  }
  if (!status.ok()) {
    Line() << "otter-boot: FAIL: nothing to boot: " << otter::to_string(status.status());
    return 1;
  }
  Line() << "otter-boot: state " << state_name(status->state) << ", running " << status->running << ", previous "
         << status->previous << ", boot attempts " << static_cast<unsigned>(status->boot_attempts) << ", last error "
         << otter::to_string(status->last_error);
  {
    Line line;  // a device jumps there; the test inspects the flash files instead
    line << "otter-boot: booting the app at ";
    line.hex(board->app.offset);
  }
  return 0;
}
