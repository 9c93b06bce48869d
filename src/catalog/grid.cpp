#include "catalog/grid.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>

namespace pixeldrill::catalog {

// pandas 1.5.3 Index.get_indexer(method="nearest") on a monotonic index:
// "pad" and "backfill" neighbours, then the closer one; on ties an increasing
// index takes the right (backfill) neighbour and a decreasing one the left.
// Distances to a missing neighbour (-1) use values[-1] as Python would.
std::optional<size_t> Axis::nearest(double target) const {
  // Also keeps the float32 rounding below in range.
  if (values.empty() || !(std::fabs(target) < 1e30)) return std::nullopt;
  if (float32) target = static_cast<double>(static_cast<float>(target));
  if (target < min() - half_step_low() || target > max() + half_step_high()) {
    if (values.size() > 1) return std::nullopt;
  }
  const auto n = static_cast<std::ptrdiff_t>(values.size());
  std::ptrdiff_t left = -1, right = -1;
  const bool inc = ascending();
  if (inc) {
    // pad: last value <= target; backfill: first value >= target.
    const auto ub = std::upper_bound(values.begin(), values.end(), target);
    left = (ub - values.begin()) - 1;
    const auto lb = std::lower_bound(values.begin(), values.end(), target);
    right = lb == values.end() ? -1 : lb - values.begin();
  } else {
    // Exact match first; otherwise pad = last value > target and
    // backfill = first value < target (searchsorted on the reversed index).
    const auto gt =
        std::partition_point(values.begin(), values.end(), [&](double v) { return v > target; });
    const std::ptrdiff_t k = gt - values.begin();
    if (k < n && values[static_cast<size_t>(k)] == target) {
      left = right = k;
    } else {
      left = k - 1;
      right = k == n ? -1 : k;
    }
  }
  auto at = [&](std::ptrdiff_t i) { return values[static_cast<size_t>(i < 0 ? n + i : i)]; };
  const double left_distance = std::fabs(at(left) - target);
  const double right_distance = std::fabs(at(right) - target);
  const bool take_left =
      (inc ? left_distance < right_distance : left_distance <= right_distance) || right == -1;
  const std::ptrdiff_t chosen = take_left ? left : right;
  if (chosen < 0) return std::nullopt;
  return static_cast<size_t>(chosen);
}

std::optional<std::pair<size_t, size_t>> Axis::range(double lo, double hi) const {
  if (lo > hi) std::swap(lo, hi);
  std::optional<size_t> first, last;
  for (size_t i = 0; i < values.size(); ++i) {
    if (values[i] >= lo && values[i] <= hi) {
      if (!first) first = i;
      last = i;
    }
  }
  if (!first) return std::nullopt;
  return std::make_pair(*first, *last);
}

double Axis::min() const { return values.empty() ? NAN : std::min(values.front(), values.back()); }
double Axis::max() const { return values.empty() ? NAN : std::max(values.front(), values.back()); }

double Axis::half_step_low() const {
  if (values.size() < 2) return 0;
  const size_t n = values.size();
  return ascending() ? (values[1] - values[0]) / 2 : (values[n - 2] - values[n - 1]) / 2;
}

double Axis::half_step_high() const {
  if (values.size() < 2) return 0;
  const size_t n = values.size();
  return ascending() ? (values[n - 1] - values[n - 2]) / 2 : (values[0] - values[1]) / 2;
}

uint64_t Grid::fingerprint() const {
  // FNV-1a over the exact coordinate bits.
  uint64_t h = 1469598103934665603ull;
  auto mix = [&](const void* data, size_t size) {
    const auto* p = static_cast<const unsigned char*>(data);
    for (size_t i = 0; i < size; ++i) h = (h ^ p[i]) * 1099511628211ull;
  };
  for (const Axis* a : {&lat, &lon}) {
    const uint64_t n = a->values.size();
    mix(&n, sizeof n);
    mix(a->values.data(), a->values.size() * sizeof(double));
  }
  return h;
}

std::string Grid::describe() const {
  auto ends = [](const Axis& a) {
    if (a.values.empty()) return std::string("(empty)");
    char buf[96];
    std::snprintf(buf, sizeof buf, "%.6g..%.6g", a.values.front(), a.values.back());
    return std::string(buf);
  };
  return std::to_string(lat.size()) + " x " + std::to_string(lon.size()) + ", " + lat.name + " " +
         ends(lat) + ", " + lon.name + " " + ends(lon);
}

}  // namespace pixeldrill::catalog
