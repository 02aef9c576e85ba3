#include "otter/simboard/event_loop.h"

#include <sys/epoll.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <system_error>
#include <vector>

namespace otter::simboard {

EventLoop::EventLoop() {
  epfd_ = ::epoll_create1(EPOLL_CLOEXEC);
  if (epfd_ < 0) throw std::system_error(errno, std::generic_category(), "epoll_create1");
}

EventLoop::~EventLoop() { ::close(epfd_); }

void EventLoop::watch(int fd, std::uint32_t events, FdCallback callback) {
  epoll_event ev{};
  ev.events = events;
  ev.data.fd = fd;
  if (::epoll_ctl(epfd_, EPOLL_CTL_ADD, fd, &ev) != 0) {
    if (errno != EEXIST || ::epoll_ctl(epfd_, EPOLL_CTL_MOD, fd, &ev) != 0) {
      throw std::system_error(errno, std::generic_category(), "epoll_ctl add");
    }
  }
  fds_[fd] = std::move(callback);
}

void EventLoop::modify(int fd, std::uint32_t events) {
  epoll_event ev{};
  ev.events = events;
  ev.data.fd = fd;
  ::epoll_ctl(epfd_, EPOLL_CTL_MOD, fd, &ev);
}

void EventLoop::unwatch(int fd) {
  ::epoll_ctl(epfd_, EPOLL_CTL_DEL, fd, nullptr);
  fds_.erase(fd);
}

EventLoop::TimerId EventLoop::after(Clock::duration delay, std::function<void()> callback) {
  const TimerId id = next_timer_++;
  const auto at = now() + delay;
  timers_.emplace(id, Timer{at, std::move(callback)});
  timer_order_.emplace(at, id);
  return id;
}

void EventLoop::cancel(TimerId id) { timers_.erase(id); }

void EventLoop::run(const std::function<bool()>& done) {
  stopping_ = false;
  while (!stopping_ && !(done && done())) run_once(Clock::time_point::max());
}

bool EventLoop::run_until(Clock::time_point deadline, const std::function<bool()>& done) {
  stopping_ = false;
  while (!stopping_ && now() < deadline) {
    if (done && done()) return true;
    run_once(deadline);
  }
  return done && done();
}

bool EventLoop::run_once(Clock::time_point limit) {
  // Due timers first; a timer's callback may add timers (cancelled ones are
  // skipped: their id is gone from timers_).
  const auto t = now();
  std::vector<TimerId> due;
  while (!timer_order_.empty() && timer_order_.begin()->first <= t) {
    due.push_back(timer_order_.begin()->second);
    timer_order_.erase(timer_order_.begin());
  }
  for (TimerId id : due) {
    auto it = timers_.find(id);
    if (it == timers_.end()) continue;
    auto callback = std::move(it->second.callback);
    timers_.erase(it);
    callback();
  }
  // Drop cancelled timers at the front so they do not shorten the wait.
  while (!timer_order_.empty() && timers_.count(timer_order_.begin()->second) == 0) {
    timer_order_.erase(timer_order_.begin());
  }
  auto next = limit;
  if (!timer_order_.empty()) next = std::min(next, timer_order_.begin()->first);
  int timeout_ms = 200;
  if (next != Clock::time_point::max()) {
    const auto wait = std::chrono::ceil<std::chrono::milliseconds>(next - now()).count();
    timeout_ms = static_cast<int>(std::clamp<long long>(wait, 0, 200));
  }
  if (!due.empty()) timeout_ms = 0;
  std::array<epoll_event, 512> events{};
  const int n = ::epoll_wait(epfd_, events.data(), static_cast<int>(events.size()), timeout_ms);
  if (n < 0) {
    if (errno == EINTR) return false;
    throw std::system_error(errno, std::generic_category(), "epoll_wait");
  }
  for (int i = 0; i < n; ++i) {
    const auto& ev = events[static_cast<std::size_t>(i)];
    auto it = fds_.find(ev.data.fd);
    if (it == fds_.end()) continue;
    auto callback = it->second;  // a copy: the callback may unwatch its own fd
    callback(ev.events);
  }
  return n > 0 || !due.empty();
}

}  // namespace otter::simboard
