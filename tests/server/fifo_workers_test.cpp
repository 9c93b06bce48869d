// server::FifoWorkers: at most N requests are worked on at once, always by the
// same N threads, and the others start in the order they arrived (the serve
// load tail, docs/serve.md "Load").
#include "server/fifo_workers.h"

#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace pixeldrill::server {
namespace {

void wait_until_waiting(const FifoWorkers& workers, size_t n) {
  while (workers.waiting() < n) std::this_thread::yield();
}

// Jobs that hold their worker until released.
struct Latch {
  std::mutex m;
  std::condition_variable cv;
  bool open = false;
  int inside = 0;
  void hold() {
    std::unique_lock lock(m);
    ++inside;
    cv.notify_all();
    cv.wait(lock, [&] { return open; });
  }
  void wait_inside(int n) {
    std::unique_lock lock(m);
    cv.wait(lock, [&] { return inside >= n; });
  }
  void release() {
    std::lock_guard lock(m);
    open = true;
    cv.notify_all();
  }
};

TEST(FifoWorkers, JobsStartInArrivalOrder) {
  FifoWorkers workers(1);
  Latch latch;
  std::thread first([&] { workers.run([&] { latch.hold(); }); });
  latch.wait_inside(1);  // the only worker is busy: the rest queue
  std::mutex m;
  std::vector<int> order;
  std::vector<std::thread> callers;
  for (int i = 0; i < 5; ++i) {
    callers.emplace_back([&, i] {
      workers.run([&] {
        const std::lock_guard lock(m);
        order.push_back(i);
      });
    });
    wait_until_waiting(workers, static_cast<size_t>(i) + 1);  // i is queued before i + 1 starts
  }
  latch.release();
  first.join();
  for (auto& t : callers) t.join();
  EXPECT_EQ(order, (std::vector<int>{0, 1, 2, 3, 4}));
  EXPECT_EQ(workers.waiting(), 0u);
}

// Jobs queued in lanes `lanes` (one letter each) behind a job of lane 'a'
// holding the only worker; returns the order the queued jobs ran in.
std::string run_order(const std::string& lanes) {
  FifoWorkers workers(1);
  Latch latch;
  std::thread first([&] { workers.run([&] { latch.hold(); }, "a"); });
  latch.wait_inside(1);
  std::mutex m;
  std::string order;
  std::vector<std::thread> callers;
  for (size_t i = 0; i < lanes.size(); ++i) {
    callers.emplace_back([&, i] {
      workers.run(
          [&] {
            const std::lock_guard lock(m);
            order += lanes[i];
            order += std::to_string(i);
          },
          std::string(1, lanes[i]));
    });
    wait_until_waiting(workers, i + 1);
  }
  latch.release();
  first.join();
  for (auto& t : callers) t.join();
  return order;
}

TEST(FifoWorkers, LanesTakeTurnsAndKeepArrivalOrderWithin) {
  // A burst in lane a holds a job of lane b back by no more than the one
  // running: b's turn comes next.
  EXPECT_EQ(run_order("aaab"), "b3a0a1a2");
  // Two lanes with jobs waiting alternate, each in arrival order.
  EXPECT_EQ(run_order("aabb"), "b2a0b3a1");
  // One lane is plain arrival order.
  EXPECT_EQ(run_order("aaaa"), "a0a1a2a3");
  // A lane seen before (a) and one new (c) take their turns after b's.
  EXPECT_EQ(run_order("abca"), "b1c2a0a3");
}

TEST(FifoWorkers, AtMostTheWorkersRunAtOnceAlwaysOnTheSameThreads) {
  FifoWorkers workers(2);
  Latch latch;
  std::mutex m;
  std::set<std::thread::id> ran_on;
  std::vector<std::thread> callers;
  for (int i = 0; i < 6; ++i) {
    callers.emplace_back([&] {
      workers.run([&] {
        {
          const std::lock_guard lock(m);
          ran_on.insert(std::this_thread::get_id());
        }
        latch.hold();
      });
    });
  }
  latch.wait_inside(2);
  wait_until_waiting(workers, 4);  // two working, four queued
  {
    std::lock_guard lock(latch.m);
    EXPECT_EQ(latch.inside, 2);
  }
  latch.release();
  for (auto& t : callers) t.join();
  EXPECT_EQ(latch.inside, 6);
  // Six callers, six connection threads; the work ran on two.
  EXPECT_EQ(ran_on.size(), 2u);
  EXPECT_EQ(ran_on.count(std::this_thread::get_id()), 0u);
}

TEST(FifoWorkers, AJobsExceptionReachesItsCaller) {
  FifoWorkers workers(1);
  EXPECT_THROW(workers.run([] { throw std::runtime_error("drill failed"); }), std::runtime_error);
  int after = 0;
  workers.run([&] { after = 1; });  // the worker survives it
  EXPECT_EQ(after, 1);
}

TEST(FifoWorkers, ZeroWorkersIsNoLimitOnTheCallersThread) {
  FifoWorkers workers(0);
  std::thread::id ran_on;
  workers.run([&] { ran_on = std::this_thread::get_id(); });
  EXPECT_EQ(ran_on, std::this_thread::get_id());
  EXPECT_EQ(workers.waiting(), 0u);
}

}  // namespace
}  // namespace pixeldrill::server
