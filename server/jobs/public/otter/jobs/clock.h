#pragma once
// The engine reads time only through a Clock, so tests move time by hand.
#include <atomic>
#include <chrono>

#include "otter/model/time.h"

namespace otter::jobs {

class Clock {
 public:
  virtual ~Clock() = default;
  virtual model::Millis now() const = 0;
};

class SystemClock final : public Clock {
 public:
  model::Millis now() const override {
    using namespace std::chrono;
    return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
  }
};

class ManualClock final : public Clock {
 public:
  explicit ManualClock(model::Millis start = 1'700'000'000'000) : now_(start) {}
  model::Millis now() const override { return now_.load(); }
  void advance(model::Millis by) { now_ += by; }
  void set(model::Millis to) { now_ = to; }

 private:
  std::atomic<model::Millis> now_;
};

}  // namespace otter::jobs
