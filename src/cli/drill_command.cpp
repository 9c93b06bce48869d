// `pixeldrill drill SOURCE ...`: time series at points, stations or a box.
#include <algorithm>
#include <cstdio>
#include <iostream>
#include <memory>
#include <optional>
#include <string>

#include "analysis/aggregate.h"
#include "analysis/anomaly.h"
#include "catalog/duplicates.h"
#include "cli/command.h"
#include "cli/remote_flags.h"
#include "core/civil_time.h"
#include "core/error.h"
#include "drill/dataset.h"
#include "drill/distributed_drill.h"
#include "drill/query_text.h"
#include "output/format_number.h"
#include "output/heatwave_table.h"
#include "output/netcdf_writer.h"
#include "output/plot.h"
#include "output/table_writers.h"
#include "parallel/collective.h"

namespace pixeldrill::cli {
namespace {

struct DrillOptions {
  std::string source;
  drill::QueryText query;
  std::string format;
  std::string output;
  std::string plot;
  std::string duplicates = "refuse";
  // Analysis along the drill (src/analysis/).
  std::string aggregate;
  std::string stats = "mean,min,max,std,count";
  std::string climatology;
  int climatology_from = 0, climatology_to = 0;
  std::string clim_var;
  bool mhw = false;
  int gapfill = 0;
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

int parse_year(const std::string& text, const std::string& what) {
  if (text.size() != 4 || text.find_first_not_of("0123456789") != std::string::npos) {
    throw BadRequest(what + " '" + text + "': expected a year YYYY");
  }
  return std::stoi(text);
}

// --climatology 1993-2022, or --climatology-from/--to; nullopt when neither.
std::optional<analysis::AnomalyRequest> anomaly_request(const DrillOptions& o,
                                                        const drill::Query& q) {
  const bool split = o.climatology_from > 0 || o.climatology_to > 0;
  if (o.climatology.empty() && !split) {
    if (o.mhw) throw BadRequest("--mhw needs --climatology BASE (e.g. 1993-2022)");
    if (o.gapfill > 0) throw BadRequest("--gapfill needs --climatology and --mhw");
    return std::nullopt;
  }
  analysis::AnomalyRequest r;
  if (!o.climatology.empty()) {
    if (split) throw BadRequest("give --climatology or --climatology-from/--to, not both");
    const size_t dash = o.climatology.find('-');
    if (dash == std::string::npos) {
      throw BadRequest("--climatology '" + o.climatology + "': expected FIRST-LAST years");
    }
    r.climatology.base_first_year = parse_year(o.climatology.substr(0, dash), "--climatology");
    r.climatology.base_last_year = parse_year(o.climatology.substr(dash + 1), "--climatology");
  } else {
    if (o.climatology_from <= 0 || o.climatology_to <= 0) {
      throw BadRequest("--climatology-from and --climatology-to go together");
    }
    r.climatology.base_first_year = o.climatology_from;
    r.climatology.base_last_year = o.climatology_to;
  }
  if (r.climatology.base_first_year > r.climatology.base_last_year) {
    throw BadRequest("climatology base period ends before it starts");
  }
  r.variable = o.clim_var;
  if (r.variable.empty()) {
    for (const auto& v : q.vars) {
      if (v != "quality_level") {
        r.variable = v;
        break;
      }
    }
  }
  if (std::find(q.vars.begin(), q.vars.end(), r.variable) == q.vars.end()) {
    throw BadRequest("--clim-var '" + r.variable + "' is not among --var");
  }
  r.gapfill_days = o.gapfill;
  r.output = q.time;
  return r;
}

void write_text(const DrillOptions& o, const std::string& text) {
  if (o.output.empty() || o.output == "-") {
    output::write_stdout(text);
  } else {
    output::write_file_atomically(o.output, text);
  }
}

int run_drill(const DrillOptions& o) {
  // Under mpirun every rank checks the request; one failing stops all (collective).
  auto& comm = parallel::world();
  drill::Query query;
  std::string format;
  std::optional<analysis::AnomalyRequest> anomalies;
  std::optional<analysis::PeriodKind> period;
  std::vector<analysis::Stat> stats;
  std::shared_ptr<drill::Dataset> dataset;
  parallel::collective_step(comm, [&] {
    query = drill::parse_query(o.query);
    query.duplicates = catalog::parse_duplicate_policy(o.duplicates);
    format = output_format(o);
    if (format == "netcdf" && o.output.empty()) {
      throw BadRequest("--format netcdf needs -o FILE.nc");
    }
    // A bad output path is found before the drill, not after minutes of reading.
    if (!o.output.empty() && o.output != "-") output::check_output_path(o.output);
    if (!o.plot.empty()) output::check_output_path(o.plot);
    anomalies = anomaly_request(o, query);
    if (anomalies && !o.aggregate.empty()) {
      throw BadRequest("--aggregate and --climatology cannot be combined (yet)");
    }
    if (o.mhw && format == "netcdf") throw BadRequest("--mhw writes csv or json");
    if (!o.aggregate.empty()) {
      period = analysis::parse_period_kind(o.aggregate);
      stats = analysis::parse_stats(o.stats);
    }
    if (anomalies) query.time = analysis::drill_range(*anomalies);
    dataset = drill::open_dataset(o.source);
  });
  // Rank 0 gets the whole series (as one process would) and alone writes it.
  drill::Series series = drill::drill_across(*dataset, query, comm);
  if (comm.rank() != 0) return kExitOk;
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
  if (period) series = analysis::aggregate(series, *period, stats);
  if (anomalies) {
    analysis::AnomalyResult result = analysis::analyse_anomalies(series, *anomalies);
    if (!o.plot.empty()) {
      // Events of the plotted (first) site shaded, whether or not --mhw lists them.
      std::vector<std::pair<int64_t, int64_t>> shaded;
      if (!result.heatwaves.empty()) {
        for (const auto& e : result.heatwaves.front().events) {
          shaded.emplace_back(e.start_day * 86400, (e.end_day + 1) * 86400);
        }
      }
      output::write_anomaly_plot(result.series, anomalies->variable, shaded, o.plot);
    }
    if (o.mhw) {
      std::string units;
      for (const auto& c : series.columns) {
        if (c.name == anomalies->variable) units = c.units;
      }
      write_text(o, format == "json" ? output::heatwaves_to_json(result.heatwaves, units)
                                     : output::heatwaves_to_csv(result.heatwaves));
      return series.partial() ? kExitPartial : kExitOk;
    }
    series = std::move(result.series);
  }
  if (format == "netcdf") {
    output::write_netcdf(series, o.output);
  } else {
    write_text(o, format == "json" ? output::to_json(series) : output::to_csv(series));
  }
  if (!o.plot.empty() && !anomalies) output::write_plot(series, o.plot);
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
  app->add_option("--aggregate", opts->aggregate,
                  "per-site calendar statistics over valid values (docs/analysis.md)")
      ->check(CLI::IsMember({"day", "week", "month", "season", "year"}));
  app->add_option("--stats", opts->stats,
                  "with --aggregate: mean,min,max,std,count (std: population, ddof=0)");
  app->add_option("--climatology", opts->climatology,
                  "FIRST-LAST base years: add VAR_clim, VAR_thresh, VAR_anomaly (Hobday 2016)");
  app->add_option("--climatology-from", opts->climatology_from, "first base year")
      ->check(CLI::Range(1, 9999));
  app->add_option("--climatology-to", opts->climatology_to, "last base year")
      ->check(CLI::Range(1, 9999));
  app->add_option(
      "--clim-var", opts->clim_var,
      "variable for --climatology (default: the first of --var other than quality_level)");
  app->add_flag("--mhw", opts->mhw, "list marine heatwave events instead of the series");
  app->add_option("--gapfill", opts->gapfill,
                  "fill gaps of up to N days linearly for the climatology and --mhw")
      ->check(CLI::Range(0, 366));
  return {app, [opts] { return run_drill(*opts); }};
}

const bool kRegistered = register_command(20, &make_drill_command);

}  // namespace
}  // namespace pixeldrill::cli
