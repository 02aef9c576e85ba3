// The agent's Clock on a POSIX host: monotonic milliseconds.
#pragma once

#include <chrono>

#include "otter/agent/ports.h"

namespace otter::ports::posix {

class SteadyClock final : public agent::Clock {
 public:
  std::uint64_t now_ms() override {
    return static_cast<std::uint64_t>(
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now().time_since_epoch()).count());
  }
};

}  // namespace otter::ports::posix
