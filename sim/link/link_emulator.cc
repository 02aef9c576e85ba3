#include "otter/link/link_emulator.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <chrono>
#include <deque>
#include <queue>
#include <system_error>
#include <unordered_map>
#include <vector>

#include "otter/link/shaper.h"

namespace otter::link {
namespace {

using Clock = std::chrono::steady_clock;

// Data a direction may hold before it stops reading its source: TCP's own
// flow control then pushes back on the sender, as a full router queue would.
constexpr std::size_t kMaxQueuedBytes = 256 * 1024;
constexpr std::uint64_t kListenKey = 0;
constexpr std::uint64_t kWakeKey = 1;

[[noreturn]] void throw_errno(const char* what) { throw std::system_error(errno, std::generic_category(), what); }

sockaddr_in ipv4_address(const std::string& host, std::uint16_t port) {
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  const std::string literal = host == "localhost" ? "127.0.0.1" : host;
  if (inet_pton(AF_INET, literal.c_str(), &addr.sin_addr) != 1) {
    throw std::system_error(EINVAL, std::generic_category(), "link emulator: not an IPv4 address: " + host);
  }
  return addr;
}

void set_nodelay(int fd) {
  // The proxy must not add Nagle delays the modelled link does not have.
  int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

struct Segment {
  Nanos deliver_at;
  std::vector<std::uint8_t> bytes;
};

struct Pipe {
  Pipe(Shaper s) : shaper(std::move(s)) {}
  Shaper shaper;
  std::deque<Segment> queue;
  std::size_t queued_bytes = 0;
  std::size_t written = 0;  // bytes of the front segment already written
  bool source_eof = false;
  bool sink_shut = false;
  bool blocked = false;     // the sink returned EAGAIN
  Nanos timer{-1};          // pending timer for the front segment

  bool finished() const { return source_eof && queue.empty() && sink_shut; }
};

enum Side : std::uint64_t { kBoard = 0, kBroker = 1 };

struct Connection {
  Connection(std::uint64_t id_, int board, int broker, Shaper up_shaper, Shaper down_shaper)
      : id(id_), fd{board, broker}, up(std::move(up_shaper)), down(std::move(down_shaper)) {}
  std::uint64_t id;
  std::array<int, 2> fd;
  std::array<bool, 2> attached{true, true};
  std::array<std::uint32_t, 2> interest{0, 0};
  bool connecting = true;
  Pipe up;    // board -> broker
  Pipe down;  // broker -> board

  Pipe& from(Side side) { return side == kBoard ? up : down; }
  Pipe& to(Side side) { return side == kBoard ? down : up; }
};

}  // namespace

struct LinkEmulator::Loop {
  explicit Loop(LinkEmulator& o) : owner(o), upstream(ipv4_address(o.options_.upstream_host, o.options_.upstream_port)) {
    epfd = ::epoll_create1(EPOLL_CLOEXEC);
    if (epfd < 0) throw_errno("link emulator: epoll_create1");
    add(owner.listen_fd_, EPOLLIN, kListenKey);
    add(owner.wake_fd_, EPOLLIN, kWakeKey);
  }
  ~Loop() {
    while (!conns.empty()) close_connection(*conns.begin()->second, false);
    ::close(epfd);
  }

  void add(int fd, std::uint32_t events, std::uint64_t key) {
    epoll_event ev{};
    ev.events = events;
    ev.data.u64 = key;
    if (::epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev) != 0) throw_errno("link emulator: epoll_ctl");
  }

  Nanos now() const { return std::chrono::duration_cast<Nanos>(Clock::now() - epoch); }

  bool scheduled_outage(Nanos t) const {
    for (const auto& o : owner.options_.profile.outages) {
      if (t >= o.at && t < o.at + o.duration) return true;
    }
    return false;
  }

  Nanos next_outage_edge(Nanos t) const {
    Nanos next = Nanos::max();
    for (const auto& o : owner.options_.profile.outages) {
      if (o.at > t) next = std::min(next, o.at);
      if (o.at + o.duration > t) next = std::min(next, o.at + o.duration);
    }
    return next;
  }

