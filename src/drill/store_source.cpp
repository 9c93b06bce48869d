#include "drill/store_source.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <map>
#include <optional>
#include <set>
#include <stdexcept>

#include "catalog/collection.h"
#include "catalog/grid.h"
#include "catalog/time_axis.h"
#include "core/civil_time.h"
#include "core/error.h"
#include "core/parallel.h"
#include "drill/netcdf_source.h"
#include "drill/plan.h"
#include "drill/series_builder.h"
#include "formats/zarr/array_meta.h"
#include "formats/zarr/chunk_io.h"
#include "formats/zarr/directory.h"
#include "store/store_metadata.h"
#include "store/store_state.h"

namespace pixeldrill::drill {
namespace {
namespace fs = std::filesystem;
using nlohmann::json;
using zarr::ArrayMeta;

struct StoreArray {
  ArrayMeta meta;
  json attrs;
  catalog::Packing packing;  // how a reader decodes the stored numbers (CF on Zarr)
};

double load_number(const std::byte* p, catalog::StorageType t) {
  using catalog::StorageType;
  auto get = [p](auto v) {
    std::memcpy(&v, p, sizeof v);
    return static_cast<double>(v);
  };
  switch (t) {
    case StorageType::kInt8:
      return get(int8_t{});
    case StorageType::kUInt8:
      return get(uint8_t{});
    case StorageType::kInt16:
      return get(int16_t{});
    case StorageType::kUInt16:
      return get(uint16_t{});
    case StorageType::kInt32:
      return get(int32_t{});
    case StorageType::kUInt32:
      return get(uint32_t{});
    case StorageType::kInt64:
      return get(int64_t{});
    case StorageType::kUInt64:
      return get(uint64_t{});
    case StorageType::kFloat32:
      return get(float{});
    case StorageType::kFloat64:
      return get(double{});
  }
  return 0;
}

class StoreSource : public DrillSource {
 public:
  explicit StoreSource(const std::string& spec)
      : spec_(spec), dir_(spec, fs::path(spec) / store::kScratchDir) {
    try {
      load();
    } catch (const nlohmann::json::exception& e) {
      throw Error(spec_ + "/.zmetadata: not the metadata of a pixeldrill store: " + e.what());
    } catch (const std::out_of_range& e) {
      throw Error(spec_ + "/.zmetadata: an array the store needs is missing (" + e.what() + ")");
    }
  }

  void load() {
    const json zmeta = dir_.read_json(".zmetadata");
    const json& md = zmeta.at("metadata");
    const json& global = md.at(".zattrs");
    time_name_ = global.at(store::kStoreAttribute).value("time", "time");
    for (auto it = md.begin(); it != md.end(); ++it) {
      const std::string key = it.key();
      if (!key.ends_with("/.zarray")) continue;
      const std::string name = key.substr(0, key.size() - 8);
      StoreArray a;
      a.meta = ArrayMeta::from_json(it.value(), spec_ + "/" + key);
      a.attrs = md.value(name + "/.zattrs", json::object());
      a.packing.type = a.meta.dtype;
      if (a.meta.fill_value.is_string()) {
        a.packing.fill_value = std::nan("");
      } else if (a.meta.fill_value.is_number()) {
        a.packing.fill_value = a.meta.fill_value.get<double>();
      }
      if (a.attrs.contains("scale_factor"))
        a.packing.scale_factor = a.attrs["scale_factor"].get<double>();
      if (a.attrs.contains("add_offset"))
        a.packing.add_offset = a.attrs["add_offset"].get<double>();
      arrays_[name] = std::move(a);
    }
    const auto dims = [&](const std::string& name) {
      return arrays_.count(name) ? arrays_[name].attrs.value("_ARRAY_DIMENSIONS", json::array())
                                 : json::array();
    };
    // The data variables are the 3-D arrays; their dimension names give the grid axes.
    for (const auto& [name, a] : arrays_) {
      const json d = dims(name);
      if (a.meta.shape.size() == 3 && d.size() == 3) {
        data_vars_.push_back(name);
        grid_.lat.name = d[1].get<std::string>();
        grid_.lon.name = d[2].get<std::string>();
      }
    }
    if (data_vars_.empty()) throw Error(spec_ + ": store holds no (time, lat, lon) variables");
    grid_.lat.values = read_1d(grid_.lat.name);
    grid_.lon.values = read_1d(grid_.lon.name);
    const auto& tattrs = arrays_.at(time_name_).attrs;
    const auto units = catalog::TimeUnits::parse(
        tattrs.value("units", ""), tattrs.value("calendar", "standard"), spec_ + ": " + time_name_);
    for (double t : read_1d(time_name_)) times_.push_back(units.to_unix(t));
    if (dir_.exists(store::kJournalKey)) {
      state_ = store::StoreState::from_json(dir_.read_json(store::kJournalKey),
                                            dir_.path(store::kJournalKey).string());
    }
  }

