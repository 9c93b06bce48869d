// `pixeldrill drill SOURCE ...`: time series at points, stations or a box.
#include <cstdio>
#include <iostream>
#include <memory>
#include <string>

#include "cli/command.h"
#include "core/civil_time.h"
#include "core/error.h"
#include "drill/source.h"
#include "drill/stations.h"
#include "output/format_number.h"
#include "output/netcdf_writer.h"
#include "output/plot.h"
#include "output/table_writers.h"

namespace pixeldrill::cli {
namespace {

struct DrillOptions {
  std::string source;
  std::string point, stations, box;
  std::string reduce = "none";
  std::string vars;
  std::string from, to;
  int min_quality = -1;
  bool celsius = false;
  std::string format;
  std::string output;
  std::string plot;
  std::string duplicates = "refuse";
};

std::vector<std::string> split_list(const std::string& text) {
  std::vector<std::string> out;
  std::string item;
  for (size_t i = 0; i <= text.size(); ++i) {
    if (i == text.size() || text[i] == ',') {
      if (!item.empty()) out.push_back(item);
      item.clear();
    } else if (text[i] != ' ') {
      item += text[i];
    }
  }
  return out;
}

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

drill::Query make_query(const DrillOptions& o) {
  drill::Query q;
  const int chosen = !o.point.empty() + !o.stations.empty() + !o.box.empty();
  if (chosen != 1) throw BadRequest("give exactly one of --point, --stations or --box");
  if (!o.point.empty()) q.sites = {drill::parse_point(o.point)};
  if (!o.stations.empty()) q.sites = drill::read_stations(o.stations);
  if (!o.box.empty()) q.box = drill::parse_box(o.box);
  q.reduce = drill::parse_reduce(o.reduce);
  if (q.reduce != drill::Reduce::kNone && !q.box) throw BadRequest("--reduce needs --box");
  if (!o.vars.empty()) {
    q.vars = split_list(o.vars);
    if (q.vars.empty()) throw BadRequest("--var '" + o.vars + "': no variable names");
  }
  if (!o.from.empty()) q.time.from = parse_iso8601(o.from, "--from");
  if (!o.to.empty()) {
    // A bare date means the whole of that day.
    q.time.to = parse_iso8601(o.to, "--to") + (o.to.size() == 10 ? 86399 : 0);
  }
  if (q.time.from && q.time.to && *q.time.from > *q.time.to) {
    throw BadRequest("--from " + o.from + " is after --to " + o.to);
  }
  if (o.min_quality >= 0) q.min_quality = o.min_quality;
  q.celsius = o.celsius;
  q.duplicates = catalog::parse_duplicate_policy(o.duplicates);
  return q;
}

std::string output_format(const DrillOptions& o) {
  if (!o.format.empty()) return o.format;
  if (ends_with(o.output, ".json")) return "json";
  if (ends_with(o.output, ".nc")) return "netcdf";
  return "csv";
}

int run_drill(const DrillOptions& o) {
  const drill::Query query = make_query(o);
  const std::string format = output_format(o);
  if (format == "netcdf" && o.output.empty()) throw BadRequest("--format netcdf needs -o FILE.nc");
  // A bad output path is found before the drill, not after minutes of reading.
  if (!o.output.empty() && o.output != "-") output::check_output_path(o.output);
  if (!o.plot.empty()) output::check_output_path(o.plot);
  auto source = drill::open_source(o.source);
  const drill::Series series = source->drill(query);
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
  app->add_option("SOURCE", opts->source, "collection folder, glob, NetCDF file, index or store")
      ->required();
  auto* point =
      app->add_option("--point", opts->point, "LAT,LON: the nearest pixel (xarray's rule)");
  auto* stations = app->add_option("--stations", opts->stations,
                                   "CSV file of id,lat,lon rows (header optional)");
  auto* box = app->add_option("--box", opts->box, "S,N,W,E: every pixel whose centre is inside");
  point->excludes(stations)->excludes(box);
  stations->excludes(box);
  app->add_option("--reduce", opts->reduce, "per-time box reduction over valid pixels")
      ->check(CLI::IsMember({"none", "mean", "min", "max", "count"}));
  app->add_option("--var", opts->vars,
                  "comma-separated variables (default sea_surface_temperature,quality_level)");
  app->add_option("--from", opts->from, "first time, YYYY-MM-DD[THH:MM[:SS]] UTC (inclusive)");
  app->add_option("--to", opts->to, "last time (inclusive; a bare date means the whole day)");
  app->add_option("--min-quality", opts->min_quality, "mask values whose quality_level is below N")
      ->check(CLI::Range(0, 127));
  app->add_flag("--celsius", opts->celsius, "kelvin temperatures in degrees Celsius");
  app->add_option("--format", opts->format, "csv (default), json or netcdf (CF timeSeries)")
      ->check(CLI::IsMember({"csv", "json", "netcdf"}));
  app->add_option("-o,--output", opts->output, "output file (default: stdout)");
  app->add_option("--duplicates", opts->duplicates,
                  "two files with the same time step: refuse (name both), first (sorted path) "
                  "or newest (modification time)")
      ->check(CLI::IsMember({"refuse", "first", "newest"}));
  app->add_option("--plot", opts->plot, "also write a PNG plot (gnuplot pngcairo)");
  return {app, [opts] { return run_drill(*opts); }};
}

const bool kRegistered = register_command(20, &make_drill_command);

}  // namespace
}  // namespace pixeldrill::cli
