#include "drill/netcdf_reader.h"

#include <algorithm>
#include <map>
#include <optional>
#include <set>

#include "catalog/duplicates.h"
#include "catalog/product_key.h"
#include "core/civil_time.h"
#include "core/error.h"
#include "core/progress.h"
#include "drill/resolve.h"
#include "formats/netcdf/library_lock.h"

namespace pixeldrill::drill {
namespace {
using catalog::FileMetadata;
using catalog::VariableInfo;
using formats::netcdf::NcFile;

// When the pixels are sparse inside a big window (stations far apart), read
// each pixel's column instead of the whole window.
constexpr size_t kMaxWindowPixels = 1u << 20;
constexpr size_t kChunkCacheBytes = 64u << 20;
// Files opened while looking for the query's grid and variables stay open
// for the read that follows, up to this many. Few: every open HDF5 file holds
// a freshly zeroed metadata cache, and 64 held files doubled the CPU time of
// a 30-file drill (page faults; 271 vs 136 ms, docs/benchmarks.md).
constexpr size_t kMaxHeldFiles = 4;

// One file's steps in the query's range, read but not yet handed to the
// builder: which files count is only known once every file's times are.
struct StagedFile {
  size_t file = 0;
  std::vector<int64_t> times;
  std::vector<std::vector<StoredValues>> steps;  // steps[k][variable]
};

// How a variable's dimensions map onto (time, row, col): the stride of each
// in the hyperslab buffer, and the start/count to request.
struct Slab {
  std::vector<size_t> start, count;
  size_t t_stride = 0, r_stride = 0, c_stride = 0;
  size_t size = 1;
};

Slab make_slab(const FileMetadata& m, const VariableInfo& v, size_t t0, size_t nt, size_t r0,
               size_t nr, size_t c0, size_t nc) {
  Slab s;
  const size_t ndims = v.dims.size();
  s.start.resize(ndims);
  s.count.resize(ndims);
  for (size_t d = 0; d < ndims; ++d) {
    const std::string& dim = v.dims[d];
    if (dim == m.grid.lat.name) {
      s.start[d] = r0, s.count[d] = nr;
    } else if (dim == m.grid.lon.name) {
      s.start[d] = c0, s.count[d] = nc;
    } else if (dim == m.time_name) {
      s.start[d] = t0, s.count[d] = nt;
    } else if (v.shape[d] == 1) {
      s.start[d] = 0, s.count[d] = 1;
    } else {
      throw Error(ErrorKind::kBadRequest, m.path + ": variable " + v.name + " has dimension '" +
                                              dim + "' of length " + std::to_string(v.shape[d]) +
                                              " besides time/lat/lon; not supported");
    }
  }
  size_t stride = 1;
  for (size_t d = ndims; d-- > 0;) {
    const std::string& dim = v.dims[d];
    if (dim == m.grid.lat.name) s.r_stride = stride;
    if (dim == m.grid.lon.name) s.c_stride = stride;
    if (dim == m.time_name) s.t_stride = stride;
    stride *= s.count[d];
  }
  s.size = stride;
  return s;
}

// Reads the query's time steps of one open file into `out`; a file failing
// midway leaves `out` untouched.
void read_file(const FileMetadata& m, const NcFile& file, const ReadRequest& r, StagedFile& out) {
  const std::vector<size_t> steps = select_steps(m.times, r.query.time);
  if (steps.empty()) return;
  const size_t t0 = steps.front(), nt = steps.back() - t0 + 1;
  const Plan& plan = r.plan;
  const size_t npix = plan.pixels.size();
  const size_t window = plan.window_rows() * plan.window_cols();
  const bool per_pixel = window > kMaxWindowPixels && window > 4 * npix;
  // stored[t][v]
  std::vector<std::vector<StoredValues>> stored(steps.size(),
                                                std::vector<StoredValues>(r.variables.size()));
  for (size_t v = 0; v < r.variables.size(); ++v) {
    const auto it = m.variables.find(r.variables[v]);
    if (it == m.variables.end()) continue;  // absent in this era: missing values
    const VariableInfo& info = it->second;
    for (auto& step : stored) {
      step[v].present = true;
      step[v].packing = info.packing;
      step[v].raw.resize(npix);
    }
    if (per_pixel) {
      file.set_chunk_cache(info.varid, kChunkCacheBytes);
      for (size_t p = 0; p < npix; ++p) {
        const PixelTarget& px = plan.pixels[p];
        const Slab s = make_slab(m, info, t0, nt, px.row, 1, px.col, 1);
        std::vector<double> buf(s.size);
        file.read(info.varid, s.start, s.count, buf.data());
        for (size_t k = 0; k < steps.size(); ++k) {
          stored[k][v].raw[p] = buf[(steps[k] - t0) * s.t_stride];
        }
      }
    } else {
      const Slab s =
          make_slab(m, info, t0, nt, plan.row0, plan.window_rows(), plan.col0, plan.window_cols());
      std::vector<double> buf(s.size);
      file.read(info.varid, s.start, s.count, buf.data());
      for (size_t k = 0; k < steps.size(); ++k) {
        for (size_t p = 0; p < npix; ++p) {
          const PixelTarget& px = plan.pixels[p];
          stored[k][v].raw[p] =
              buf[(steps[k] - t0) * s.t_stride + (px.row - plan.row0) * s.r_stride +
                  (px.col - plan.col0) * s.c_stride];
        }
      }
    }
    if (info.unsigned_reinterpret) {
      for (auto& step : stored) reinterpret_unsigned(step[v].raw, info.packing.type);
    }
  }
  for (size_t k : steps) out.times.push_back(m.times[k]);
  out.steps = std::move(stored);
}

class NetcdfReader : public QueryReader {
 public:
  NetcdfReader(const NetcdfDataset& dataset, std::shared_ptr<const NetcdfDataset::Listing> listing,
               const Query& query)
      : dataset_(dataset), listing_(std::move(listing)) {
    info_.source = dataset.spec();
    info_.kind = "netcdf";
    select_candidates(query);
    find_grid_and_variables(wanted_variables(query));
  }

