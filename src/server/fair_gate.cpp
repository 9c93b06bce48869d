#include "server/fair_gate.h"

namespace pixeldrill::server {

void FairGate::enter() {
  std::unique_lock lock(mutex_);
  if (capacity_ == 0 || (inside_ < capacity_ && queue_.empty())) {
    ++inside_;
    return;
  }
  Waiter me;
  queue_.push_back(&me);
  me.wake.wait(lock, [&] { return me.admitted; });
}

void FairGate::leave() {
  std::lock_guard lock(mutex_);
  if (queue_.empty()) {
    --inside_;
    return;
  }
  // The slot passes straight to the oldest waiter (inside_ is unchanged), so a
  // newcomer arriving now cannot overtake it.
  Waiter* next = queue_.front();
  queue_.pop_front();
  next->admitted = true;
  next->wake.notify_one();
}

size_t FairGate::waiting() const {
  std::lock_guard lock(mutex_);
  return queue_.size();
}

}  // namespace pixeldrill::server
