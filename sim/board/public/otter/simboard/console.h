// A board's serial console: each line prefixed with the board's name and the
// time since the process started, like a terminal on the board's COM port
// (the seed's demo log). Fleet runs silence most boards.
#pragma once

#include <cstdio>
#include <mutex>
#include <string>
#include <string_view>

#include <fmt/format.h>

namespace otter::simboard {

class Console {
 public:
  // `out` nullptr = silent (lines are still counted).
  Console(std::string board, std::FILE* out) : board_(std::move(board)), out_(out) {}

  template <typename... Args>
  void print(fmt::format_string<Args...> format, Args&&... args) {
    line(fmt::format(format, std::forward<Args>(args)...));
  }
  void line(std::string_view text);
  std::size_t lines() const { return lines_; }
  const std::string& last_line() const { return last_; }

 private:
  std::string board_;
  std::FILE* out_;
  std::size_t lines_ = 0;
  std::string last_;
};

}  // namespace otter::simboard
