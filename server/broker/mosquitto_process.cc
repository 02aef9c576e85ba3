#include "otter/broker/mosquitto_process.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <functional>
#include <optional>
#include <sstream>
#include <string_view>
#include <thread>

namespace otter::broker {
namespace {

using Clock = std::chrono::steady_clock;

// An address for host:port (numeric or name), for probing the listener.
addrinfo* resolve(const std::string& host, std::uint16_t port) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* result = nullptr;
  const std::string service = std::to_string(port);
  if (::getaddrinfo(host.c_str(), service.c_str(), &hints, &result) != 0) return nullptr;
  return result;
}

bool accepts_connections(const std::string& host, std::uint16_t port) {
  addrinfo* addresses = resolve(host, port);
  bool ok = false;
  for (addrinfo* a = addresses; a != nullptr && !ok; a = a->ai_next) {
    const int fd = ::socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
    if (fd < 0) continue;
    ok = ::connect(fd, a->ai_addr, a->ai_addrlen) == 0;
    ::close(fd);
  }
  if (addresses != nullptr) ::freeaddrinfo(addresses);
  return ok;
}

// True when something already listens there: a broker that cannot bind
// exits, but a probe could meet the other listener first and report success.
bool port_taken(const std::string& host, std::uint16_t port) { return accepts_connections(host, port); }

std::string tail_of(const std::filesystem::path& path, size_t max_bytes) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return {};
  std::ostringstream text;
  text << in.rdbuf();
  std::string all = text.str();
  return all.size() > max_bytes ? all.substr(all.size() - max_bytes) : all;
}

// How many times the log says `marker` (a log line of its own).
size_t count_log_lines(const std::filesystem::path& log, std::string_view head, std::string_view tail) {
  std::ifstream in(log);
  size_t n = 0;
  for (std::string line; std::getline(in, line);) {
    if (line.find(head) != std::string::npos && line.size() >= tail.size() &&
        line.compare(line.size() - tail.size(), tail.size(), tail) == 0) {
      ++n;
    }
  }
  return n;
}

size_t running_lines(const std::filesystem::path& log) { return count_log_lines(log, "mosquitto version ", " running"); }
size_t reload_lines(const std::filesystem::path& log) { return count_log_lines(log, "Reloading config.", "."); }

// Sends bytes that are not a TLS record and waits until the broker closes the
// connection. The broker is single-threaded, so when it has served this
// socket it has finished whatever it was doing when the probe was sent.
bool broker_served_probe(const std::string& host, std::uint16_t port, std::chrono::milliseconds timeout) {
  addrinfo* addresses = resolve(host, port);
  bool served = false;
  for (addrinfo* a = addresses; a != nullptr && !served; a = a->ai_next) {
    const int fd = ::socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
    if (fd < 0) continue;
    timeval tv{};
    tv.tv_sec = static_cast<time_t>(timeout.count() / 1000);
    tv.tv_usec = static_cast<suseconds_t>((timeout.count() % 1000) * 1000);
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    if (::connect(fd, a->ai_addr, a->ai_addrlen) == 0) {
      static constexpr char kNotTls[] = "otter reload probe\r\n\r\n";
      if (::send(fd, kNotTls, sizeof(kNotTls) - 1, MSG_NOSIGNAL) > 0) {
        char buffer[256];
        while (true) {
          const ssize_t got = ::recv(fd, buffer, sizeof(buffer), 0);
          if (got == 0 || (got < 0 && errno == ECONNRESET)) {
            served = true;
            break;
          }
          if (got < 0) break;  // timeout
        }
      }
    }
    ::close(fd);
  }
  if (addresses != nullptr) ::freeaddrinfo(addresses);
  return served;
}

