#include "drill/distributed_drill.h"

#include <algorithm>
#include <map>
#include <set>

#include "drill/dataset_base.h"
#include "drill/netcdf_dataset.h"
#include "drill/plan.h"
#include "index/binary_io.h"
#include "parallel/collective.h"

namespace pixeldrill::drill {
namespace {

using index::Reader;
using index::Writer;

void put_strings(Writer& w, const std::vector<std::string>& v) {
  w.u64(v.size());
  for (const auto& s : v) w.str(s);
}
std::vector<std::string> get_strings(Reader& r) {
  std::vector<std::string> v(r.count(4));
  for (auto& s : v) s = r.str();
  return v;
}

// Appends items of `more` not yet in `out`, keeping first-seen order: every
// rank reading the same damaged file reports it once, as one process does.
template <typename T>
void add_unique(std::vector<T>& out, const std::vector<T>& more) {
  for (const auto& item : more) {
    if (std::find(out.begin(), out.end(), item) == out.end()) out.push_back(item);
  }
}

// The time range of `rank`'s share: a partition of `whole` into `size`
// consecutive pieces with (about) the same number of time steps each.
TimeRange time_share(const TimeRange& whole, const std::vector<int64_t>& all_times, int rank,
                     int size) {
  std::vector<int64_t> times;
  for (int64_t t : all_times) {
    if (whole.contains(t)) times.push_back(t);
  }
  TimeRange r = whole;
  if (times.size() >= static_cast<size_t>(size)) {
    const auto sh = parallel::share_of(times.size(), rank, size);
    if (rank > 0) r.from = times[sh.begin];
    if (rank + 1 < size) r.to = times[sh.end] - 1;
    return r;
  }
  // Steps not known before reading (a NetCDF folder): equal spans of seconds.
  const int64_t from = *whole.from, span = *whole.to - *whole.from + 1;
  if (rank > 0) r.from = from + span * rank / size;
  if (rank + 1 < size) r.to = from + span * (rank + 1) / size - 1;
  return r;
}

// A share of the sites: one process skips sites outside the grid with a
// warning each and answers the others, so a share whose every site lies
// outside is not refused as a query of such sites alone would be. It drills
// one site of the query on the grid with them, for the frame of its answer
// (columns, source, attributes) and the warnings on its own sites, and keeps
// none of that site's rows or pixels.
DrillShare drill_site_share(const DatasetBase& base, const Query& query, const Query& part) {
  try {
    return base.drill_share(part);
  } catch (const Error& e) {
    if (e.kind() != ErrorKind::kBadRequest) throw;
    const catalog::Grid grid = base.info()->grid;
    // Every site of the query outside: refused, as one process refuses it.
    const Plan whole = make_plan(query, grid);
    Query framed = part;
    framed.sites.insert(framed.sites.begin(), query.sites.at(whole.pixels.front().site));
    if (make_plan(framed, grid).pixels.size() != 1) throw;  // refused for another reason
    DrillShare share = base.drill_share(framed);
    share.series.rows.clear();
    share.valid.clear();
    return share;
  }
}

}  // namespace

std::string encode_series(const Series& s) {
  Writer w;
  w.u64(s.columns.size());
  for (const auto& c : s.columns) {
    w.str(c.name);
    w.str(c.units);
    w.str(c.long_name);
    w.str(c.standard_name);
  }
  w.u64(s.rows.size());
  for (const auto& row : s.rows) {
    w.i64(row.time);
    w.str(row.site);
    w.f64(row.lat);
    w.f64(row.lon);
    w.u64(row.values.size());
    w.raw(row.values.data(), row.values.size() * sizeof(double));
  }
  w.u64(s.problems.size());
  for (const auto& p : s.problems) {
    w.str(p.path);
    w.str(p.variable);
    w.str(p.reason);
  }
  put_strings(w, s.notes);
  w.str(s.source);
  w.u64(s.periods.size());
  for (const auto& [t, p] : s.periods) {
    w.i64(t);
    w.i64(p.end);
    w.str(p.label);
  }
  w.u64(s.cell_methods.size());
  for (const auto& [k, v] : s.cell_methods) {
    w.str(k);
    w.str(v);
  }
  return w.data();
}

Series decode_series(const std::string& bytes) {
  Reader r(bytes.data(), bytes.size(), "series from another rank");
  Series s;
  s.columns.resize(r.count(16));
  for (auto& c : s.columns) {
    c.name = r.str();
    c.units = r.str();
    c.long_name = r.str();
    c.standard_name = r.str();
  }
  s.rows.resize(r.count(36));
  for (auto& row : s.rows) {
    row.time = r.i64();
    row.site = r.str();
    row.lat = r.f64();
    row.lon = r.f64();
    row.values.resize(r.count(8));
    r.raw(row.values.data(), row.values.size() * sizeof(double));
  }
  s.problems.resize(r.count(12));
  for (auto& p : s.problems) {
    p.path = r.str();
    p.variable = r.str();
    p.reason = r.str();
  }
  s.notes = get_strings(r);
  s.source = r.str();
  for (size_t n = r.count(20); n > 0; --n) {
    const int64_t t = r.i64();
    Period p;
    p.end = r.i64();
    p.label = r.str();
    s.periods.emplace(t, std::move(p));
  }
  for (size_t n = r.count(8); n > 0; --n) {
    std::string k = r.str();
    s.cell_methods[k] = r.str();
  }
  if (!r.done()) r.fail("trailing bytes");
  return s;
}

namespace {

// How this rank's share of `query` was cut, and what it drilled.
struct MyShare {
  bool by_sites = false;
  DrillShare mine;
};

MyShare drill_my_share(const DatasetBase& base, const Query& query, const KnownSteps* known,
                       int rank, int size) {
  // Files (a folder, an index) are best split by time: each rank reads and
  // inflates its own files once for all sites, where a split by sites would
  // have every rank inflate the chunks their sites share. A store's chunks
  // are deep in time and narrow in space: there sites split cleanly.
  // A NetCDF folder knows its time steps only after opening every file, so
  // a bounded range is split in equal spans of seconds instead, unless the
  // steps are known (a streamed block's).
  const bool netcdf = dynamic_cast<const NetcdfDataset*>(&base) != nullptr;
  const bool bounded = query.time.from && query.time.to;
  const bool many_sites = query.sites.size() >= static_cast<size_t>(size);
  std::vector<int64_t> times;
  std::string kind = "netcdf";
  if (known) {
    times = known->times;
    kind = known->kind;
  } else if (!netcdf || (!bounded && !many_sites)) {
    const auto info = base.info();
    times = info->times;
    kind = info->kind;
  }
  size_t steps = 0;
  for (int64_t t : times) steps += query.time.contains(t) ? 1 : 0;
  // Known steps fewer than the ranks are not cut into spans some of which hold none.
  const bool by_time = (bounded && !known) || steps >= static_cast<size_t>(size);
  MyShare out;
  out.by_sites = many_sites && (kind == "store" || !by_time);
  Query part = query;
  if (out.by_sites) {
    const auto sh = parallel::share_of(query.sites.size(), rank, size);
    part.sites.assign(query.sites.begin() + static_cast<ptrdiff_t>(sh.begin),
                      query.sites.begin() + static_cast<ptrdiff_t>(sh.end));
    out.mine = drill_site_share(base, query, part);
  } else if (by_time) {
    part.time = time_share(query.time, times, rank, size);
    out.mine = base.drill_share(part);
  } else if (rank == 0) {
    // Nothing to split by: rank 0 answers alone.
    out.mine = base.drill_share(query);
  }
  return out;
}

// On rank 0: the shares of every rank put back in one process's order.
Gathered merge_shares(MyShare& my, const std::vector<std::string>& pieces,
                      const std::vector<std::string>& valid) {
  const bool by_sites = my.by_sites;
  Gathered g;
  g.grid = my.mine.grid;
  Series& whole = g.series;
  whole = std::move(my.mine.series);
  whole.rows.clear();
  whole.problems.clear();
  whole.notes.clear();
  // Which pixels got a valid value: a site's in the rank holding it, a pixel
  // of every time share in any share.
  std::vector<bool>& any_valid = g.valid;
  for (const auto& flags : valid) {
    if (!by_sites && any_valid.size() < flags.size()) any_valid.resize(flags.size(), false);
    for (size_t i = 0; i < flags.size(); ++i) {
      if (by_sites) {
        any_valid.push_back(flags[i] == '1');
      } else if (flags[i] == '1') {
        any_valid[i] = true;
      }
    }
  }
  // Time steps every rank answered: a file one rank skipped (it could not
  // read the chunk one of its sites needed) is skipped whole by one process.
  std::map<int64_t, size_t> answered;
  // (Ranks whose sites all lie outside the grid answer no time step.)
  const auto with_pixels = static_cast<size_t>(std::count_if(
      valid.begin(), valid.end(), [](const std::string& flags) { return !flags.empty(); }));
  for (const auto& bytes : pieces) {
    Series part = decode_series(bytes);
    std::set<int64_t> times;
    for (const auto& row : part.rows) times.insert(row.time);
    for (int64_t t : times) ++answered[t];
    if (whole.columns.empty()) whole.columns = part.columns;
    whole.rows.insert(whole.rows.end(), std::make_move_iterator(part.rows.begin()),
                      std::make_move_iterator(part.rows.end()));
    add_unique(whole.problems, part.problems);
    add_unique(whole.notes, part.notes);
    // A time share reaching past a store's end names both paths.
    if (part.source.size() > whole.source.size()) whole.source = part.source;
    whole.cell_methods.insert(part.cell_methods.begin(), part.cell_methods.end());
  }
  // Ranks hold consecutive sites: at each time, rank order is site order.
  if (by_sites) {
    std::erase_if(whole.rows, [&](const Row& r) { return answered[r.time] != with_pixels; });
    std::stable_sort(whole.rows.begin(), whole.rows.end(),
                     [](const Row& a, const Row& b) { return a.time < b.time; });
  }
  return g;
}

}  // namespace

Gathered drill_shares(const DatasetBase& base, const Query& query, const KnownSteps* known,
                      parallel::Communicator& comm) {
  MyShare my;
  parallel::collective_step(
      comm, [&] { my = drill_my_share(base, query, known, comm.rank(), comm.size()); });
  Gathered g;
  parallel::collective_step(comm, [&] {
    const auto pieces = comm.gather(encode_series(my.mine.series), 0);
    std::string flags(my.mine.valid.size(), '0');
    for (size_t i = 0; i < flags.size(); ++i) flags[i] = my.mine.valid[i] ? '1' : '0';
    const auto valid = comm.gather(flags, 0);
    if (comm.rank() == 0) g = merge_shares(my, pieces, valid);
  });
  return g;
}

Series drill_across(const Dataset& dataset, const Query& query, parallel::Communicator& comm) {
  const int rank = comm.rank();
  if (comm.size() == 1) return dataset.drill(query);
  // The pixel --nearest-valid picks depends on every time step of the
  // query: answered whole, by rank 0.
  const auto* base = dynamic_cast<const DatasetBase*>(&dataset);
  if (query.nearest_valid_km || !base) {
    Series whole;
    parallel::collective_step(comm, [&] {
      if (rank == 0) whole = dataset.drill(query);
    });
    return whole;
  }
  Gathered g = drill_shares(*base, query, nullptr, comm);
  if (rank != 0) return {};
  // Said once, for the whole query.
  const auto notes = emptiness_notes(query, g.grid, g.valid);
  g.series.notes.insert(g.series.notes.end(), notes.begin(), notes.end());
  return std::move(g.series);
}

}  // namespace pixeldrill::drill