  const DatasetInfo& info() const override { return info_; }

  void read(const ReadRequest& r, SeriesBuilder& builder, std::vector<Problem>& problems) override {
    problems.insert(problems.end(), dataset_.walk_problems().begin(),
                    dataset_.walk_problems().end());
    problems.insert(problems.end(), early_problems_.begin(), early_problems_.end());
    std::vector<size_t> order = candidates_;
    Progress progress("drilling", order.size());
    std::map<uint64_t, std::vector<size_t>> by_grid;  // grid fingerprint -> files
    std::vector<StagedFile> staged;
    for (size_t i = 0; i < order.size(); ++i) {
      check_deadline(r.query);
      read_one(order[i], r, staged, problems, by_grid);
      progress.tick();
      // A stored time far from its file's name date: names cannot be trusted
      // to select files, so every other file is read too.
      if (i + 1 == order.size() && names_failed_ && order.size() < listing_->files.size()) {
        dataset_.names_trusted() = false;
        for (size_t f = 0; f < listing_->files.size(); ++f) {
          if (!std::binary_search(candidates_.begin(), candidates_.end(), f)) order.push_back(f);
        }
      }
    }
    check_one_grid(by_grid);
    add_without_duplicates(staged, r.query, builder);
  }

  std::string describe() const override { return "netcdf"; }

 private:
  // Two files with the same time step in the range: the rule of
  // catalog/duplicates.h, as on the index and store paths, applied after
  // reading so that each file is opened once (the times are only known then).
  // Staged values are released as they are handed over.
  void add_without_duplicates(std::vector<StagedFile>& staged, const Query& query,
                              SeriesBuilder& builder) const {
    std::vector<catalog::TimedFile> timed;
    for (const StagedFile& s : staged) {
      const std::string& path = listing_->files[s.file].path;
      timed.push_back({path, s.times, catalog::file_mtime_ns(path)});
    }
    const std::vector<bool> use = catalog::resolve_duplicates(timed, query.duplicates);
    for (size_t i = 0; i < staged.size(); ++i) {
      StagedFile& s = staged[i];
      for (size_t k = 0; use[i] && k < s.times.size(); ++k) {
        builder.add_step(s.times[k], s.steps[k], s.file);
      }
      s = StagedFile{};
    }
  }

  void select_candidates(const Query& query) {
    const auto& files = listing_->files;
    const bool by_name =
        listing_->names_dated && dataset_.names_trusted() && (query.time.from || query.time.to);
    for (size_t i = 0; i < files.size(); ++i) {
      if (by_name) {
        const int64_t t = *files[i].name_time;
        if (query.time.from && t < *query.time.from - listing_->margin) continue;
        if (query.time.to && t > *query.time.to + listing_->margin) continue;
      }
      candidates_.push_back(i);
    }
    if (files.empty()) {
      throw Error(ErrorKind::kNotFound, dataset_.spec() + ": holds no NetCDF files");
    }
    if (candidates_.empty()) {
      const auto [lo, hi] = std::minmax_element(
          files.begin(), files.end(), [](auto& a, auto& b) { return *a.name_time < *b.name_time; });
      // The message of DatasetBase::run() on every backend, with the span of the names.
      throw Error(ErrorKind::kNotFound, dataset_.spec() + ": no time step " + query.time.text() +
                                            "; the collection holds files named for " +
                                            format_iso8601(*lo->name_time).substr(0, 10) + ".." +
                                            format_iso8601(*hi->name_time).substr(0, 10));
    }
  }

  // A file's metadata from the cache, or opened now and kept open for
  // read_one() (up to kMaxHeldFiles), so a file is opened once per query.
  NetcdfDataset::FileFacts facts_of(size_t f) {
    const std::string& path = listing_->files[f].path;
    const auto lock = formats::netcdf::library_lock();
    std::optional<NcFile> file;
    if (!dataset_.has_metadata(path)) file.emplace(NcFile::open(path));
    NetcdfDataset::FileFacts facts = dataset_.metadata(path, file ? &*file : nullptr);
    if (file && held_.size() < kMaxHeldFiles) held_.emplace(f, std::move(*file));
    return facts;
  }