  void run() {
    epoch = Clock::now();
    std::array<epoll_event, 256> events{};
    while (!owner.stopping_.load()) {
      Nanos t = now();
      const bool down = owner.down_.load() || scheduled_outage(t);
      if (down && !in_outage) cut_everything();
      in_outage = down;
      const auto cuts = owner.cut_requests_.load();
      if (cuts != cuts_seen) {
        cuts_seen = cuts;
        cut_everything();
      }
      run_timers(t);
      publish_stats();

      Nanos next = std::min(timers.empty() ? Nanos::max() : timers.top().first, next_outage_edge(t));
      int timeout_ms = 100;
      if (next != Nanos::max()) {
        const auto wait = std::max<std::int64_t>(0, (next - t).count());
        timeout_ms = static_cast<int>(std::min<std::int64_t>(100, (wait + 999'999) / 1'000'000));
      }
      const int n = ::epoll_wait(epfd, events.data(), static_cast<int>(events.size()), timeout_ms);
      if (n < 0) {
        if (errno == EINTR) continue;
        throw_errno("link emulator: epoll_wait");
      }
      for (int i = 0; i < n; ++i) dispatch(events[static_cast<std::size_t>(i)]);
    }
    publish_stats();
  }

  void dispatch(const epoll_event& ev) {
    if (ev.data.u64 == kListenKey) return accept_all();
    if (ev.data.u64 == kWakeKey) {
      std::uint64_t value = 0;
      [[maybe_unused]] auto r = ::read(owner.wake_fd_, &value, sizeof value);
      return;
    }
    const auto id = ev.data.u64 >> 1;
    const auto side = static_cast<Side>(ev.data.u64 & 1);
    auto it = conns.find(id);
    if (it == conns.end()) return;
    Connection& c = *it->second;
    if (side == kBroker && c.connecting) {
      if (ev.events & (EPOLLOUT | EPOLLERR | EPOLLHUP)) finish_connect(c);
      return;
    }
    if (ev.events & EPOLLERR) return cut(c);
    if (ev.events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP)) {
      if (!read_side(c, side)) return;
    }
    if (ev.events & EPOLLOUT) {
      c.to(side).blocked = false;
      if (!flush(c, c.to(side), side == kBoard ? kBoard : kBroker)) return;
    }
    if ((ev.events & EPOLLHUP) && c.attached[side]) {
      // Both directions of this socket are closed: nothing more can go to it.
      Pipe& to = c.to(side);
      to.queued_bytes = 0;
      to.queue.clear();
      to.sink_shut = true;
      c.from(side).source_eof = true;
      ::epoll_ctl(epfd, EPOLL_CTL_DEL, c.fd[side], nullptr);
      c.attached[side] = false;
    }
    settle(c);
  }

  void accept_all() {
    for (;;) {
      const int fd = ::accept4(owner.listen_fd_, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
      if (fd < 0) return;
      if (owner.down_.load() || scheduled_outage(now())) {
        ++stats.connections_refused;
        publish_stats();
        ::close(fd);
        continue;
      }
      set_nodelay(fd);
      const int up_fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
      if (up_fd < 0) {
        ::close(fd);
        ++stats.connect_failures;
        continue;
      }
      set_nodelay(up_fd);
      if (::connect(up_fd, reinterpret_cast<const sockaddr*>(&upstream), sizeof upstream) != 0 &&
          errno != EINPROGRESS) {
        ::close(fd);
        ::close(up_fd);
        ++stats.connect_failures;
        continue;
      }
      const auto& p = owner.options_.profile;
      const std::uint64_t id = next_id++;
      // Each connection and direction draws from its own seeded stream, so a
      // run is reproducible for a given order of connections.
      const std::uint64_t base = p.seed * 0x9E3779B97F4A7C15ULL + id * 2;
      auto conn = std::make_unique<Connection>(id, fd, up_fd,
                                               Shaper(p.up_bps, p.burst_bytes, p.rtt / 2, p.jitter, p.loss, base),
                                               Shaper(p.down_bps, p.burst_bytes, p.rtt / 2, p.jitter, p.loss, base + 1));
      add(fd, 0, id << 1 | kBoard);
      add(up_fd, EPOLLOUT, id << 1 | kBroker);
      conn->interest = {0, EPOLLOUT};
      ++stats.connections_accepted;
      ++stats.open_connections;
      Connection& c = *conn;
      conns.emplace(id, std::move(conn));
      settle(c);
    }
  }

  void finish_connect(Connection& c) {
    int err = 0;
    socklen_t len = sizeof err;
    ::getsockopt(c.fd[kBroker], SOL_SOCKET, SO_ERROR, &err, &len);
    if (err != 0) {
      ++stats.connect_failures;
      return close_connection(c, false);
    }
    c.connecting = false;
    if (!flush(c, c.up, kBroker)) return;
    settle(c);
  }

  // Reads what the socket has, cut into shaped segments. False when the
  // connection was closed.
  bool read_side(Connection& c, Side side) {
    Pipe& pipe = c.from(side);
    const auto& p = owner.options_.profile;
    std::array<std::uint8_t, 64 * 1024> buffer;
    while (!pipe.source_eof && pipe.queued_bytes < kMaxQueuedBytes) {
      const auto n = ::recv(c.fd[side], buffer.data(), buffer.size(), 0);
      if (n == 0) {
        pipe.source_eof = true;
        break;
      }
      if (n < 0) {
        if (errno == EAGAIN || errno == EWOULDBLOCK) break;
        if (errno == EINTR) continue;
        cut(c);
        return false;
      }
      const Nanos t = now();
      std::size_t off = 0;
      const auto total = static_cast<std::size_t>(n);
      while (off < total) {
        const auto len = std::min<std::size_t>(p.segment_bytes, total - off);
        if (pipe.shaper.lose_next()) {
          cut(c);
          return false;
        }
        const Nanos at = pipe.shaper.schedule(t, static_cast<std::uint32_t>(len));
        pipe.queue.push_back({at, std::vector<std::uint8_t>(buffer.begin() + static_cast<std::ptrdiff_t>(off),
                                                            buffer.begin() + static_cast<std::ptrdiff_t>(off + len))});
        pipe.queued_bytes += len;
        off += len;
      }
    }
    return flush(c, pipe, side == kBoard ? kBroker : kBoard);
  }

  // Writes every segment of `pipe` that is due to `sink`. False when the
  // connection was closed.
  bool flush(Connection& c, Pipe& pipe, Side sink) {
    if (sink == kBroker && c.connecting) return true;
    const Nanos t = now();
    while (!pipe.queue.empty() && !pipe.blocked && !pipe.sink_shut) {
      Segment& seg = pipe.queue.front();
      if (seg.deliver_at > t) {
        if (pipe.timer != seg.deliver_at) {
          pipe.timer = seg.deliver_at;
          timers.push({seg.deliver_at, c.id << 1 | (&pipe == &c.up ? 0u : 1u)});
        }
        return true;
      }
      const auto n = ::send(c.fd[sink], seg.bytes.data() + pipe.written, seg.bytes.size() - pipe.written,
                            MSG_NOSIGNAL);
      if (n < 0) {
        if (errno == EAGAIN || errno == EWOULDBLOCK) {
          pipe.blocked = true;
          break;
        }
        if (errno == EINTR) continue;
        cut(c);
        return false;
      }
      pipe.written += static_cast<std::size_t>(n);
      if (pipe.written == seg.bytes.size()) {
        (&pipe == &c.up ? stats.bytes_up : stats.bytes_down) += seg.bytes.size();
        (&pipe == &c.up ? stats.segments_up : stats.segments_down) += 1;
        pipe.queued_bytes -= seg.bytes.size();
        pipe.written = 0;
        pipe.queue.pop_front();
      }
    }
    if (pipe.queue.empty() && pipe.source_eof && !pipe.sink_shut) {
      ::shutdown(c.fd[sink], SHUT_WR);
      pipe.sink_shut = true;
    }
    return true;
  }

  void run_timers(Nanos t) {
    while (!timers.empty() && timers.top().first <= t) {
      const auto key = timers.top().second;
      timers.pop();
      auto it = conns.find(key >> 1);
      if (it == conns.end()) continue;
      Connection& c = *it->second;
      Pipe& pipe = (key & 1) == 0 ? c.up : c.down;
      pipe.timer = Nanos(-1);
      if (!flush(c, pipe, (key & 1) == 0 ? kBroker : kBoard)) continue;
      settle(c);
    }
  }

  // Re-arms epoll interest after any change, or closes a finished connection.
  void settle(Connection& c) {
    if (c.up.finished() && c.down.finished()) return close_connection(c, false);
    for (Side side : {kBoard, kBroker}) {
      if (!c.attached[side]) continue;
      std::uint32_t want = 0;
      const Pipe& in = c.from(side);
      const Pipe& out = c.to(side);
      const bool can_read = !(side == kBroker && c.connecting);
      if (can_read && !in.source_eof && in.queued_bytes < kMaxQueuedBytes) want |= EPOLLIN | EPOLLRDHUP;
      if (out.blocked || (side == kBroker && c.connecting)) want |= EPOLLOUT;
      if (want != c.interest[side]) {
        epoll_event ev{};
        ev.events = want;
        ev.data.u64 = c.id << 1 | side;
        ::epoll_ctl(epfd, EPOLL_CTL_MOD, c.fd[side], &ev);
        c.interest[side] = want;
      }
    }
  }

  void cut(Connection& c) { close_connection(c, true); }

  void cut_everything() {
    while (!conns.empty()) cut(*conns.begin()->second);
  }

  void close_connection(Connection& c, bool was_cut) {
    if (was_cut) {
      ++stats.connections_cut;
      // An abortive close (RST) so both ends learn at once, as when an access
      // point drops a station, instead of waiting for keepalives.
      linger lg{1, 0};
      ::setsockopt(c.fd[kBoard], SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
      ::setsockopt(c.fd[kBroker], SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
    }
    stats.modelled_busy += c.up.shaper.stats().busy + c.down.shaper.stats().busy;
    --stats.open_connections;
    const auto id = c.id;  // `c` dies inside erase()
    const auto fds = c.fd;
    conns.erase(id);
    // Published before the close, so whoever sees the close sees the count.
    publish_stats();
    ::close(fds[kBoard]);
    ::close(fds[kBroker]);
  }

  void publish_stats() {
    std::lock_guard lock(owner.stats_mutex_);
    owner.stats_ = stats;
    for (const auto& [id, c] : conns) {
      owner.stats_.modelled_busy += c->up.shaper.stats().busy + c->down.shaper.stats().busy;
    }
  }

  LinkEmulator& owner;
  sockaddr_in upstream;
  int epfd = -1;
  Clock::time_point epoch = Clock::now();
  std::unordered_map<std::uint64_t, std::unique_ptr<Connection>> conns;
  std::uint64_t next_id = 1;
  using Timer = std::pair<Nanos, std::uint64_t>;
  std::priority_queue<Timer, std::vector<Timer>, std::greater<>> timers;
  std::uint64_t cuts_seen = 0;
  bool in_outage = false;
  LinkStats stats;
};

LinkEmulator::LinkEmulator(Options options) : options_(std::move(options)) {
  const auto addr = ipv4_address(options_.listen_host, options_.listen_port);
  ipv4_address(options_.upstream_host, options_.upstream_port);  // validate early
  listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (listen_fd_ < 0) throw_errno("link emulator: socket");
  int one = 1;
  ::setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (::bind(listen_fd_, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0 ||
      ::listen(listen_fd_, 4096) != 0) {
    const int err = errno;
    ::close(listen_fd_);
    throw std::system_error(err, std::generic_category(),
                            "link emulator: cannot listen on " + options_.listen_host + ":" +
                                std::to_string(options_.listen_port));
  }
  sockaddr_in bound{};
  socklen_t len = sizeof bound;
  ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&bound), &len);
  port_ = ntohs(bound.sin_port);
  wake_fd_ = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (wake_fd_ < 0) {
    ::close(listen_fd_);
    throw_errno("link emulator: eventfd");
  }
}

LinkEmulator::~LinkEmulator() {
  stop();
  loop_.reset();
  ::close(wake_fd_);
  ::close(listen_fd_);
}

void LinkEmulator::start() {
  if (thread_.joinable()) return;
  loop_ = std::make_unique<Loop>(*this);
  thread_ = std::thread([this] { loop_->run(); });
}

void LinkEmulator::stop() {
  stopping_ = true;
  wake();
  if (thread_.joinable()) thread_.join();
  loop_.reset();
}

void LinkEmulator::set_down(bool down) {
  down_ = down;
  wake();
}

void LinkEmulator::cut_all() {
  ++cut_requests_;
  wake();
}

void LinkEmulator::wake() {
  const std::uint64_t one = 1;
  [[maybe_unused]] auto r = ::write(wake_fd_, &one, sizeof one);
}

LinkStats LinkEmulator::stats() const {
  std::lock_guard lock(stats_mutex_);
  return stats_;
}

}  // namespace otter::link
