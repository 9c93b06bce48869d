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
  const auto outcome = std::make_shared<Outcome>();
  {
    std::lock_guard lock(mutex_);
    queue_.push_back(Job{&job, outcome});
  }
  queued_.notify_one();
  std::unique_lock lock(outcome->mutex);
  outcome->finished.wait(lock, [&] { return outcome->done; });
  if (outcome->error) std::rethrow_exception(outcome->error);
}

size_t FifoWorkers::waiting() const {
  std::lock_guard lock(mutex_);
  return queue_.size();
}

void FifoWorkers::work() {
  for (;;) {
    Job job;
    {
      std::unique_lock lock(mutex_);
      // Queued jobs are finished before stopping: their callers are waiting.
      queued_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;
      job = std::move(queue_.front());
      queue_.pop_front();
    }
    std::exception_ptr error;
    try {
      (*job.work)();
    } catch (...) {
      error = std::current_exception();
    }
    {
      std::lock_guard lock(job.outcome->mutex);
      job.outcome->error = error;
      job.outcome->done = true;
    }
    job.outcome->finished.notify_one();
  }
}

}  // namespace pixeldrill::server
