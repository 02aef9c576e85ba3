// Power-cut injection shared by all simulated memories of one board: the
// flash operations of a board are numbered in the order they happen (across
// its internal and external memories); "cut at N" makes operation N tear
// (partially done, unpredictable contents in its range) and every later one
// fail until power is restored, as on a real board that lost power.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>

namespace otter::sim {

// SplitMix64: 8 bytes of state (a std::mt19937_64 carries 2.5 KB; the fleet
// simulator keeps thousands of boards), good enough for torn contents.
class SplitMix64 {
 public:
  using result_type = std::uint64_t;
  explicit SplitMix64(std::uint64_t seed = 1) : state_(seed) {}
  void seed(std::uint64_t seed) { state_ = seed; }
  static constexpr result_type min() { return 0; }
  static constexpr result_type max() { return ~result_type{0}; }
  result_type operator()() {
    std::uint64_t z = (state_ += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }

 private:
  std::uint64_t state_;
};

class PowerSupply {
 public:
  explicit PowerSupply(std::uint64_t seed = 1) : random_(seed) {}

  enum class Verdict : std::uint8_t { kRun, kTear, kOff };
  enum class Operation : std::uint8_t { kRead, kProgram, kErase };

  // Called for every operation that starts with power on (index, kind), in
  // order: lets a test learn what an algorithm does before choosing cuts.
  using Trace = std::function<void(std::uint64_t index, Operation operation)>;
  void set_trace(Trace trace) { trace_ = std::move(trace); }

  // Arms a cut at the operation with this 0-based index (counted from now).
  void cut_at(std::uint64_t operation) { cut_at_ = operations_ + operation; }
  void cancel_cut() { cut_at_.reset(); }
  // Power back on (a reboot); a pending cut stays disarmed.
  void restore() {
    on_ = true;
    cut_at_.reset();
  }
  bool on() const { return on_; }
  // Operations started since construction (including torn and refused ones).
  std::uint64_t operations() const { return operations_; }

  // Called by a memory at the start of each operation.
  Verdict begin_operation(Operation operation) {
    if (!on_) return Verdict::kOff;
    const std::uint64_t index = operations_++;
    if (trace_) trace_(index, operation);
    if (cut_at_ && index == *cut_at_) {
      on_ = false;
      cut_at_.reset();
      return Verdict::kTear;
    }
    return Verdict::kRun;
  }

  // Seeded randomness for torn contents, so a failing scenario replays exactly.
  SplitMix64& random() { return random_; }
  void reseed(std::uint64_t seed) { random_.seed(seed); }

 private:
  SplitMix64 random_;
  Trace trace_;
  std::optional<std::uint64_t> cut_at_;
  std::uint64_t operations_ = 0;
  bool on_ = true;
};

}  // namespace otter::sim
