#include "otter/simboard/event_loop.h"

#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <vector>

namespace otter::simboard {
namespace {

using std::chrono::milliseconds;

TEST(EventLoop, TimersFireInDeadlineOrder) {
  EventLoop loop;
  std::vector<int> order;
  loop.after(milliseconds(30), [&] { order.push_back(3); });
  loop.after(milliseconds(10), [&] { order.push_back(1); });
  loop.after(milliseconds(20), [&] { order.push_back(2); });
  EXPECT_TRUE(loop.run_until(loop.now() + std::chrono::seconds(10), [&] { return order.size() == 3; }));
  EXPECT_EQ(order, (std::vector<int>{1, 2, 3}));
}

TEST(EventLoop, CancelledTimerNeverFires) {
  EventLoop loop;
  bool fired = false;
  bool done = false;
  const auto id = loop.after(milliseconds(5), [&] { fired = true; });
  loop.after(milliseconds(20), [&] { done = true; });
  loop.cancel(id);
  loop.run_until(loop.now() + std::chrono::seconds(10), [&] { return done; });
  EXPECT_FALSE(fired);
}

TEST(EventLoop, TimerMayScheduleAnotherTimer) {
  EventLoop loop;
  int count = 0;
  std::function<void()> tick = [&] {
    if (++count < 5) loop.after(milliseconds(1), tick);
  };
  loop.after(milliseconds(1), tick);
  EXPECT_TRUE(loop.run_until(loop.now() + std::chrono::seconds(10), [&] { return count == 5; }));
}

TEST(EventLoop, WatchedDescriptorReportsReadiness) {
  int sv[2];
  ASSERT_EQ(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv), 0);
  EventLoop loop;
  std::string got;
  loop.watch(sv[0], EPOLLIN, [&](std::uint32_t events) {
    ASSERT_TRUE(events & EPOLLIN);
    char buf[16];
    const auto n = ::read(sv[0], buf, sizeof buf);
    if (n > 0) got.append(buf, static_cast<std::size_t>(n));
  });
  ASSERT_EQ(::write(sv[1], "board", 5), 5);
  EXPECT_TRUE(loop.run_until(loop.now() + std::chrono::seconds(10), [&] { return got == "board"; }));
  loop.unwatch(sv[0]);
  EXPECT_FALSE(loop.watching(sv[0]));
  ::close(sv[0]);
  ::close(sv[1]);
}

TEST(EventLoop, RunUntilReturnsFalseAtTheDeadline) {
  EventLoop loop;
  EXPECT_FALSE(loop.run_until(loop.now() + milliseconds(20), [] { return false; }));
}

}  // namespace
}  // namespace otter::simboard
