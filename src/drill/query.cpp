#include "drill/query.h"

#include "core/civil_time.h"
#include "core/error.h"

namespace pixeldrill::drill {

std::string TimeRange::text() const {
  if (from && to) return "in " + format_iso8601(*from) + ".." + format_iso8601(*to);
  if (from) return "from " + format_iso8601(*from) + " on";
  if (to) return "up to " + format_iso8601(*to);
  return "in the whole collection";
}

bool past_deadline(const Query& q) {
  return q.deadline && std::chrono::steady_clock::now() > *q.deadline;
}

void check_deadline(std::chrono::steady_clock::time_point deadline) {
  if (std::chrono::steady_clock::now() > deadline) {
    throw Error(ErrorKind::kIo,
                "Timeout: the request took longer than the server's per-request limit; ask for "
                "a shorter time range, fewer sites or a smaller area");
  }
}

void check_deadline(const Query& q) {
  if (q.deadline) check_deadline(*q.deadline);
}

const char* reduce_name(Reduce r) {
  switch (r) {
    case Reduce::kNone:
      return "none";
    case Reduce::kMean:
      return "mean";
    case Reduce::kMin:
      return "min";
    case Reduce::kMax:
      return "max";
    case Reduce::kCount:
      return "count";
  }
  return "none";
}

Reduce parse_reduce(const std::string& text) {
  for (Reduce r : {Reduce::kNone, Reduce::kMean, Reduce::kMin, Reduce::kMax, Reduce::kCount}) {
    if (text == reduce_name(r)) return r;
  }
  throw BadRequest("--reduce: '" + text + "' is not one of none, mean, min, max, count");
}

}  // namespace pixeldrill::drill