  std::string kind() const override { return "store"; }

  Series drill(const Query& query) override {
    std::vector<std::string> wanted = query.vars;
    if (query.min_quality) wanted.push_back(kQualityVariable);
    std::vector<Column> columns;
    for (size_t i = 0; i < wanted.size(); ++i) {
      if (std::find(data_vars_.begin(), data_vars_.end(), wanted[i]) == data_vars_.end()) {
        std::string known;
        for (const auto& v : data_vars_) known += (known.empty() ? "" : ", ") + v;
        throw Error((i < query.vars.size() ? "--var " : "--min-quality needs ") + wanted[i] +
                    ": not in store " + spec_ + " (variables: " + known + ")");
      }
      const json& a = arrays_.at(wanted[i]).attrs;
      if (i < query.vars.size()) {
        columns.push_back({wanted[i], a.value("units", ""), a.value("long_name", ""),
                           a.value("standard_name", "")});
      }
    }
    const Plan plan = make_plan(query, grid_);
    SeriesBuilder builder(query, plan, columns);
    std::vector<size_t> steps;
    for (size_t t = 0; t < times_.size(); ++t) {
      if (query.time.contains(times_[t])) steps.push_back(t);
    }
    const auto& names = builder.read_variables();
    // raw[v][k * npix + p]: variable v, k-th selected step, plan pixel p.
    const size_t npix = plan.pixels.size();
    std::vector<std::vector<double>> raw(names.size());
    for (size_t v = 0; v < names.size(); ++v) read_pixels(names[v], plan, steps, raw[v]);
    for (size_t k = 0; k < steps.size(); ++k) {
      std::vector<StoredValues> values(names.size());
      for (size_t v = 0; v < names.size(); ++v) {
        values[v].present = true;
        values[v].packing = arrays_.at(names[v]).packing;
        values[v].raw.assign(raw[v].begin() + k * npix, raw[v].begin() + (k + 1) * npix);
      }
      builder.add_step(times_[steps[k]], values, steps[k]);
    }
    std::string source = "store " + spec_ + describe_days(steps);
    Series series = builder.finish({}, "store");
    append_newer_days(query, series, source);
    series.source = source;
    return series;
  }

 private:
  std::string describe_days(const std::vector<size_t>& steps) const {
    if (steps.empty()) return " (no days)";
    std::vector<int64_t> times;
    for (size_t k : steps) times.push_back(times_[k]);
    return " (" + describe_time_span(times) + ")";
  }

  std::vector<double> read_1d(const std::string& name) {
    const auto it = arrays_.find(name);
    if (it == arrays_.end()) throw Error(spec_ + ": no array " + name);
    const ArrayMeta& m = it->second.meta;
    std::vector<double> out;
    std::vector<std::byte> chunk(m.chunk_items() * m.item_size());
    for (uint64_t c = 0; c < m.chunk_grid()[0]; ++c) {
      zarr::read_chunk(dir_, name, m, {c}, chunk);
      for (uint64_t i = 0; i < m.chunks[0] && out.size() < m.shape[0]; ++i) {
        out.push_back(load_number(chunk.data() + i * m.item_size(), m.dtype));
      }
    }
    return out;
  }

