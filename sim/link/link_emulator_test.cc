#include "otter/link/link_emulator.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstring>
#include <numeric>
#include <thread>
#include <vector>

namespace otter::link {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

// An upstream on 127.0.0.1 that echoes everything back, one thread per
// connection (tests open a handful).
class EchoServer {
 public:
  EchoServer() {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    EXPECT_EQ(::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    EXPECT_EQ(::listen(fd_, 128), 0);
    socklen_t len = sizeof addr;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    acceptor_ = std::thread([this] {
      for (;;) {
        const int c = ::accept(fd_, nullptr, nullptr);
        if (c < 0) return;
        ++accepted_;
        workers_.emplace_back([c] {
          std::vector<char> buf(16384);
          for (;;) {
            const auto n = ::recv(c, buf.data(), buf.size(), 0);
            if (n <= 0) break;
            if (::send(c, buf.data(), static_cast<std::size_t>(n), MSG_NOSIGNAL) != n) break;
          }
          ::close(c);
        });
      }
    });
  }
  ~EchoServer() {
    ::shutdown(fd_, SHUT_RDWR);
    ::close(fd_);
    acceptor_.join();
    for (auto& w : workers_) w.join();
  }
  std::uint16_t port() const { return port_; }
  int accepted() const { return accepted_; }

 private:
  int fd_ = -1;
  std::uint16_t port_ = 0;
  std::atomic<int> accepted_{0};
  std::thread acceptor_;
  std::vector<std::thread> workers_;
};

int connect_to(std::uint16_t port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  EXPECT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  return fd;
}

// Reads exactly n bytes, or fewer if the peer closes; gives up after 20 s so
// a broken proxy fails the test instead of hanging it.
std::vector<std::uint8_t> read_n(int fd, std::size_t n) {
  std::vector<std::uint8_t> out;
  out.reserve(n);
  std::vector<std::uint8_t> buf(16384);
  const auto deadline = Clock::now() + std::chrono::seconds(20);
  while (out.size() < n && Clock::now() < deadline) {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, 100) <= 0) continue;
    const auto r = ::recv(fd, buf.data(), std::min(buf.size(), n - out.size()), 0);
    if (r <= 0) break;
    out.insert(out.end(), buf.begin(), buf.begin() + r);
  }
  return out;
}

// True when the peer closed or reset the connection within 10 s.
bool closed_by_peer(int fd) {
  const auto deadline = Clock::now() + std::chrono::seconds(10);
  char c;
  while (Clock::now() < deadline) {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, 100) <= 0) continue;
    const auto r = ::recv(fd, &c, 1, 0);
    if (r <= 0) return true;
  }
  return false;
}

std::vector<std::uint8_t> pattern(std::size_t n) {
  std::vector<std::uint8_t> v(n);
  for (std::size_t i = 0; i < n; ++i) v[i] = static_cast<std::uint8_t>((i * 131 + i / 251) & 0xFF);
  return v;
}

