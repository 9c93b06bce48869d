// `pixeldrill drill SOURCE ...`: time series at points, stations or a box.
#include <cstdio>
#include <iostream>
#include <memory>
#include <string>

#include "catalog/duplicates.h"
#include "cli/command.h"
#include "cli/remote_flags.h"
#include "core/civil_time.h"
#include "core/error.h"
#include "drill/dataset.h"
#include "drill/query_text.h"
#include "output/format_number.h"
#include "output/netcdf_writer.h"
#include "output/plot.h"
#include "output/table_writers.h"

namespace pixeldrill::cli {
namespace {

struct DrillOptions {
  std::string source;
  drill::QueryText query;
  std::string format;
  std::string output;
  std::string plot;
  std::string duplicates = "refuse";
};

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

std::string output_format(const DrillOptions& o) {
  if (!o.format.empty()) return o.format;
  if (ends_with(o.output, ".json")) return "json";
  if (ends_with(o.output, ".nc")) return "netcdf";
  return "csv";
}

int run_drill(const DrillOptions& o) {
  drill::Query query = drill::parse_query(o.query);
  query.duplicates = catalog::parse_duplicate_policy(o.duplicates);
  const std::string format = output_format(o);
  if (format == "netcdf" && o.output.empty()) throw BadRequest("--format netcdf needs -o FILE.nc");
  // A bad output path is found before the drill, not after minutes of reading.
  if (!o.output.empty() && o.output != "-") output::check_output_path(o.output);
  if (!o.plot.empty()) output::check_output_path(o.plot);
  const auto dataset = drill::open_dataset(o.source);
  const drill::Series series = dataset->drill(query);
  for (const auto& note : series.notes) {
    std::fprintf(stderr, "pixeldrill drill: note: %s\n", note.c_str());
  }
  // Days newer than a store came from another source: say which.
  if (series.source.find(" + ") != std::string::npos) {
    std::fprintf(stderr, "pixeldrill drill: %s\n", series.source.c_str());
  }
  for (const auto& problem : series.problems) {
    std::fprintf(stderr, "pixeldrill drill: warning: skipped %s\n", problem.message().c_str());
  }
  if (format == "netcdf") {
    output::write_netcdf(series, o.output);
  } else {
    const std::string text = format == "json" ? output::to_json(series) : output::to_csv(series);
    if (o.output.empty() || o.output == "-") {
      output::write_stdout(text);
    } else {
      output::write_file_atomically(o.output, text);
    }
  }
  if (!o.plot.empty()) output::write_plot(series, o.plot);
  if (series.partial()) {
    std::fprintf(stderr, "pixeldrill drill: result is partial: %zu file(s) skipped\n",
                 series.problems.size());
    return kExitPartial;
  }
  return kExitOk;
}

Command make_drill_command(CLI::App& root) {
  auto opts = std::make_shared<DrillOptions>();
  CLI::App* app = root.add_subcommand(
      "drill",
      "Drill time series at a point, a list of stations or a box out of a NetCDF collection "
      "(folder searched recursively, glob, single file) or a pixeldrill index/store.");
  add_remote_flags(app);
  app->add_option("SOURCE", opts->source, "collection folder, glob, NetCDF file, index or store")
      ->required();
  auto* point =
      app->add_option("--point", opts->query.point, "LAT,LON: the nearest pixel (xarray's rule)");
  auto* stations = app->add_option("--stations", opts->query.stations,
                                   "CSV file of id,lat,lon rows (header optional)");
  auto* box =
      app->add_option("--box", opts->query.box, "S,N,W,E: every pixel whose centre is inside");
  point->excludes(stations)->excludes(box);
  stations->excludes(box);
  app->add_option("--reduce", opts->query.reduce, "per-time box reduction over valid pixels")
      ->check(CLI::IsMember({"none", "mean", "min", "max", "count"}));
  app->add_option("--vars,--var", opts->query.vars,
                  "comma-separated variables (default sea_surface_temperature,quality_level)");
  app->add_option("--product", opts->query.product,
                  "only files whose GHRSST product name (the file name after its date) contains "
                  "this text, e.g. 1d_night or AHI_H08-4h; needed when a folder mixes products");
  app->add_option("--from", opts->query.from,
                  "first time, YYYY-MM-DD[THH:MM[:SS]] UTC (inclusive)");
  app->add_option("--to", opts->query.to, "last time (inclusive; a bare date means the whole day)");
  app->add_option("--min-quality", opts->query.min_quality,
                  "mask values whose quality_level is below N")
      ->check(CLI::Range(0, 127));
  app->add_flag("--celsius", opts->query.celsius, "kelvin temperatures in degrees Celsius");
  app->add_option("--format", opts->format, "csv (default), json or netcdf (CF timeSeries)")
      ->check(CLI::IsMember({"csv", "json", "netcdf"}));
  app->add_option("-o,--output", opts->output, "output file (default: stdout)");
  app->add_option("--plot", opts->plot, "also write a PNG plot (gnuplot pngcairo)");
  app->add_option("--duplicates", opts->duplicates,
                  "two files with the same time step: refuse (name both), first (sorted path) "
                  "or newest (modification time)")
      ->check(CLI::IsMember({"refuse", "first", "newest"}));
  return {app, [opts] { return run_drill(*opts); }};
}

const bool kRegistered = register_command(20, &make_drill_command);

}  // namespace
}  // namespace pixeldrill::cli