  // Reads variable `name` at every plan pixel for the selected steps. Work is
  // split by chunk file; each chunk is read once, and when it serves few
  // pixels only the blosc blocks holding their series are decoded.
  void read_pixels(const std::string& name, const Plan& plan, const std::vector<size_t>& steps,
                   std::vector<double>& out) {
    const StoreArray& a = arrays_.at(name);
    const ArrayMeta& m = a.meta;
    const size_t npix = plan.pixels.size(), item = m.item_size();
    const double fill = a.packing.fill_value.value_or(0.0);
    out.assign(steps.size() * npix, fill);
    if (steps.empty()) return;
    // Pixels by spatial chunk.
    std::map<std::pair<uint64_t, uint64_t>, std::vector<size_t>> by_chunk;
    for (size_t p = 0; p < npix; ++p) {
      by_chunk[{plan.pixels[p].row / m.chunks[1], plan.pixels[p].col / m.chunks[2]}].push_back(p);
    }
    // Selected steps by time chunk: [first k, last k] per time chunk.
    std::map<uint64_t, std::pair<size_t, size_t>> by_time;
    for (size_t k = 0; k < steps.size(); ++k) {
      auto [it, fresh] = by_time.try_emplace(steps[k] / m.chunks[0], k, k);
      if (!fresh) it->second.second = k;
    }
    struct Job {
      uint64_t tc;
      std::pair<size_t, size_t> ks;
      const std::pair<const std::pair<uint64_t, uint64_t>, std::vector<size_t>>* pixels;
    };
    std::vector<Job> jobs;
    for (const auto& [tc, ks] : by_time) {
      for (const auto& entry : by_chunk) jobs.push_back({tc, ks, &entry});
    }
    const bool fortran = m.order == 'F';
    parallel_for(jobs.size(), std::min<unsigned>(default_threads(), 4), [&](size_t j) {
      const Job& job = jobs[j];
      const auto [cy, cx] = job.pixels->first;
      const std::vector<uint64_t> index = {job.tc, cy, cx};
      const std::string key = name + "/" + zarr::chunk_key(index);
      const auto& pixels = job.pixels->second;
      const std::string path = dir_.path(key).string();
      const uint64_t t_base = job.tc * m.chunks[0];
      const size_t t_lo = steps[job.ks.first] - t_base, t_hi = steps[job.ks.second] - t_base;
      auto pick = [&](size_t p, const std::byte* base, size_t t0, size_t y0) {
        // base holds items from offset (t0, y0, x) of pixel p's column on (F order).
        const uint64_t y = plan.pixels[p].row - cy * m.chunks[1];
        for (size_t k = job.ks.first; k <= job.ks.second; ++k) {
          const size_t t = steps[k] - t_base;
          out[k * npix + p] = load_number(base + ((y - y0) * m.chunks[0] + t - t0) * item, m.dtype);
        }
      };
      if (!fortran) {
        const auto encoded = dir_.read(key);
        if (!encoded) return;  // absent chunk: all fill, already set
        std::vector<std::byte> buf(m.chunk_items() * item);
        m.codec.decompress(*encoded, buf, path);
        for (size_t p : pixels) {
          const uint64_t y = plan.pixels[p].row - cy * m.chunks[1];
          const uint64_t x = plan.pixels[p].col - cx * m.chunks[2];
          for (size_t k = job.ks.first; k <= job.ks.second; ++k) {
            out[k * npix + p] = load_number(
                buf.data() + m.offset_in_chunk({steps[k] - t_base, y, x}) * item, m.dtype);
          }
        }
        return;
      }
      // Columns of this chunk the query touches; with several, read the file
      // once and decode each column's run from memory, else read just its blocks.
      std::map<uint64_t, std::vector<size_t>> by_column;
      for (size_t p : pixels) by_column[plan.pixels[p].col - cx * m.chunks[2]].push_back(p);
      std::optional<std::vector<std::byte>> whole;
      if (by_column.size() > 2) {
        whole = dir_.read(key);
        if (!whole) return;  // absent chunk: all fill, already set
      } else {
        std::error_code ec;
        if (!fs::exists(path, ec)) return;
      }
      // F order: the pixels of one chunk column between two rows, over the
      // selected days, are one contiguous run of items; decode just that run
      // (its blosc blocks) per column the query touches.
      std::vector<std::byte> run;
      for (const auto& [x, ps] : by_column) {
        uint64_t y0 = m.chunks[1], y1 = 0;
        for (size_t p : ps) {
          const uint64_t y = plan.pixels[p].row - cy * m.chunks[1];
          y0 = std::min(y0, y);
          y1 = std::max(y1, y);
        }
        const size_t first = m.offset_in_chunk({t_lo, y0, x});
        const size_t last = m.offset_in_chunk({t_hi, y1, x});
        run.resize((last - first + 1) * item);
        if (whole) {
          m.codec.decompress_items(*whole, first, item, run, path);
        } else {
          zarr::read_chunk_items(path, m.codec, m.chunk_items() * item, first, item, run);
        }
        for (size_t p : ps) pick(p, run.data(), t_lo, y0);
      }
    });
  }

