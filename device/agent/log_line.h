// A console line assembled in a fixed buffer (no printf: it would cost more
// flash than the whole agent), handed to Application::log when it goes out of
// scope.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

#include "otter/agent/ports.h"

namespace otter::agent {

class LogLine {
 public:
  LogLine(Application& app, LogLevel level) : app_(app), level_(level) { add("[OTA] "); }
  ~LogLine() { app_.log(level_, {buffer_.data(), size_}); }
  LogLine(const LogLine&) = delete;
  LogLine& operator=(const LogLine&) = delete;

  LogLine& add(std::string_view text) {
    for (const char c : text) {
      if (size_ < buffer_.size()) buffer_[size_++] = c;
    }
    return *this;
  }
  LogLine& add(std::uint32_t value) {
    char digits[10];
    int n = 0;
    do {
      digits[n++] = static_cast<char>('0' + value % 10);
      value /= 10;
    } while (value != 0);
    while (n > 0) add(std::string_view(&digits[--n], 1));
    return *this;
  }
  LogLine& operator<<(std::string_view text) { return add(text); }
  // Character by character: a string_view of it would link strlen (220 B).
  LogLine& operator<<(const char* text) {
    for (; *text != '\0'; ++text) {
      if (size_ < buffer_.size()) buffer_[size_++] = *text;
    }
    return *this;
  }
  LogLine& operator<<(std::uint32_t value) { return add(value); }

 private:
  Application& app_;
  LogLevel level_;
  std::array<char, 160> buffer_{};
  std::size_t size_ = 0;
};

}  // namespace otter::agent