// After a SIGHUP: the log line says the reload started; a probe served
// afterwards says it finished.
void wait_for_reload(const MosquittoOptions& options, size_t reloads_before, std::chrono::milliseconds timeout,
                     const std::function<bool()>& alive) {
  const auto deadline = Clock::now() + timeout;
  auto tail = [&] { return tail_of(options.log_file, 2000); };
  while (reload_lines(options.log_file) <= reloads_before) {
    if (!alive()) throw BrokerProcessError("mosquitto exited while reloading:\n" + tail());
    if (Clock::now() > deadline) throw BrokerProcessError("mosquitto did not reload in time:\n" + tail());
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  if (!broker_served_probe(options.host, options.port, timeout)) {
    throw BrokerProcessError("mosquitto did not finish reloading in time:\n" + tail());
  }
}

// The pid in `pid_file` when it names a live mosquitto process (a stale file
// may name a recycled pid).
std::optional<pid_t> live_mosquitto_pid(const std::filesystem::path& pid_file) {
  std::ifstream in(pid_file);
  long pid = 0;
  if (!(in >> pid) || pid <= 0) return std::nullopt;
  std::ifstream comm("/proc/" + std::to_string(pid) + "/comm");
  std::string name;
  if (!std::getline(comm, name) || name != "mosquitto") return std::nullopt;
  return static_cast<pid_t>(pid);
}

}  // namespace

MosquittoProcess::MosquittoProcess(MosquittoOptions options) : options_(std::move(options)) {
  if (options_.port == 0) throw BrokerProcessError("MosquittoOptions.port is not set");
  if (options_.config.empty()) throw BrokerProcessError("MosquittoOptions.config is not set");
  start();
}

MosquittoProcess::~MosquittoProcess() {
  try {
    stop();
  } catch (...) {
    // A destructor must not throw; the child is reaped by init at worst.
  }
}

