#include "server/fifo_workers.h"

namespace pixeldrill::server {

FifoWorkers::FifoWorkers(size_t workers) {
  for (size_t i = 0; i < workers; ++i) threads_.emplace_back([this] { work(); });
}

FifoWorkers::~FifoWorkers() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  queued_.notify_all();
  for (auto& t : threads_) t.join();
}

void FifoWorkers::run(const std::function<void()>& job) {
  if (threads_.empty()) {
    job();
    return;
  }
  Job me{&job, nullptr, false, {}};
  std::unique_lock lock(mutex_);
  queue_.push_back(&me);
  queued_.notify_one();
  me.finished.wait(lock, [&] { return me.done; });
  if (me.error) std::rethrow_exception(me.error);
}

size_t FifoWorkers::waiting() const {
  std::lock_guard lock(mutex_);
  return queue_.size();
}

void FifoWorkers::work() {
  std::unique_lock lock(mutex_);
  for (;;) {
    // Queued jobs are finished before stopping: their callers are waiting.
    queued_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
    if (queue_.empty()) return;
    Job* job = queue_.front();
    queue_.pop_front();
    lock.unlock();
    std::exception_ptr error;
    try {
      (*job->work)();
    } catch (...) {
      error = std::current_exception();
    }
    lock.lock();
    job->error = error;
    job->done = true;
    job->finished.notify_one();
  }
}

}  // namespace pixeldrill::server
