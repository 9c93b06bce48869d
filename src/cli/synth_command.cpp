// `pixeldrill synth OUTDIR`: writes a synthetic IMOS GHRSST L3S-1d night
// collection (same layout, metadata, packing and storage as the real one).
#include <cstdio>
#include <sstream>
#include <string>

#include "cli/command.h"
#include "core/civil_time.h"
#include "core/error.h"
#include "synth/synth.h"

namespace pixeldrill::cli {
namespace {

struct SynthArgs {
  std::string outdir;
  std::string product = "l3s-1d-night";
  std::string time_type = "int";
  size_t steps_per_file = 1;
  std::string from = "2019-12-30";
  std::string to = "2020-01-05";
  int decimate = 10;
  std::string vars;
  uint64_t seed = 1;
  unsigned threads = 0;
  bool no_gaps = false;
  bool quiet = false;
};

int64_t parse_day(const std::string& text, const char* what) {
  const int64_t seconds = parse_iso8601(text, what);
  if (seconds % 86400 != 0)
    throw BadRequest(std::string(what) + " must be a date YYYY-MM-DD, got '" + text + "'");
  return seconds / 86400;
}

int run(const SynthArgs& a) {
  synth::SynthOptions o;
  o.outdir = a.outdir;
  o.product = a.product;
  o.steps_per_file = a.steps_per_file;
  if (a.time_type == "double-hours-1990") {
    o.time_encoding = synth::TimeEncoding::kDoubleHours1990;
  } else if (a.time_type != "int") {
    throw BadRequest("--time-type must be 'int' or 'double-hours-1990', got '" + a.time_type + "'");
  }
  o.from_day = parse_day(a.from, "--from");
  o.to_day = parse_day(a.to, "--to");
  o.decimate = a.decimate;
  o.seed = a.seed;
  o.threads = a.threads;
  o.gaps = !a.no_gaps;
  o.quiet = a.quiet;
  std::stringstream list(a.vars);
  for (std::string name; std::getline(list, name, ',');) {
    if (!name.empty()) o.vars.push_back(name);
  }
  const synth::SynthReport r = synth::run_synth(o);
  if (!a.quiet) {
    std::printf("wrote %zu files to %s in %.2f s (%.2f files/s); %zu missing steps left out\n",
                r.files_written, a.outdir.c_str(), r.seconds,
                r.seconds > 0 ? static_cast<double>(r.files_written) / r.seconds : 0.0,
                r.missing_steps.size());
  }
  return kExitOk;
}

Command make_synth_command(CLI::App& root) {
  auto args = std::make_shared<SynthArgs>();
  CLI::App* app = root.add_subcommand(
      "synth",
      "Generate a synthetic IMOS GHRSST collection (default L3S-1d night: OUTDIR/YYYY/"
      "YYYYMMDD152000-ABOM-L3S_GHRSST-SSTskin-AVHRR_D-1d_night.nc, one file a day; other "
      "products with --product) with the real product's variables, metadata, packing, "
      "chunking, eras and missing steps");
  app->footer(
      "Eras (like the real archive): to 2007 ERA-Interim winds/OI analysis/1-degree ice; "
      "2008-2019 all 13 variables; 2016 quarter-grid chunks for every data variable; 2020 on "
      "no sea_ice_fraction* variables and time units 'seconds since 1981-01-01'. About 2.5% of "
      "days are missing (fixed per seed; --no-gaps writes them all). Existing files are replaced "
      "atomically.");
  app->add_option("OUTDIR", args->outdir, "Folder to write the collection into")->required();
  std::string names;
  for (const auto& p : synth::known_products()) names += (names.empty() ? "" : ", ") + p.name;
  app->add_option("--product", args->product,
                  "IMOS product to imitate (docs/products.md): " + names)
      ->capture_default_str();
  app->add_option("--time-type", args->time_type,
                  "How `time` is stored: int (the real products: int seconds since 1981) or "
                  "double-hours-1990 (double hours since 1990-01-01, to test other encodings)")
      ->capture_default_str();
  app->add_option("--steps-per-file", args->steps_per_file,
                  "Time steps per file (1 as published; more writes multi-step files named "
                  "after their first step)")
      ->capture_default_str();
  app->add_option("--from", args->from, "First day, YYYY-MM-DD")->capture_default_str();
  app->add_option("--to", args->to, "Last day, YYYY-MM-DD (inclusive)")->capture_default_str();
  app->add_option("--decimate", args->decimate,
                  "Grid coarsening: 1 = full 4500 x 6000 at 0.02 deg, 50 = 90 x 120, up to 100; "
                  "must divide 1500")
      ->capture_default_str();
  app->add_option("--vars,--var", args->vars,
                  "Comma-separated data variables to write (default: all of the era); "
                  "coordinates are always written");
  app->add_option("--seed", args->seed, "Random seed; the same seed gives the same values")
      ->capture_default_str();
  app->add_option("--threads", args->threads, "Worker threads (0 = all cores)")
      ->check(CLI::Range(0, 1024))
      ->capture_default_str();
  app->add_flag("--no-gaps", args->no_gaps, "Write every day (no deterministic missing days)");
  app->add_flag("-q,--quiet", args->quiet, "Do not print the summary line");
  return {app, [args] { return run(*args); }};
}

[[maybe_unused]] const bool kRegistered = register_command(10, &make_synth_command);

}  // namespace
}  // namespace pixeldrill::cli