// Counters are published by the proxy thread right after it acts; a test
// that has just seen the effect waits briefly for the count.
template <typename Pred>
bool eventually(Pred pred) {
  const auto deadline = Clock::now() + std::chrono::seconds(10);
  while (!pred()) {
    if (Clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return true;
}

LinkEmulator::Options options_for(std::uint16_t upstream, const char* spec) {
  LinkEmulator::Options o;
  o.upstream_port = upstream;
  o.profile = parse_link_profile(spec);
  return o;
}

TEST(LinkEmulator, ForwardsBytesUnchangedAndInOrderBothWays) {
  EchoServer echo;
  LinkEmulator link(options_for(echo.port(), "rtt=10ms,jitter=5ms,bw=20mbit,seed=3"));
  link.start();
  const int fd = connect_to(link.port());
  const auto data = pattern(300'000);
  std::thread writer([&] { EXPECT_EQ(::send(fd, data.data(), data.size(), MSG_NOSIGNAL), static_cast<ssize_t>(data.size())); });
  const auto back = read_n(fd, data.size());
  writer.join();
  EXPECT_EQ(back, data);
  ::close(fd);
  EXPECT_TRUE(eventually([&] { return link.stats().bytes_down == data.size(); }));
  EXPECT_EQ(link.stats().bytes_up, data.size());
  EXPECT_EQ(link.stats().connections_accepted, 1u);
}

TEST(LinkEmulator, BandwidthLimitIsAppliedInBothDirections) {
  EchoServer echo;
  // 64 KiB at 1 Mbit/s is about 0.5 s each way; the echo crosses the link twice.
  LinkEmulator link(options_for(echo.port(), "bw=1mbit"));
  link.start();
  const int fd = connect_to(link.port());
  const auto data = pattern(64 * 1024);
  const auto start = Clock::now();
  ASSERT_EQ(::send(fd, data.data(), data.size(), MSG_NOSIGNAL), static_cast<ssize_t>(data.size()));
  const auto back = read_n(fd, data.size());
  const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
  ::close(fd);
  ASSERT_EQ(back, data);
  // A lower bound only: the emulator may be late on a loaded machine but can
  // never deliver before the modelled time, so this cannot flake. The echo
  // pipelines, so the two directions overlap: the bound is one crossing.
  const double one_way = static_cast<double>(data.size() - 1500) * 8 / 1e6;
  EXPECT_GE(elapsed, one_way);
  // The model charged every byte, each way, at 1 Mbit/s (up to 1 ns rounding per segment).
  EXPECT_TRUE(eventually([&] { return link.stats().bytes_down == data.size(); }));
  const double busy = std::chrono::duration<double>(link.stats().modelled_busy).count();
  EXPECT_NEAR(busy, 2.0 * static_cast<double>(data.size()) * 8 / 1e6, 1e-3);
}

TEST(LinkEmulator, LatencyDelaysEveryRoundTrip) {
  EchoServer echo;
  LinkEmulator link(options_for(echo.port(), "rtt=80ms"));
  link.start();
  const int fd = connect_to(link.port());
  for (int i = 0; i < 3; ++i) {
    const auto start = Clock::now();
    const std::uint8_t ping = static_cast<std::uint8_t>(i);
    ASSERT_EQ(::send(fd, &ping, 1, MSG_NOSIGNAL), 1);
    const auto back = read_n(fd, 1);
    ASSERT_EQ(back, std::vector<std::uint8_t>{ping});
    // To the echo and back: two one-way latencies, one RTT; lower bound only.
    EXPECT_GE(Clock::now() - start, milliseconds(80));
  }
  ::close(fd);
}

TEST(LinkEmulator, CutAllSeversOpenConnectionsButAcceptsNewOnes) {
  EchoServer echo;
  LinkEmulator link(options_for(echo.port(), ""));
  link.start();
  const int fd = connect_to(link.port());
  const std::uint8_t b = 7;
  ASSERT_EQ(::send(fd, &b, 1, MSG_NOSIGNAL), 1);
  ASSERT_EQ(read_n(fd, 1).size(), 1u);
  link.cut_all();
  EXPECT_TRUE(closed_by_peer(fd));
  ::close(fd);
  const int again = connect_to(link.port());
  ASSERT_EQ(::send(again, &b, 1, MSG_NOSIGNAL), 1);
  EXPECT_EQ(read_n(again, 1), std::vector<std::uint8_t>{b});
  ::close(again);
  EXPECT_EQ(link.stats().connections_cut, 1u);
}

TEST(LinkEmulator, ManualOutageRefusesConnectionsUntilTheLinkIsBack) {
  EchoServer echo;
  LinkEmulator link(options_for(echo.port(), ""));
  link.start();
  link.set_down(true);
  const int refused = connect_to(link.port());  // the listen backlog accepts; the proxy closes it
  EXPECT_TRUE(closed_by_peer(refused));
  ::close(refused);
  EXPECT_EQ(echo.accepted(), 0);
  link.set_down(false);
  const int fd = connect_to(link.port());
  const std::uint8_t b = 1;
  ASSERT_EQ(::send(fd, &b, 1, MSG_NOSIGNAL), 1);
  EXPECT_EQ(read_n(fd, 1), std::vector<std::uint8_t>{b});
  ::close(fd);
  EXPECT_GE(link.stats().connections_refused, 1u);
}

TEST(LinkEmulator, ScheduledOutageCutsTheConnectionAtItsTime) {
  EchoServer echo;
  LinkEmulator link(options_for(echo.port(), "outage=300ms+200ms"));
  link.start();
  const int fd = connect_to(link.port());
  const std::uint8_t b = 2;
  ASSERT_EQ(::send(fd, &b, 1, MSG_NOSIGNAL), 1);
  ASSERT_EQ(read_n(fd, 1).size(), 1u);
  EXPECT_TRUE(closed_by_peer(fd));
  ::close(fd);
  EXPECT_EQ(link.stats().connections_cut, 1u);
}

TEST(LinkEmulator, CertainLossCutsTheConnectionOnItsFirstSegment) {
  EchoServer echo;
  LinkEmulator link(options_for(echo.port(), "loss=1"));
  link.start();
  const int fd = connect_to(link.port());
  const std::uint8_t b = 3;
  ASSERT_EQ(::send(fd, &b, 1, MSG_NOSIGNAL), 1);
  EXPECT_TRUE(closed_by_peer(fd));
  ::close(fd);
  EXPECT_EQ(link.stats().connections_cut, 1u);
  EXPECT_EQ(link.stats().bytes_up, 0u);
}

TEST(LinkEmulator, ClosingTheBoardSideClosesTheUpstreamAfterDelivery) {
  EchoServer echo;
  LinkEmulator link(options_for(echo.port(), "rtt=40ms"));
  link.start();
  const int fd = connect_to(link.port());
  const auto data = pattern(1000);
  ASSERT_EQ(::send(fd, data.data(), data.size(), MSG_NOSIGNAL), static_cast<ssize_t>(data.size()));
  ::shutdown(fd, SHUT_WR);  // half-close: data queued in the link must still arrive
  EXPECT_EQ(read_n(fd, data.size()), data);
  EXPECT_TRUE(closed_by_peer(fd));
  ::close(fd);
  const auto deadline = Clock::now() + std::chrono::seconds(10);
  while (link.stats().open_connections != 0 && Clock::now() < deadline) std::this_thread::sleep_for(milliseconds(10));
  EXPECT_EQ(link.stats().open_connections, 0u);
  EXPECT_EQ(link.stats().connections_cut, 0u);
}

TEST(LinkEmulator, UnreachableUpstreamClosesTheBoardConnection) {
  // Take a free port and close it again so nothing listens there.
  std::uint16_t dead_port = 0;
  {
    EchoServer probe;
    dead_port = probe.port();
  }
  LinkEmulator link(options_for(dead_port, ""));
  link.start();
  const int fd = connect_to(link.port());
  EXPECT_TRUE(closed_by_peer(fd));
  ::close(fd);
  EXPECT_EQ(link.stats().connect_failures, 1u);
}

TEST(LinkEmulator, ManyConnectionsShareOneLoop) {
  EchoServer echo;
  LinkEmulator link(options_for(echo.port(), "rtt=5ms,bw=10mbit"));
  link.start();
  std::vector<int> fds;
  for (int i = 0; i < 50; ++i) fds.push_back(connect_to(link.port()));
  for (std::size_t i = 0; i < fds.size(); ++i) {
    const auto v = static_cast<std::uint8_t>(i);
    ASSERT_EQ(::send(fds[i], &v, 1, MSG_NOSIGNAL), 1);
  }
  for (std::size_t i = 0; i < fds.size(); ++i) {
    EXPECT_EQ(read_n(fds[i], 1), std::vector<std::uint8_t>{static_cast<std::uint8_t>(i)});
    ::close(fds[i]);
  }
  EXPECT_EQ(link.stats().connections_accepted, 50u);
}

TEST(LinkEmulator, RejectsANonNumericAddress) {
  LinkEmulator::Options o;
  o.upstream_host = "broker.example";
  o.upstream_port = 1;
  EXPECT_THROW(LinkEmulator{o}, std::system_error);
}

}  // namespace
}  // namespace otter::link
