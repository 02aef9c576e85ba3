// Result<T>: a value or a non-ok Status (an std::expected for a freestanding,
// exception-free C++20 target, where std::expected is not available).
#pragma once

#include <new>
#include <type_traits>
#include <utility>

#include "otter/core/status.h"

namespace otter {

template <typename T>
class [[nodiscard]] Result {
  static_assert(!std::is_reference_v<T>, "Result<T&> is not supported");

 public:
  // Implicit on purpose: `return value;` and `return Status::kX;` both work.
  Result(const T& value) : status_(Status::kOk) { new (&value_) T(value); }
  Result(T&& value) : status_(Status::kOk) { new (&value_) T(std::move(value)); }
  Result(Status status) : status_(status == Status::kOk ? Status::kInternal : status) {}

  Result(const Result& other) : status_(other.status_) {
    if (ok()) new (&value_) T(other.value_);
  }
  Result(Result&& other) noexcept : status_(other.status_) {
    if (ok()) new (&value_) T(std::move(other.value_));
  }
  Result& operator=(const Result& other) {
    if (this != &other) {
      reset();
      status_ = other.status_;
      if (ok()) new (&value_) T(other.value_);
    }
    return *this;
  }
  Result& operator=(Result&& other) noexcept {
    if (this != &other) {
      reset();
      status_ = other.status_;
      if (ok()) new (&value_) T(std::move(other.value_));
    }
    return *this;
  }
  ~Result() { reset(); }

  bool ok() const { return status_ == Status::kOk; }
  explicit operator bool() const { return ok(); }
  Status status() const { return status_; }

  // Precondition: ok(). Checked in debug builds by the caller's tests; on a
  // device there is nothing better to do than trap.
  // Always inlined: a check dominated by an earlier ok() test folds away.
  [[gnu::always_inline]] T& value() & { check(); return value_; }
  [[gnu::always_inline]] const T& value() const& { check(); return value_; }
  [[gnu::always_inline]] T&& value() && { check(); return std::move(value_); }
  [[gnu::always_inline]] T& operator*() & { return value(); }
  [[gnu::always_inline]] const T& operator*() const& { return value(); }
  [[gnu::always_inline]] T* operator->() { return &value(); }
  [[gnu::always_inline]] const T* operator->() const { return &value(); }

  T value_or(T fallback) const { return ok() ? value_ : fallback; }

 private:
  [[gnu::always_inline]] void check() const {
    if (!ok()) __builtin_trap();
  }
  void reset() {
    if (ok()) value_.~T();
  }

  Status status_;
  union {
    T value_;
  };
};

}  // namespace otter

// Evaluates a Result expression; on error returns its Status, otherwise
// assigns the value to `lhs` (a declaration or an lvalue).
#define OTTER_ASSIGN_OR_RETURN(lhs, expr)                         \
  OTTER_ASSIGN_OR_RETURN_IMPL_(OTTER_CONCAT_(otter_result_, __LINE__), lhs, expr)
#define OTTER_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                                 \
  if (!tmp.ok()) return tmp.status();                \
  lhs = std::move(tmp).value()
#define OTTER_CONCAT_(a, b) OTTER_CONCAT_IMPL_(a, b)
#define OTTER_CONCAT_IMPL_(a, b) a##b
