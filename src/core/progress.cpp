#include "core/progress.h"

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>

namespace pixeldrill {
namespace {
// PIXELDRILL_PROGRESS=1/0 forces the bar on or off; otherwise it is drawn
// when stderr is a terminal. Under mpirun (parallel/communicator.cpp) rank 0
// sets it from its stdout, the one stream OpenMPI gives a terminal, and the
// other ranks set 0: one bar per job.
bool draw_bars() {
  if (const char* env = std::getenv("PIXELDRILL_PROGRESS"); env && *env) return env[0] == '1';
  return isatty(STDERR_FILENO) != 0;
}
}  // namespace

Progress::Progress(std::string label, uint64_t total, int ranks)
    : label_(std::move(label)),
      total_(total),
      scale_(ranks > 1 ? static_cast<uint64_t>(ranks) : 1),
      enabled_(draw_bars() && total > 1),
      start_(std::chrono::steady_clock::now()),
      last_draw_(start_) {}

Progress::~Progress() { finish(); }

double Progress::elapsed_seconds() const {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
}

void Progress::tick(uint64_t n) {
  const uint64_t done = done_.fetch_add(n) + n;
  if (!enabled_) return;
  const auto now = std::chrono::steady_clock::now();
  std::unique_lock lock(draw_mutex_, std::try_to_lock);
  if (!lock.owns_lock() || now - last_draw_ < std::chrono::milliseconds(100)) return;
  last_draw_ = now;
  draw(done, false);
}

void Progress::finish() {
  if (!enabled_ || finished_) return;
  finished_ = true;
  std::lock_guard lock(draw_mutex_);
  draw(done_.load(), true);
}

void Progress::draw(uint64_t done, bool final) {
  if (scale_ > 1) done = final ? total_ : std::min(total_, done * scale_);
  constexpr int kWidth = 30;
  const double frac = total_ ? static_cast<double>(done) / static_cast<double>(total_) : 1.0;
  const int filled = static_cast<int>(frac * kWidth);
  std::string bar(static_cast<size_t>(filled), '#');
  bar.resize(kWidth, '.');
  const double secs = elapsed_seconds();
  std::fprintf(stderr, "\r%s [%s] %llu/%llu %.1f/s%s", label_.c_str(), bar.c_str(),
               static_cast<unsigned long long>(done), static_cast<unsigned long long>(total_),
               secs > 0 ? static_cast<double>(done) / secs : 0.0, final ? "\n" : "");
  std::fflush(stderr);
}

}  // namespace pixeldrill
