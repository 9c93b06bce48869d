#include "server/fifo_workers.h"

#include <algorithm>

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

void FifoWorkers::run(const std::function<void()>& job, std::string_view lane) {
  if (threads_.empty()) {
    job();
    return;
  }
  const auto outcome = std::make_shared<Outcome>();
  {
    std::lock_guard lock(mutex_);
    auto it =
        std::find_if(lanes_.begin(), lanes_.end(), [&](const Lane& l) { return l.key == lane; });
    if (it == lanes_.end()) it = lanes_.insert(lanes_.end(), Lane{std::string(lane), {}});
    it->jobs.push_back(Job{&job, outcome});
    ++waiting_;
  }
  queued_.notify_one();
  std::unique_lock lock(outcome->mutex);
  outcome->finished.wait(lock, [&] { return outcome->done; });
  if (outcome->error) std::rethrow_exception(outcome->error);
}

size_t FifoWorkers::waiting() const {
  std::lock_guard lock(mutex_);
  return waiting_;
}

FifoWorkers::Job FifoWorkers::take_next() {
  // The turn passes to the lane after the one served last (lanes are only
  // ever appended, so their places hold), a new lane included.
  for (size_t i = 1;; ++i) {
    const size_t at = (last_lane_ + i) % lanes_.size();
    Lane& lane = lanes_[at];
    if (lane.jobs.empty()) continue;
    Job job = std::move(lane.jobs.front());
    lane.jobs.pop_front();
    --waiting_;
    last_lane_ = at;
    return job;
  }
}

void FifoWorkers::work() {
  for (;;) {
    Job job;
    {
      std::unique_lock lock(mutex_);
      // Queued jobs are finished before stopping: their callers are waiting.
      queued_.wait(lock, [&] { return stopping_ || waiting_ > 0; });
      if (waiting_ == 0) return;
      job = take_next();
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
