#include "drill/netcdf_source.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <map>

#include "catalog/collection.h"
#include "catalog/nc_metadata.h"
#include "core/error.h"
#include "core/progress.h"
#include "drill/plan.h"
#include "drill/series_builder.h"

namespace pixeldrill::drill {
namespace {
namespace fs = std::filesystem;
using catalog::FileMetadata;
using catalog::VariableInfo;
using formats::netcdf::NcFile;

// When the pixels are sparse inside a big window (stations far apart), read
// each pixel's column instead of the whole window.
constexpr size_t kMaxWindowPixels = 1u << 20;
constexpr size_t kChunkCacheBytes = 64u << 20;

struct GoodFile {
  size_t order;  // index in the sorted collection
  FileMetadata meta;
};

// The grid most files share; the rest are refused by name.
const catalog::Grid& check_grids(const std::string& spec, const std::vector<GoodFile>& files) {
  std::map<uint64_t, size_t> counts;
  for (const auto& f : files) ++counts[f.meta.grid.fingerprint()];
  uint64_t best = files.front().meta.grid.fingerprint();
  for (const auto& [fp, n] : counts) {
    if (n > counts[best]) best = fp;
  }
  const catalog::Grid* grid = nullptr;
  std::vector<const GoodFile*> odd;
  for (const auto& f : files) {
    if (f.meta.grid.fingerprint() == best) {
      if (!grid) grid = &f.meta.grid;
    } else {
      odd.push_back(&f);
    }
  }
  if (!odd.empty()) {
    std::string msg = spec + ": files on different grids cannot be drilled together; " +
                      std::to_string(files.size() - odd.size()) + " of " +
                      std::to_string(files.size()) + " files are on " + grid->describe() +
                      ", these " + std::to_string(odd.size()) + " are not:";
    for (size_t i = 0; i < odd.size() && i < 10; ++i) {
      msg += "\n  " + odd[i]->meta.path + " (" + odd[i]->meta.grid.describe() + ")";
    }
    if (odd.size() > 10) msg += "\n  ... and " + std::to_string(odd.size() - 10) + " more";
    throw Error(msg);
  }
  return *grid;
}

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
      throw Error(m.path + ": variable " + v.name + " has dimension '" + dim + "' of length " +
                  std::to_string(v.shape[d]) + " besides time/lat/lon; not supported");
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

// Reads every time step of one file for the plan; steps are handed to the
// builder only once the whole file has been read, so a file failing midway
// adds nothing.
void drill_file(const GoodFile& f, const Plan& plan, const Query& query, SeriesBuilder& builder) {
  const FileMetadata& m = f.meta;
  std::vector<size_t> steps;
  for (size_t t = 0; t < m.times.size(); ++t) {
    if (query.time.contains(m.times[t])) steps.push_back(t);
  }
  if (steps.empty()) return;
  const size_t t0 = steps.front(), nt = steps.back() - t0 + 1;
  const NcFile file = NcFile::open(m.path);
  const auto& names = builder.read_variables();
  const size_t npix = plan.pixels.size();
  const size_t window = plan.window_rows() * plan.window_cols();
  const bool per_pixel = window > kMaxWindowPixels && window > 4 * npix;
  // stored[t][v]
  std::vector<std::vector<StoredValues>> stored(steps.size(),
                                                std::vector<StoredValues>(names.size()));
  for (size_t v = 0; v < names.size(); ++v) {
    const auto it = m.variables.find(names[v]);
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
  }
  for (size_t v = 0; v < names.size(); ++v) {
    const auto it = m.variables.find(names[v]);
    if (it == m.variables.end() || !it->second.unsigned_reinterpret) continue;
    const double wrap =
        std::ldexp(1.0, static_cast<int>(catalog::storage_size(it->second.packing.type)) * 8);
    for (auto& step : stored) {
      for (double& x : step[v].raw) {
        if (x < 0) x += wrap;
      }
    }
  }
  for (size_t k = 0; k < steps.size(); ++k) builder.add_step(m.times[steps[k]], stored[k], f.order);
}

Column describe(const VariableInfo& v) { return {v.name, v.units, v.long_name, v.standard_name}; }

}  // namespace

Series NetcdfSource::drill(const Query& query) {
  std::vector<Problem> problems = walk_problems_;
  std::vector<GoodFile> good;
  {
    Progress progress("scanning", files_.size());
    for (size_t i = 0; i < files_.size(); ++i) {
      try {
        const NcFile file = NcFile::open(files_[i]);
        good.push_back({i, catalog::read_metadata(file)});
      } catch (const Error& e) {
        problems.push_back(problem_from_error(files_[i], e));
      }
      progress.tick();
    }
  }
  if (good.empty()) {
    throw Error(spec_ + ": none of the " + std::to_string(files_.size()) +
                " files could be read; first problem: " + problems.front().message());
  }
  // Before the grid check, which refers into `good`.
  {
    std::vector<catalog::TimedFile> timed;
    for (const auto& f : good) {
      timed.push_back({f.meta.path, {}, catalog::file_mtime_ns(f.meta.path)});
      for (int64_t t : f.meta.times) {
        if (query.time.contains(t)) timed.back().times.push_back(t);
      }
    }
    const std::vector<bool> use = catalog::resolve_duplicates(timed, query.duplicates);
    std::vector<GoodFile> kept;
    for (size_t i = 0; i < good.size(); ++i) {
      if (use[i]) kept.push_back(std::move(good[i]));
    }
    good = std::move(kept);
  }
  const catalog::Grid& grid = check_grids(spec_, good);

  // Column metadata from the first file holding each variable.
  std::vector<Column> columns;
  std::vector<std::string> wanted = query.vars;
  if (query.min_quality) wanted.push_back(kQualityVariable);
  for (size_t i = 0; i < wanted.size(); ++i) {
    const VariableInfo* found = nullptr;
    for (const auto& f : good) {
      const auto it = f.meta.variables.find(wanted[i]);
      if (it != f.meta.variables.end()) {
        found = &it->second;
        break;
      }
    }
    if (!found) {
      std::string known;
      for (const auto& [name, info] : good.front().meta.variables) {
        known += (known.empty() ? "" : ", ") + name;
      }
      throw Error((i < query.vars.size() ? "--var " : "--min-quality needs ") + wanted[i] +
                  ": no such variable in any of the " + std::to_string(good.size()) + " files of " +
                  spec_ + " (variables: " + known + ")");
    }
    if (i < query.vars.size()) columns.push_back(describe(*found));
  }

  const Plan plan = make_plan(query, grid);
  SeriesBuilder builder(query, plan, columns);
  {
    Progress progress("drilling", good.size());
    for (const auto& f : good) {
      try {
        drill_file(f, plan, query, builder);
      } catch (const Error& e) {
        problems.push_back(problem_from_error(f.meta.path, e));
      }
      progress.tick();
    }
  }
  return builder.finish(std::move(problems), "netcdf");
}

std::unique_ptr<DrillSource> open_netcdf_source(const std::string& spec) {
  std::error_code ec;
  const bool dir = fs::is_directory(spec, ec);
  const bool file = !dir && fs::is_regular_file(spec, ec);
  if (file) {
    const std::string ext = fs::path(spec).extension().string();
    if (!catalog::has_netcdf_magic(spec) && ext != ".nc" && ext != ".nc4") return nullptr;
  } else if (!dir && !catalog::is_glob(spec) && fs::exists(spec, ec)) {
    return nullptr;
  }
  std::vector<std::string> skipped;
  auto files = catalog::discover_files(spec, &skipped);
  auto source = std::make_unique<NetcdfSource>(spec, std::move(files));
  for (const auto& why : skipped) source->add_walk_problem(problem_from_message(why));
  return source;
}

namespace {
const bool kRegistered = register_source_opener({"netcdf", 0, &open_netcdf_source});
}  // namespace

}  // namespace pixeldrill::drill
