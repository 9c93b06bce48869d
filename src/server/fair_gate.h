#pragma once
// Admission in arrival order: at most `capacity` requests do their work at
// once, the rest wait in a FIFO queue. With one thread per keep-alive
// connection, 64 connections on 2 cores otherwise leave the kernel's
// scheduler to time-slice 64 half-done drills, and a few requests wait
// hundreds of milliseconds while others pass (docs/serve.md, "Load").
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <mutex>

namespace pixeldrill::server {

class FairGate {
 public:
  // capacity 0: no limit (every caller enters at once).
  explicit FairGate(size_t capacity) : capacity_(capacity) {}
  FairGate(const FairGate&) = delete;
  FairGate& operator=(const FairGate&) = delete;

  class Pass {
   public:
    explicit Pass(FairGate& gate) : gate_(gate) { gate_.enter(); }
    ~Pass() { gate_.leave(); }
    Pass(const Pass&) = delete;
    Pass& operator=(const Pass&) = delete;

   private:
    FairGate& gate_;
  };

  size_t waiting() const;

 private:
  struct Waiter {
    std::condition_variable wake;
    bool admitted = false;
  };
  void enter();
  void leave();

  const size_t capacity_;
  mutable std::mutex mutex_;
  size_t inside_ = 0;
  std::deque<Waiter*> queue_;
};

}  // namespace pixeldrill::server
