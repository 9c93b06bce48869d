// server::FairGate: at most N requests work at once, and the others are let in
// in the order they arrived (the serve load tail, docs/serve.md "Load").
#include "server/fair_gate.h"

#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

namespace pixeldrill::server {
namespace {

void wait_until_waiting(const FairGate& gate, size_t n) {
  while (gate.waiting() < n) std::this_thread::yield();
}

TEST(FairGate, WaitersEnterInArrivalOrder) {
  FairGate gate(1);
  std::mutex m;
  std::vector<int> order;
  std::vector<std::thread> waiters;
  {
    const FairGate::Pass first(gate);
    for (int i = 0; i < 5; ++i) {
      waiters.emplace_back([&, i] {
        const FairGate::Pass pass(gate);
        const std::lock_guard lock(m);
        order.push_back(i);
      });
      wait_until_waiting(gate, static_cast<size_t>(i) + 1);  // i is queued before i + 1 starts
    }
  }
  for (auto& t : waiters) t.join();
  EXPECT_EQ(order, (std::vector<int>{0, 1, 2, 3, 4}));
  EXPECT_EQ(gate.waiting(), 0u);
}

TEST(FairGate, CapacityLetsThatManyInAtOnce) {
  FairGate gate(2);
  std::optional<FairGate::Pass> a, b;
  a.emplace(gate);
  b.emplace(gate);  // two in: a third must queue
  std::atomic<bool> third_in{false};
  std::thread third([&] {
    const FairGate::Pass pass(gate);
    third_in = true;
  });
  wait_until_waiting(gate, 1);
  EXPECT_FALSE(third_in.load());
  a.reset();  // one leaves: its place goes to the waiter
  third.join();
  EXPECT_TRUE(third_in.load());
  EXPECT_EQ(gate.waiting(), 0u);
  // b is still in, so one more enters at once and a second waits again.
  std::optional<FairGate::Pass> c;
  c.emplace(gate);
  std::thread fourth([&] { const FairGate::Pass pass(gate); });
  wait_until_waiting(gate, 1);
  b.reset();
  fourth.join();
}

TEST(FairGate, ZeroCapacityIsNoLimit) {
  FairGate gate(0);
  const FairGate::Pass a(gate), b(gate), c(gate);
  EXPECT_EQ(gate.waiting(), 0u);
}

}  // namespace
}  // namespace pixeldrill::server
