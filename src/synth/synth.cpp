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

std::vector<const VarSpec*> selected_vars(const SynthOptions& o, const ProductSpec& p,
                                          const Era& era) {
  std::vector<const VarSpec*> out;
  for (const VarSpec* v : product_variable_list(p, era)) {
    bool wanted = o.vars.empty();
    for (const auto& name : o.vars) wanted = wanted || name == v->name;
    if (wanted) out.push_back(v);
  }
  return out;
}

struct GridCache {
  SynthGrid grid;
  std::vector<uint8_t> land;
};

const GridCache& grid_for(const ProductSpec& p, int decimate) {
  static std::map<std::pair<std::string, int>, std::unique_ptr<GridCache>> cache;
  auto& slot = cache[{p.name, decimate}];
  if (!slot) {
    slot = std::make_unique<GridCache>();
    slot->grid = make_grid(decimate, p.grid);
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
  const ProductSpec& p = find_product(o.product);
  make_grid(o.decimate, p.grid);  // throws naming --decimate
  if (o.steps_per_file == 0) throw BadRequest("--steps-per-file must be at least 1");
  const auto all = product_variable_list(p, product_era(p, 2010));
  for (const auto& name : o.vars) {
    bool known = false;
    for (const VarSpec* v : all) known = known || v->name == name;
    if (!known) {
      std::string list;
      for (const VarSpec* v : all) list += (list.empty() ? "" : ", ") + v->name;
      throw Error("--vars: unknown variable '" + name + "' for product " + p.name +
                  " (known: " + list + ")");
    }
  }
  if (fs::exists(o.outdir) && !fs::is_directory(o.outdir))
    throw Error("OUTDIR " + o.outdir + " exists and is not a directory");
}

void synth_file(const SynthOptions& o, const std::vector<Step>& steps, const std::string& path) {
  const unsigned threads = o.threads == 0 ? default_threads() : o.threads;
  const ProductSpec& p = find_product(o.product);
  const GridCache& gc = grid_for(p, o.decimate);
  const Era era = product_era(p, civil_from_days(steps.front().model_day).year);
  std::vector<std::unique_ptr<DayModel>> models;
  for (const Step& s : steps)
    models.push_back(
        std::make_unique<DayModel>(gc.grid, gc.land, o.seed, s.model_day, threads, s.sky));
  std::vector<EncodedVar> encoded;
  std::vector<float> physical;
  for (const VarSpec* v : selected_vars(o, p, era)) {
    const auto chunk = chunk_shape(*v, era, gc.grid.nlat, gc.grid.nlon);
    EncodedVar all;
    for (size_t k = 0; k < steps.size(); ++k) {
      models[k]->physical(v->name, physical);
      // One scale/offset per file and variable, as in every real file.
      EncodedVar ev = encode_variable(*v, physical, gc.grid, chunk, threads,
                                      k == 0 ? nullptr : &all.packing, k);
      if (k == 0) {
        all = std::move(ev);
        continue;
      }
      all.offsets.insert(all.offsets.end(), ev.offsets.begin(), ev.offsets.end());
      for (auto& c : ev.chunks) all.chunks.push_back(std::move(c));
    }
    encoded.push_back(std::move(all));
  }
  FileTime time{time_coding(o.time_encoding, era), {}, p.unlimited_time};
  for (const Step& s : steps) time.values.push_back(time.coding.value(s.time));
  // A hidden temporary in the same folder, so the rename is atomic and a
  // reader scanning for *.nc never sees a half-written file.
  const fs::path final_path(path);
  const fs::path tmp = final_path.parent_path() / ("." + final_path.filename().string() +
                                                   ".partial-" + std::to_string(getpid()));
  try {
    write_day_file(tmp.string(), gc.grid, time, era,
                   product_global_attributes(p, steps.front(), era, o.seed, gc.grid), encoded);
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
  const ProductSpec& p = find_product(o.product);
  std::vector<std::vector<Step>> files;
  for (const Step& s : product_steps(p, o.from_day, o.to_day)) {
    if (o.gaps && is_missing_step(p, o.seed, s)) {
      report.missing_steps.push_back(s.time);
      continue;
    }
    if (files.empty() || files.back().size() >= o.steps_per_file) files.emplace_back();
    files.back().push_back(s);
  }
  Progress progress("synth", files.size());
  for (const auto& steps : files) {
    const fs::path path = fs::path(o.outdir) / product_relative_path(p, steps.front());
    std::error_code ec;
    fs::create_directories(path.parent_path(), ec);
    if (ec)
      throw Error("cannot create folder " + path.parent_path().string() + ": " + ec.message());
    synth_file(o, steps, path.string());
    ++report.files_written;
    progress.tick();
  }
  progress.finish();
  report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return report;
}

}  // namespace pixeldrill::synth
