#include "otter/simboard/console.h"

#include <chrono>

namespace otter::simboard {
namespace {
const auto kStart = std::chrono::steady_clock::now();
}

void Console::line(std::string_view text) {
  ++lines_;
  last_.assign(text);
  if (!out_) return;
  const double t = std::chrono::duration<double>(std::chrono::steady_clock::now() - kStart).count();
  // One fputs per line so lines from boards never interleave mid-line.
  const std::string out = fmt::format("{:8.3f} [{}] {}\n", t, board_, text);
  std::fputs(out.c_str(), out_);
  std::fflush(out_);
}

}  // namespace otter::simboard
