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
  std::promise<void> done;
  std::future<void> result = done.get_future();
  {
    std::lock_guard lock(mutex_);
    queue_.push_back(Job{&job, std::move(done)});
  }
  queued_.notify_one();
  result.get();  // rethrows what the job threw
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
    try {
      (*job.work)();
      job.done.set_value();
    } catch (...) {
      job.done.set_exception(std::current_exception());
    }
  }
}

}  // namespace pixeldrill::server
