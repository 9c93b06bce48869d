#pragma once
// Requests worked on by a fixed set of threads, taken in arrival order: at
// most `workers` at once, the others wait in FIFO queues (below), and the
// waiting connection threads only parse requests and send answers.
//
// Jobs come in lanes (a server's lane is the dataset a request names): in
// arrival order within a lane, and the lanes with jobs waiting take turns,
// so a burst of slow requests to one dataset (an index drill reads a chunk
// of every file: seconds) holds back another dataset's by at most one job
// per worker, not by the whole burst. With one lane this is plain FIFO.
//
// With one thread per keep-alive connection, 64 connections on 2 cores left
// the kernel's scheduler to time-slice 64 half-done drills, and a few
// requests waited hundreds of milliseconds while others passed. Admitting
// them in order on their own threads (server::FairGate, until 2026-12-07)
// bounded that, but each request then ran on whichever of the 64 threads
// held its connection, with that thread's decoder contexts, buffers and
// malloc arena cold in the cache: 13-20% more user CPU per request than at 4
// connections. Here the drills always run on the same few threads.
// docs/serve.md, "Load".
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace pixeldrill::server {

class FifoWorkers {
 public:
  // workers 0: no limit, every job runs at once on its caller's thread.
  explicit FifoWorkers(size_t workers);
  ~FifoWorkers();
  FifoWorkers(const FifoWorkers&) = delete;
  FifoWorkers& operator=(const FifoWorkers&) = delete;

  // Runs `job` on a worker once the jobs queued before it in its lane have
  // started and the other lanes have had their turns; returns when it is
  // done and rethrows what it threw. A lane is kept once seen: callers use
  // few (a server, its datasets' ids and "" for the rest).
  void run(const std::function<void()>& job, std::string_view lane = {});

  // Jobs queued and not yet started.
  size_t waiting() const;

 private:
  // The caller waits on its job's own mutex and condition variable, not on
  // the queue's: a caller woken under the queue's mutex found it still held
  // by the worker (taking the next job) and slept again, one more context
  // switch per request. The worker notifies after unlocking, which the
  // shared ownership makes safe (the caller may already have returned).
  // (std::atomic::wait spun with sched_yield: 17-80 context switches per
  // request; std::future waits inside libstdc++, where ThreadSanitizer
  // cannot see it.)
  struct Outcome {
    std::mutex mutex;
    std::condition_variable finished;
    bool done = false;
    std::exception_ptr error;
  };
  struct Job {
    const std::function<void()>* work = nullptr;
    std::shared_ptr<Outcome> outcome;
  };
  struct Lane {
    std::string key;
    std::deque<Job> jobs;
  };
  void work();
  Job take_next();  // with mutex_ held and a job waiting

  mutable std::mutex mutex_;
  std::condition_variable queued_;
  std::vector<Lane> lanes_;
  size_t last_lane_ = static_cast<size_t>(-1);  // the lane served last; none yet: -1
  size_t waiting_ = 0;                          // jobs in all lanes
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace pixeldrill::server