void MosquittoProcess::start() {
  if (running()) return;
  if (!std::filesystem::exists(options_.binary)) {
    throw BrokerProcessError(options_.binary.string() + " not found (install the mosquitto package)");
  }
  if (port_taken(options_.host, options_.port)) {
    throw BrokerProcessError("port " + std::to_string(options_.port) + " on " + options_.host +
                             " is already in use; stop the other broker or pick another port");
  }
  const std::string console = options_.console_log.empty() ? std::string("/dev/null") : options_.console_log.string();
  const std::string binary = options_.binary.string();
  const std::string config = options_.config.string();
  const pid_t parent = ::getpid();
  const size_t running_before = options_.log_file.empty() ? 0 : running_lines(options_.log_file);

  const pid_t child = ::fork();
  if (child < 0) throw BrokerProcessError(std::string("fork failed: ") + std::strerror(errno));
  if (child == 0) {
    // Only async-signal-safe calls from here to exec.
    // The broker must not outlive a crashed test or otterd.
    ::prctl(PR_SET_PDEATHSIG, SIGTERM);
    if (::getppid() != parent) ::_exit(127);
    const int fd = ::open(console.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (fd >= 0) {
      ::dup2(fd, STDOUT_FILENO);
      ::dup2(fd, STDERR_FILENO);
    }
    const int null_in = ::open("/dev/null", O_RDONLY);
    if (null_in >= 0) ::dup2(null_in, STDIN_FILENO);
    // Sockets and files of the parent (otterd's MQTT connection, SQLite) are
    // not the broker's business.
    ::close_range(3, ~0U, 0);
    const char* argv[] = {binary.c_str(), "-c", config.c_str(), nullptr};
    ::execv(binary.c_str(), const_cast<char* const*>(argv));
    ::_exit(127);
  }
  pid_ = child;
  try {
    wait_until_accepting(running_before);
  } catch (...) {
    kill();
    throw;
  }
}

void MosquittoProcess::wait_until_accepting(size_t running_before) {
  const auto deadline = Clock::now() + options_.start_timeout;
  while (true) {
    int status = 0;
    const pid_t done = ::waitpid(pid_, &status, WNOHANG);
    if (done == pid_) {
      pid_ = -1;
      throw BrokerProcessError("mosquitto exited during start (" +
                               (WIFEXITED(status) ? "status " + std::to_string(WEXITSTATUS(status))
                                                  : "signal " + std::to_string(WTERMSIG(status))) +
                               "):\n" + console_tail());
    }
    // The listener accepts a moment before the signal handlers are installed;
    // "running" in the log comes after them (a SIGHUP earlier would kill it).
    if (accepts_connections(options_.host, options_.port) &&
        (options_.log_file.empty() || running_lines(options_.log_file) > running_before)) {
      return;
    }
    if (Clock::now() > deadline) {
      throw BrokerProcessError("mosquitto did not accept connections on " + options_.host + ":" +
                               std::to_string(options_.port) + " in time:\n" + console_tail());
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

void MosquittoProcess::stop() {
  if (!running()) return;
  ::kill(pid_, SIGTERM);
  const auto deadline = Clock::now() + options_.stop_timeout;
  while (Clock::now() < deadline) {
    if (::waitpid(pid_, nullptr, WNOHANG) == pid_) {
      pid_ = -1;
      return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  kill();
}

void MosquittoProcess::kill() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGKILL);
  while (::waitpid(pid_, nullptr, 0) < 0 && errno == EINTR) {
  }
  pid_ = -1;
}

void MosquittoProcess::restart() {
  stop();
  start();
}

void MosquittoProcess::reload() {
  if (!running()) throw BrokerProcessError("cannot reload: mosquitto is not running");
  ::kill(pid_, SIGHUP);
}

void MosquittoProcess::reload_and_wait(std::chrono::milliseconds timeout) {
  if (options_.log_file.empty()) throw BrokerProcessError("reload_and_wait needs MosquittoOptions.log_file");
  const size_t before = reload_lines(options_.log_file);
  reload();
  wait_for_reload(options_, before, timeout, [this] { return running(); });
}

bool MosquittoProcess::running() {
  if (pid_ <= 0) return false;
  if (::waitpid(pid_, nullptr, WNOHANG) == pid_) {
    pid_ = -1;
    return false;
  }
  return true;
}

std::string MosquittoProcess::console_tail() const {
  std::string text = tail_of(options_.console_log, 2000);
  // The broker's own log says why a listener failed.
  const std::string log_text = tail_of(options_.log_file, 2000);
  if (!log_text.empty()) text += "\n--- " + options_.log_file.string() + " ---\n" + log_text;
  return text.empty() ? "(no output; see the broker log)" : text;
}

bool reload_running_broker(const BrokerConfig& config, std::chrono::milliseconds timeout) {
  const auto options = options_for(config);
  const auto pid = live_mosquitto_pid(BrokerPaths{config.dir}.pid_file());
  if (!pid) return false;
  const size_t before = reload_lines(options.log_file);
  if (::kill(*pid, SIGHUP) != 0) {
    throw BrokerProcessError("cannot signal mosquitto (pid " + std::to_string(*pid) + "): " + std::strerror(errno));
  }
  wait_for_reload(options, before, timeout, [&] { return ::kill(*pid, 0) == 0; });
  return true;
}

MosquittoOptions options_for(const BrokerConfig& config) {
  const BrokerPaths paths{config.dir};
  MosquittoOptions options;
  options.config = paths.config();
  options.console_log = paths.console();
  options.log_file = paths.log();
  options.port = config.tls_port;
  const bool wildcard = config.bind_address == "0.0.0.0" || config.bind_address == "::";
  options.host = wildcard ? "127.0.0.1" : config.bind_address;
  return options;
}

std::uint16_t pick_free_loopback_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) throw BrokerProcessError(std::string("socket: ") + std::strerror(errno));
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = 0;
  socklen_t size = sizeof(address);
  if (::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &size) != 0) {
    const int error = errno;
    ::close(fd);
    throw BrokerProcessError(std::string("cannot find a free port: ") + std::strerror(error));
  }
  ::close(fd);
  return ntohs(address.sin_port);
}

}  // namespace otter::broker