  // Opens candidates in order until the grid and every wanted variable are
  // known (usually the first file), keeping them open for read().
  void find_grid_and_variables(const std::vector<std::string>& wanted) {
    std::set<std::string> missing(wanted.begin(), wanted.end());
    std::set<std::string> seen;
    bool any = false;
    for (size_t f : candidates_) {
      if (any && missing.empty()) break;
      const std::string& path = listing_->files[f].path;
      try {
        const NetcdfDataset::FileFacts facts = facts_of(f);
        if (!any) {
          info_.grid = *facts.grid;
          info_.time_name = facts.meta->time_name;
          grid_ = facts.grid_fingerprint;
          any = true;
        }
        if (facts.grid_fingerprint != grid_) continue;
        for (const auto& [name, v] : facts.meta->variables) {
          if (seen.insert(name).second) info_.variables.push_back(dataset_.describe(v));
          missing.erase(name);
        }
      } catch (const Error& e) {
        early_problems_.push_back(problem_from_error(path, e));
        failed_.insert(f);
      }
    }
    if (!any) {
      throw Error(ErrorKind::kNotFound,
                  dataset_.spec() + ": none of the " + std::to_string(candidates_.size()) +
                      " files could be read; first problem: " + early_problems_.front().message());
    }
    info_.global_attributes = dataset_.global_attributes();
  }

  void read_one(size_t f, const ReadRequest& r, std::vector<StagedFile>& staged,
                std::vector<Problem>& problems, std::map<uint64_t, std::vector<size_t>>& by_grid) {
    if (failed_.count(f)) return;
    const auto& entry = listing_->files[f];
    try {
      const auto lock = formats::netcdf::library_lock();
      std::optional<NcFile> opened;
      const auto held = held_.find(f);
      const NcFile& file =
          held != held_.end() ? held->second : opened.emplace(NcFile::open(entry.path));
      const auto facts = dataset_.metadata(entry.path, &file);
      by_grid[facts.grid_fingerprint].push_back(f);
      if (entry.name_time) {
        for (int64_t t : facts.meta->times) {
          if (std::llabs(t - *entry.name_time) > listing_->margin / 2) names_failed_ = true;
        }
      }
      if (facts.grid_fingerprint == grid_) {
        StagedFile out{f, {}, {}};
        read_file(*facts.meta, file, r, out);
        if (!out.times.empty()) staged.push_back(std::move(out));
      }
      if (held != held_.end()) held_.erase(held);
    } catch (const Error& e) {
      problems.push_back(problem_from_error(entry.path, e));
    }
  }

  // Files on several grids: refused by name, the grid most files share first.
  void check_one_grid(const std::map<uint64_t, std::vector<size_t>>& by_grid) const {
    if (by_grid.size() < 2) return;
    const auto best = std::max_element(by_grid.begin(), by_grid.end(), [](auto& a, auto& b) {
      return a.second.size() < b.second.size();
    });
    // The grids are shared and cached, so the pointers stay valid.
    auto member = [&](size_t f) {
      const auto facts = dataset_.metadata(listing_->files[f].path, nullptr);
      return GridMember{listing_->files[f].path, facts.grid.get()};
    };
    const GridMember first = member(best->second.front());
    std::vector<GridMember> others;
    size_t total = 0;
    for (const auto& [fp, files] : by_grid) {
      total += files.size();
      if (fp == best->first) continue;
      for (size_t f : files) others.push_back(member(f));
    }
    throw_mixed_grids(dataset_.spec(), first, others, total);
  }

  const NetcdfDataset& dataset_;
  std::shared_ptr<const NetcdfDataset::Listing> listing_;
  DatasetInfo info_;
  uint64_t grid_ = 0;
  std::vector<size_t> candidates_;
  std::set<size_t> failed_;
  std::map<size_t, NcFile> held_;
  std::vector<Problem> early_problems_;
  bool names_failed_ = false;
};

}  // namespace

std::unique_ptr<QueryReader> make_netcdf_reader(
    const NetcdfDataset& dataset, std::shared_ptr<const NetcdfDataset::Listing> listing,
    const Query& query) {
  // --product keeps the files of one GHRSST product; several left are refused.
  std::vector<std::string> paths;
  for (const auto& f : listing->files) paths.push_back(f.path);
  if (!query.product.empty()) {
    auto kept = std::make_shared<NetcdfDataset::Listing>(*listing);
    kept->files.clear();
    std::vector<std::string> kept_paths;
    for (size_t i : catalog::select_product(paths, query.product)) {
      kept->files.push_back(listing->files[i]);
      kept_paths.push_back(paths[i]);
    }
    listing = std::move(kept);
    paths = std::move(kept_paths);
  }
  catalog::check_single_product(dataset.spec(), paths);
  return std::make_unique<NetcdfReader>(dataset, std::move(listing), query);
}

}  // namespace pixeldrill::drill