  // Days newer than the store's end, from the source files it has not taken
  // in yet, through the reference netCDF path.
  void append_newer_days(const Query& query, Series& series, std::string& source) {
    if (!state_ || state_->source.empty()) return;
    Query newer = query;
    const int64_t after = times_.empty() ? INT64_MIN : times_.back() + 1;
    if (!newer.time.from || *newer.time.from < after) newer.time.from = after;
    if (newer.time.to && *newer.time.to < after) return;
    std::error_code ec;
    if (!state_->index.empty() && fs::is_regular_file(state_->index, ec)) {
      // Converted from a chunk index: newer days through it (keep it current
      // with `pixeldrill index`).
      try {
        merge_newer(open_source(state_->index)->drill(newer), "index " + state_->index, series,
                    source);
      } catch (const Error& e) {
        std::fprintf(stderr, "pixeldrill drill: days newer than the store not read: %s\n",
                     e.what());
      }
      return;
    }
    // No folder of the source changed since the store took it in: no newer files.
    if (store::folders_unchanged(state_->source_dirs)) return;
    std::vector<std::string> files;
    try {
      const std::set<std::string> done(state_->files.begin(), state_->files.end());
      for (const auto& f : catalog::discover_files(state_->source)) {
        if (!done.count(fs::absolute(f).lexically_normal().string())) files.push_back(f);
      }
    } catch (const Error& e) {
      // The store still answers for its own days; say why newer ones are absent.
      std::fprintf(stderr, "pixeldrill drill: days newer than the store not checked: %s\n",
                   e.what());
      return;
    }
    if (files.empty()) return;
    try {
      NetcdfSource raw(state_->source, files);
      merge_newer(raw.drill(newer), "netcdf " + state_->source, series, source);
    } catch (const Error& e) {
      std::fprintf(stderr, "pixeldrill drill: days newer than the store not read: %s\n", e.what());
    }
  }

  static void merge_newer(const Series& extra, const std::string& from, Series& series,
                          std::string& source) {
    if (extra.rows.empty() && extra.problems.empty()) return;
    std::set<int64_t> days;
    for (const auto& r : extra.rows) days.insert(r.time);
    std::string what = " + " + from;
    if (!days.empty()) {
      what += " (" + describe_time_span({days.begin(), days.end()}) + " newer than the store)";
    }
    source += what;
    std::fprintf(stderr, "pixeldrill drill: %s\n", source.c_str());
    series.rows.insert(series.rows.end(), extra.rows.begin(), extra.rows.end());
    series.problems.insert(series.problems.end(), extra.problems.begin(), extra.problems.end());
  }

  std::string spec_;
  zarr::Directory dir_;
  std::string time_name_;
  std::map<std::string, StoreArray> arrays_;
  std::vector<std::string> data_vars_;
  catalog::Grid grid_;
  std::vector<int64_t> times_;
  std::optional<store::StoreState> state_;
};

}  // namespace

std::unique_ptr<DrillSource> open_store_source(const std::string& spec) {
  std::error_code ec;
  if (!fs::is_directory(spec, ec) || !fs::exists(fs::path(spec) / ".zmetadata", ec)) {
    return nullptr;
  }
  const zarr::Directory dir(spec, fs::path(spec) / store::kScratchDir);
  if (!dir.exists(".zattrs") || !dir.read_json(".zattrs").contains(store::kStoreAttribute)) {
    return nullptr;
  }
  return std::make_unique<StoreSource>(spec);
}

namespace {
[[maybe_unused]] const bool kRegistered = register_source_opener({"store", 20, &open_store_source});
}  // namespace

}  // namespace pixeldrill::drill
