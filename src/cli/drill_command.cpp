// `pixeldrill drill SOURCE ...`: time series at points, stations or a box.
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <optional>
#include <string>

#include "analysis/analysis_request.h"
#include "catalog/duplicates.h"
#include "cli/command.h"
#include "cli/remote_flags.h"
#include "core/civil_time.h"
#include "core/error.h"
#include "drill/block_drill.h"
#include "drill/dataset.h"
#include "drill/distributed_drill.h"
#include "drill/netcdf_dataset.h"
#include "drill/query_text.h"
#include "io/registry.h"
#include "output/box_cube.h"
#include "output/cube_netcdf.h"
#include "output/format_number.h"
#include "output/heatwave_table.h"
#include "output/mean_map.h"
#include "output/netcdf_writer.h"
#include "output/plot.h"
#include "output/table_stream.h"
#include "output/table_writers.h"
#include "parallel/collective.h"
#include "store/converter.h"

namespace pixeldrill::cli {
namespace {

struct DrillOptions {
  std::vector<std::string> sources;
  drill::QueryText query;
  std::string format;
  std::string output;
  std::string plot;
  std::string duplicates = "refuse";
  analysis::AnalysisText analysis;  // src/analysis/
  std::string plot_map;             // --plot-map FILE.png
  std::string max_size;             // --max-size for a box cube
  std::string precision = "data";
  bool units_row = false;
  std::string name;  // site name of a single point or a reduced box
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

void write_text(const DrillOptions& o, const std::string& text) {
  if (o.output.empty() || o.output == "-") {
    output::write_stdout(text);
  } else {
    output::write_file_atomically(o.output, text);
  }
}

void print_problems(const drill::Series& series) {
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
}

int finish(const drill::Series& series) {
  // PIXELDRILL_STATS=1: the requests and bytes a remote drill used (benchmarks).
  if (const char* stats = std::getenv("PIXELDRILL_STATS"); stats && std::string(stats) == "1") {
    if (const std::string said = describe(local_remote_traffic()); !said.empty()) {
      std::fprintf(stderr, "remote: %s\n", said.c_str());
    }
  }
  if (!series.partial()) return kExitOk;
  std::fprintf(stderr, "pixeldrill drill: result is partial: %zu problem(s), listed above\n",
               series.problems.size());
  return kExitPartial;
}

// "the mean of VAR over the box S..N, W..E, FIRST..LAST (N steps)"
std::string map_title(const output::MeanGrid& grid, const drill::Box& box) {
  char buf[200];
  std::snprintf(buf, sizeof buf, "box %g..%g N, %g..%g E", box.south, box.north, box.west,
                box.east);
  std::string range = grid.steps == 0 ? std::string("no time step")
                                      : format_iso8601(grid.first_time) + " .. " +
                                            format_iso8601(grid.last_time) + " (" +
                                            std::to_string(grid.steps) + " steps)";
  return "pixeldrill: mean " + grid.variable + ", " + buf + ", " + range;
}

// --box without --reduce written as a (time, lat, lon) NetCDF cube and/or
// drawn as a mean map: streamed a block of time steps at a time.
int run_cube(const DrillOptions& o, const drill::Query& query, bool write_cube) {
  const auto dataset = drill::open_netcdf_sources(o.sources);
  const output::CubeLayout layout = output::plan_cube(*dataset, query);
  std::fprintf(stderr, "pixeldrill drill: cube %s\n", layout.describe().c_str());
  if (!o.max_size.empty()) {
    const uint64_t limit = store::parse_size(o.max_size, "--max-size");
    try {
      output::check_cube_size(layout, limit);
    } catch (const Error& e) {
      if (e.kind() != ErrorKind::kTooLarge) throw;
      throw BadRequest(std::string("--max-size ") + o.max_size + ": " + e.what());
    }
  }
  std::optional<output::MeanGrid> map;
  if (!o.plot_map.empty()) {
    std::string variable;
    for (const auto& v : query.vars) {
      if (v != "quality_level" && variable.empty()) variable = v;
    }
    if (variable.empty()) variable = query.vars.front();
    map.emplace(layout, variable);
  }
  const size_t map_var =
      map ? static_cast<size_t>(
                std::find(layout.variables.begin(), layout.variables.end(), map->variable) -
                layout.variables.begin())
          : 0;
  const auto add_to_map = [&](const output::CubeBlock& block) {
    if (map) map->add(block, map_var);
  };
  drill::Series summary =
      write_cube ? output::write_cube_netcdf(*dataset, query, layout, o.output, add_to_map)
                 : output::stream_cube(*dataset, query, layout, add_to_map);
  print_problems(summary);
  if (map) {
    if (map_var < summary.columns.size()) map->units = summary.columns[map_var].units;
    output::write_map_plot(*map, map_title(*map, *query.box), o.plot_map);
    output::write_file_atomically(output::mean_grid_path(o.plot_map), output::mean_grid_csv(*map));
  }
  return finish(summary);
}

// A table drilled and written a block of time steps at a time, so memory
// stays bounded by sites x (one block) (drill/block_drill.h): the same bytes
// (NetCDF: the same ncdump) as the whole table. --aggregate periods are never
// split across blocks. Under mpirun every block is split across the ranks and
// rank 0 alone gathers it and writes (drill::drill_in_blocks_across).
int run_streamed(const DrillOptions& o, const drill::Dataset& dataset, const drill::Query& query,
                 const analysis::AnalysisRequest& analysis, const std::string& format,
                 const output::TableOptions& table, parallel::Communicator& comm) {
  const bool root = comm.rank() == 0;
  std::optional<output::TextTarget> target;
  std::optional<output::TableStream> text;
  std::optional<output::NetcdfStream> netcdf;
  parallel::collective_step(comm, [&] {
    if (!root) return;
    if (format == "netcdf") {
      netcdf.emplace(o.output, output::NetcdfOptions{.history = command_line()});
    } else {
      target.emplace(o.output);
      text.emplace(format, table, analysis.period.has_value(), *target);
    }
  });
  drill::BlockOptions options;
  if (analysis.period) {
    options.group = [kind = *analysis.period](int64_t t) {
      return analysis::period_of(kind, t).start;
    };
  }
  const auto shaped = [&](drill::Series series) {
    drill::name_single_site(series, query, o.name);
    if (analysis.period) series = analysis::run_analysis(analysis, std::move(series)).series;
    return series;
  };
  const auto begin = [&](const drill::Series& head, const std::vector<int64_t>& times) {
    drill::Series out = shaped(head);
    if (text) return text->begin(out);
    if (!analysis.period) return netcdf->begin(out, times);
    // An aggregate's rows are at its periods' starts.
    std::vector<int64_t> starts;
    for (const int64_t t : times) {
      const auto span = analysis::period_of(*analysis.period, t);
      out.periods[span.start] = {span.end, span.label};
      starts.push_back(span.start);
    }
    netcdf->begin(out, std::move(starts));
  };
  // PIXELDRILL_STATS=1 says how many blocks the writer took and the largest:
  // what the process writing (rank 0) held of the drill at once.
  size_t blocks = 0, largest = 0, total = 0;
  const auto rows = [&](drill::Series&& block) {
    ++blocks;
    largest = std::max(largest, block.rows.size());
    total += block.rows.size();
    const drill::Series out = shaped(std::move(block));
    if (text) return text->rows(out);
    netcdf->rows(out);
  };
  const drill::Series summary =
      drill::drill_in_blocks_across(dataset, query, options, {.begin = begin, .rows = rows}, comm);
  if (!root) return kExitOk;
  print_problems(summary);
  if (text) {
    text->end(summary);
  } else {
    netcdf->end(summary);
  }
  if (const char* stats = std::getenv("PIXELDRILL_STATS"); stats && std::string(stats) == "1") {
    std::fprintf(stderr, "blocks: %zu written, the largest %zu of %zu rows\n", blocks, largest,
                 total);
  }
  return finish(summary);
}

int run_drill(const DrillOptions& o) {
  // Under mpirun every rank checks the request; one failing stops all (collective).
  auto& comm = parallel::world();
  drill::Query query;
  output::TableOptions table;
  std::string format;
  analysis::AnalysisRequest analysis;
  bool cube = false;
  std::shared_ptr<drill::Dataset> dataset;
  parallel::collective_step(comm, [&] {
    query = drill::parse_query(o.query);
    table.precision = output::parse_precision(o.precision);
    table.units_row = o.units_row;
    query.duplicates = catalog::parse_duplicate_policy(o.duplicates);
    format = output_format(o);
    if (format == "netcdf" && o.output.empty()) {
      throw BadRequest("--format netcdf needs -o FILE.nc");
    }
    // A bad output path is found before the drill, not after minutes of reading.
    if (!o.output.empty() && o.output != "-") output::check_output_path(o.output);
    if (!o.plot.empty()) output::check_output_path(o.plot);
    if (!o.plot_map.empty()) {
      output::check_output_path(o.plot_map);
      output::check_output_path(output::mean_grid_path(o.plot_map));
    }
    analysis = analysis::parse_analysis(o.analysis, query);
    if (o.analysis.mhw && (format == "netcdf" || format == "erddap-json")) {
      throw BadRequest("--mhw writes csv or json");
    }
    cube = query.box && query.reduce == drill::Reduce::kNone && !analysis.any() &&
           (format == "netcdf" || !o.plot_map.empty());
    if (!o.plot_map.empty() && !cube) {
      throw BadRequest("--plot-map needs --box without --reduce, --aggregate or --climatology");
    }
    if (!o.max_size.empty() && !cube) {
      throw BadRequest("--max-size applies to a --box cube (--format netcdf without --reduce)");
    }
    if (cube) {
      if (!o.plot.empty()) throw BadRequest("--plot draws series; use --plot-map for a box cube");
      if (format != "netcdf" && !o.output.empty()) {
        throw BadRequest("with --plot-map, -o takes the cube: give --format netcdf");
      }
      return;
    }
    drill::Series probe;  // a --name that names nothing is refused before the drill
    drill::name_single_site(probe, query, o.name);
    dataset = drill::open_netcdf_sources(o.sources);
  });
  // A box cube streams block by block into one file: rank 0 alone writes it.
  if (cube) return comm.rank() == 0 ? run_cube(o, query, format == "netcdf") : kExitOk;
  // A table: streamed, by one process or by every rank. Analyses over the
  // whole series (--climatology, --mhw), plots and S3 outputs take the whole series.
  const bool streamed = !analysis.anomalies && o.plot.empty() && !io::is_remote(o.output);
  if (streamed) return run_streamed(o, *dataset, query, analysis, format, table, comm);
  // Rank 0 gets the whole series (as one process would) and alone writes it.
  drill::Series series =
      drill::drill_across(*dataset, analysis::analysis_drill_query(analysis, query), comm);
  if (comm.rank() != 0) return kExitOk;
  drill::name_single_site(series, query, o.name);
  print_problems(series);
  if (analysis.anomalies) {
    const auto& request = *analysis.anomalies;
    std::string units;
    for (const auto& c : series.columns) {
      if (c.name == request.variable) units = c.units;
    }
    const bool partial = series.partial();
    analysis::AnalysisOutput result = analysis::run_analysis(analysis, std::move(series));
    if (!o.plot.empty()) {
      // Events of the plotted (first) site shaded, whether or not --mhw lists them.
      std::vector<std::pair<int64_t, int64_t>> shaded;
      if (!result.heatwaves.empty()) {
        for (const auto& e : result.heatwaves.front().events) {
          shaded.emplace_back(e.start_day * 86400, (e.end_day + 1) * 86400);
        }
      }
      output::write_anomaly_plot(result.series, request.variable, shaded, o.plot);
    }
    if (o.analysis.mhw) {
      write_text(o, format == "json" ? output::heatwaves_to_json(result.heatwaves, units)
                                     : output::heatwaves_to_csv(result.heatwaves));
      return partial ? kExitPartial : kExitOk;
    }
    series = std::move(result.series);
  } else if (analysis.period) {
    series = analysis::run_analysis(analysis, std::move(series)).series;
  }
  if (format == "netcdf") {
    output::write_netcdf(series, o.output, {.history = command_line()});
  } else if (format == "json") {
    write_text(o, output::to_json(series, table));
  } else if (format == "erddap-json") {
    write_text(o, output::to_erddap_json(series, table));
  } else {
    write_text(o, output::to_csv(series, table));
  }
  if (!o.plot.empty() && !analysis.anomalies) output::write_plot(series, o.plot);
  return finish(series);
}

Command make_drill_command(CLI::App& root) {
  auto opts = std::make_shared<DrillOptions>();
  CLI::App* app = root.add_subcommand(
      "drill",
      "Drill time series at a point, a list of stations or a box out of a NetCDF collection "
      "(folder searched recursively, glob, single file) or a pixeldrill index/store.");
  add_remote_flags(app);
  app->add_option("SOURCE", opts->sources,
                  "collection folder, glob, NetCDF file(s), index or store; several NetCDF "
                  "files, folders or globs (an unquoted data/2021/*.nc) make one collection")
      ->required();
  auto* point =
      app->add_option("--point", opts->query.point,
                      "LAT,LON: the nearest pixel (xarray's rule); longitude -180..180 or 0..360");
  auto* stations =
      app->add_option("--stations", opts->query.stations,
                      "CSV file of stations: a header names the columns (id, lat, lon in any "
                      "order, others ignored); without one, id,lat,lon rows");
  auto* box =
      app->add_option("--box", opts->query.box, "S,N,W,E: every pixel whose centre is inside");
  auto* bbox = app->add_option("--bbox", opts->query.bbox,
                               "W,S,E,N (GDAL/STAC order): the same as --box S,N,W,E");
  point->excludes(stations)->excludes(box)->excludes(bbox);
  stations->excludes(box)->excludes(bbox);
  box->excludes(bbox);
  app->add_option("--nearest-valid", opts->query.nearest_valid,
                  "RADIUS_KM: per site, the nearest pixel within the radius with a valid value "
                  "in the time range; adds a pixel_distance column (km)");
  app->add_flag("--keep-columns", opts->query.keep_columns,
                "keep the stations file's other columns in the output");
  app->add_option("--reduce", opts->query.reduce, "per-time box reduction over valid pixels")
      ->check(CLI::IsMember({"none", "mean", "min", "max", "count"}));
  app->add_option("--vars,--var", opts->query.vars,
                  "comma-separated variables (default sea_surface_temperature,quality_level)");
  app->add_option("--product", opts->query.product,
                  "only files whose GHRSST product name (the file name after its date) contains "
                  "this text, e.g. 1d_night or AHI_H08-4h; needed when a folder mixes products");
  app->add_option("--from", opts->query.from,
                  "first time (inclusive), ISO 8601: YYYY, YYYY-MM, YYYY-MM-DD or "
                  "YYYY-MM-DDTHH:MM[:SS[.fff]] in UTC, with Z or an offset such as +10:00");
  app->add_option("--to", opts->query.to,
                  "last time (inclusive); a year, month or date means through its end");
  app->add_option("--min-quality", opts->query.min_quality,
                  "mask values whose quality_level is below N")
      ->check(CLI::Range(0, 127));
  app->add_flag("--celsius", opts->query.celsius, "kelvin temperatures in degrees Celsius");
  app->add_option("--format", opts->format,
                  "csv (default), json (pandas.read_json(orient=\"table\")), erddap-json "
                  "(ERDDAP's table JSON) or netcdf (CF timeSeries; a --box without --reduce is a "
                  "CF (time, lat, lon) cube)")
      ->check(CLI::IsMember({"csv", "json", "erddap-json", "netcdf"}));
  app->add_option("--precision", opts->precision,
                  "data (default): the digits the data carries (integers, float32, packing "
                  "quantum); full: the shortest text that reads back to the same double")
      ->check(CLI::IsMember({"data", "full"}));
  app->add_flag("--units-row", opts->units_row,
                "CSV: a second header row with each column's units, as ERDDAP's .csv");
  app->add_option("--name", opts->name,
                  "site name of a single --point (default: point) or of a reduced --box");
  app->add_option("-o,--output", opts->output, "output file (default: stdout)");
  app->add_option("--plot", opts->plot,
                  "also write a PNG plot (gnuplot pngcairo); points coloured by quality_level");
  app->add_option("--plot-map", opts->plot_map,
                  "with --box: PNG map of each pixel's mean over the range (land: never valid) "
                  "and FILE.csv beside it with the grid");
  app->add_option("--max-size", opts->max_size,
                  "refuse a --box cube whose uncompressed size is larger (e.g. 2G, 500M)");
  app->add_option("--duplicates", opts->duplicates,
                  "two files with the same time step: refuse (name both), first (sorted path) "
                  "or newest (modification time)")
      ->check(CLI::IsMember({"refuse", "first", "newest"}));
  app->add_option("--aggregate", opts->analysis.aggregate,
                  "per-site calendar statistics over valid values (docs/analysis.md)")
      ->check(CLI::IsMember({"day", "week", "month", "season", "year"}));
  app->add_option("--stats", opts->analysis.stats,
                  "with --aggregate: mean,min,max,std,count (std: population, ddof=0)");
  app->add_option("--climatology", opts->analysis.climatology,
                  "FIRST-LAST base years: add VAR_clim, VAR_thresh, VAR_anomaly (Hobday 2016)");
  app->add_option("--climatology-from", opts->analysis.climatology_from, "first base year")
      ->check(CLI::Range(1, 9999));
  app->add_option("--climatology-to", opts->analysis.climatology_to, "last base year")
      ->check(CLI::Range(1, 9999));
  app->add_option(
      "--clim-var", opts->analysis.clim_var,
      "variable for --climatology (default: the first of --vars other than quality_level)");
  app->add_flag("--mhw", opts->analysis.mhw, "list marine heatwave events instead of the series");
  app->add_option("--gapfill", opts->analysis.gapfill,
                  "fill gaps of up to N days linearly for the climatology and --mhw")
      ->check(CLI::Range(0, 366));
  return {app, [opts] { return run_drill(*opts); }};
}

const bool kRegistered = register_command(20, &make_drill_command);

}  // namespace
}  // namespace pixeldrill::cli
