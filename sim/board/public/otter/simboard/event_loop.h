// The single-threaded event loop every simulated board of a process runs on:
// file-descriptor watches (epoll) and timers. One loop drives a whole fleet,
// so a board costs a few callbacks and buffers, never a thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <unordered_map>

namespace otter::simboard {

class EventLoop {
 public:
  using Clock = std::chrono::steady_clock;
  using TimerId = std::uint64_t;
  using FdCallback = std::function<void(std::uint32_t events)>;

  EventLoop();
  ~EventLoop();
  EventLoop(const EventLoop&) = delete;
  EventLoop& operator=(const EventLoop&) = delete;

  Clock::time_point now() const { return Clock::now(); }

  // Watches `fd` for EPOLLIN/EPOLLOUT (`events`); the callback gets what is ready.
  void watch(int fd, std::uint32_t events, FdCallback callback);
  void modify(int fd, std::uint32_t events);
  // Stops watching; safe to call for an fd that was already closed.
  void unwatch(int fd);
  bool watching(int fd) const { return fds_.count(fd) != 0; }

  TimerId after(Clock::duration delay, std::function<void()> callback);
  void cancel(TimerId id);

  // Runs until stop() or until `done()` is true (checked after every event).
  void run(const std::function<bool()>& done = {});
  // Runs at most until `deadline`; returns whether `done()` became true.
  bool run_until(Clock::time_point deadline, const std::function<bool()>& done);
  void stop() { stopping_ = true; }

 private:
  bool run_once(Clock::time_point limit);

  int epfd_ = -1;
  bool stopping_ = false;
  std::unordered_map<int, FdCallback> fds_;
  std::multimap<Clock::time_point, TimerId> timer_order_;
  struct Timer {
    Clock::time_point at;
    std::function<void()> callback;
  };
  std::unordered_map<TimerId, Timer> timers_;
  TimerId next_timer_ = 1;
};

}  // namespace otter::simboard
