// A temporary directory per test, and a way to run a command line in it and
// capture its exit code and output.
#pragma once

#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "otter/image/image_file.h"

namespace otter::image::testing {

struct CommandResult {
  int exit_code = -1;
  std::string output;  // stdout and stderr
};

class WorkDir {
 public:
  WorkDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "otter-image-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) std::abort();
    path_ = pattern;
  }
  ~WorkDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  WorkDir(const WorkDir&) = delete;
  WorkDir& operator=(const WorkDir&) = delete;

  std::string operator/(const std::string& name) const { return (path_ / name).string(); }

  // Runs `command` with the directory as working directory.
  CommandResult run(const std::string& command) const {
    const std::string line = "cd '" + path_.string() + "' && " + command + " 2>&1";
    CommandResult result;
    FILE* pipe = ::popen(line.c_str(), "r");
    if (pipe == nullptr) return result;
    std::array<char, 4096> buffer{};
    std::size_t n = 0;
    while ((n = std::fread(buffer.data(), 1, buffer.size(), pipe)) > 0) result.output.append(buffer.data(), n);
    const int status = ::pclose(pipe);
    result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return result;
  }

 private:
  std::filesystem::path path_;
};

inline std::string otter_cli() { return OTTER_CLI; }
inline std::string openssl_cli() { return OPENSSL_CLI; }

}  // namespace otter::image::testing
