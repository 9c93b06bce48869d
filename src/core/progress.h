#pragma once
// A progress bar on stderr for multi-file work. Draws only when stderr is a
// terminal, so logs and tests stay clean; safe to tick from several threads.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>

namespace pixeldrill {

class Progress {
 public:
  // `ranks` > 1: an MPI job in which this process (rank 0, the only one that
  // draws) does 1/ranks of `total`; its own count is scaled up to stand for
  // all ranks, which take equal shares.
  Progress(std::string label, uint64_t total, int ranks = 1);
  ~Progress();
  Progress(const Progress&) = delete;
  Progress& operator=(const Progress&) = delete;

  void tick(uint64_t n = 1);
  void finish();
  // Before the first tick: no bar at all (finish() would draw a full one).
  void hide() { enabled_ = false; }
  double elapsed_seconds() const;

 private:
  void draw(uint64_t done, bool final);

  std::string label_;
  uint64_t total_;
  uint64_t scale_;
  std::atomic<uint64_t> done_{0};
  bool enabled_;
  bool finished_ = false;
  std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point last_draw_;
  std::mutex draw_mutex_;
};

}  // namespace pixeldrill
