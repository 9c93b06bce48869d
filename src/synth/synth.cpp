#include "synth/synth.h"

#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <memory>

#include "core/civil_time.h"
#include "core/error.h"
#include "core/parallel.h"
#include "core/progress.h"
#include "synth/day_file_writer.h"
#include "synth/day_model.h"
#include "synth/land_mask.h"
#include "synth/product.h"
#include "synth/synth_grid.h"

namespace pixeldrill::synth {
namespace fs = std::filesystem;
namespace {

const int64_t kFirstDay = days_from_civil({1981, 1, 1});
const int64_t kLastDay = days_from_civil({2049, 12, 31});  // int32 seconds since 1981

std::string date_text(int64_t day) { return format_iso8601(day * 86400).substr(0, 10); }

std::vector<const VarSpec*> selected_vars(const SynthOptions& o, const Era& era) {
  std::vector<const VarSpec*> out;
  for (const VarSpec& v : product_variables()) {
    if (v.sea_ice && !era.sea_ice) continue;
    bool wanted = o.vars.empty();
    for (const auto& name : o.vars) wanted = wanted || name == v.name;
    if (wanted) out.push_back(&v);
  }
  return out;
}

struct GridCache {
  SynthGrid grid;
  std::vector<uint8_t> land;
};

const GridCache& grid_for(int decimate) {
  static std::map<int, std::unique_ptr<GridCache>> cache;
  auto& slot = cache[decimate];
  if (!slot) {
    slot = std::make_unique<GridCache>();
    slot->grid = make_grid(decimate);
    slot->land = make_land_mask(slot->grid);
  }
  return *slot;
}

}  // namespace

void validate(const SynthOptions& o) {
  if (o.outdir.empty()) throw Error("OUTDIR is empty");
  if (o.from_day > o.to_day)
    throw Error("--from " + date_text(o.from_day) + " is after --to " + date_text(o.to_day));
  if (o.from_day < kFirstDay || o.to_day > kLastDay)
    throw Error(
        "--from/--to must lie within 1981-01-01..2049-12-31 (time is int seconds since 1981)");
  make_grid(o.decimate);  // throws naming --decimate
  for (const auto& name : o.vars) {
    if (!find_variable(name)) {
      std::string list;
      for (const auto& v : product_variables()) list += (list.empty() ? "" : ", ") + v.name;
      throw Error("--vars: unknown variable '" + name + "' (known: " + list + ")");
    }
  }
  if (fs::exists(o.outdir) && !fs::is_directory(o.outdir))
    throw Error("OUTDIR " + o.outdir + " exists and is not a directory");
}

void synth_day(const SynthOptions& o, int64_t day, const std::string& path) {
  const unsigned threads = o.threads == 0 ? default_threads() : o.threads;
  const GridCache& gc = grid_for(o.decimate);
  const Era era = era_for_year(civil_from_days(day).year);
  const DayModel model(gc.grid, gc.land, o.seed, day, threads);
  std::vector<EncodedVar> encoded;
  std::vector<float> physical;
  for (const VarSpec* v : selected_vars(o, era)) {
    model.physical(v->name, physical);
    encoded.push_back(encode_variable(*v, physical, gc.grid,
                                      chunk_shape(*v, era, gc.grid.nlat, gc.grid.nlon), threads));
  }
  // A hidden temporary in the same folder, so the rename is atomic and a
  // reader scanning for *.nc never sees a half-written file.
  const fs::path final_path(path);
  const fs::path tmp = final_path.parent_path() / ("." + final_path.filename().string() +
                                                   ".partial-" + std::to_string(getpid()));
  try {
    write_day_file(tmp.string(), gc.grid, day, era, global_attributes(day, era, o.seed, o.decimate),
                   encoded);
    fs::rename(tmp, final_path);
  } catch (...) {
    std::error_code ec;
    fs::remove(tmp, ec);
    throw;
  }
}

SynthReport run_synth(const SynthOptions& o) {
  validate(o);
  const auto start = std::chrono::steady_clock::now();
  SynthReport report;
  std::vector<int64_t> days;
  for (int64_t d = o.from_day; d <= o.to_day; ++d) {
    if (o.gaps && is_missing_day(o.seed, d)) {
      report.missing_days.push_back(d);
    } else {
      days.push_back(d);
    }
  }
  Progress progress("synth", days.size());
  for (int64_t d : days) {
    const fs::path path = fs::path(o.outdir) / relative_path(d);
    std::error_code ec;
    fs::create_directories(path.parent_path(), ec);
    if (ec)
      throw Error("cannot create folder " + path.parent_path().string() + ": " + ec.message());
    synth_day(o, d, path.string());
    ++report.files_written;
    progress.tick();
  }
  progress.finish();
  report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return report;
}

}  // namespace pixeldrill::synth
