#include "output/plot.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <vector>

#include "core/error.h"
#include "drill/series_builder.h"
#include "output/format_number.h"

namespace pixeldrill::output {
namespace {

// gnuplot single-quoted string: a quote is doubled.
std::string quoted(const std::string& s) {
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("''") : std::string(1, c);
  return q + "'";
}

// Shell single-quoted word.
std::string shell_quoted(const std::string& s) {
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

std::string label_of(const drill::Row& row) {
  if (!row.site.empty()) return row.site;
  return format_coordinate(row.lat) + "," + format_coordinate(row.lon);
}

void run_gnuplot(const std::string& png_path, const std::string& png_temp,
                 const std::string& data_path, const std::string& data, const std::string& script) {
  const std::string script_path = temp_path_beside(png_path) + ".gp";
  auto cleanup = [&] {
    std::error_code ec;
    std::filesystem::remove(data_path, ec);
    std::filesystem::remove(script_path, ec);
    std::filesystem::remove(png_temp, ec);
  };
  try {
    write_file_atomically(data_path, data);
    write_file_atomically(script_path, script);
    const std::string cmd = "gnuplot " + shell_quoted(script_path) + " 2>&1";
    FILE* pipe = popen(cmd.c_str(), "r");
    if (!pipe) throw Error("--plot " + png_path + ": cannot run gnuplot");
    std::string messages;
    char buf[512];
    while (fgets(buf, sizeof buf, pipe)) messages += buf;
    const int status = pclose(pipe);
    std::error_code ec;
    if (status != 0 || std::filesystem::file_size(png_temp, ec) == 0 || ec) {
      throw Error("--plot " + png_path + ": gnuplot failed: " + messages);
    }
    commit_temp(png_temp, png_path);
  } catch (...) {
    cleanup();
    throw;
  }
  cleanup();
}

void require_gnuplot(const std::string& png_path) {
  if (std::system("command -v gnuplot >/dev/null 2>&1") != 0) {
    throw Error("--plot " + png_path + ": gnuplot is not installed (apt-get install gnuplot-nox)");
  }
}

}  // namespace

void write_plot(const drill::Series& series, const std::string& png_path) {
  require_gnuplot(png_path);
  // One block per (site, variable), rows in time order.
  std::vector<std::string> sites;
  std::map<std::string, size_t> site_index;
  for (const auto& row : series.rows) {
    const std::string label = label_of(row);
    if (site_index.emplace(label, sites.size()).second) sites.push_back(label);
  }
  const size_t nvar = series.columns.size();
  // The first variable's points coloured by the row's quality_level when it was drilled too.
  int quality = -1;
  for (size_t v = 1; v < nvar; ++v) {
    if (series.columns[v].name == drill::kQualityVariable) quality = static_cast<int>(v);
  }
  // Points per (site, variable) with the row's quality; NaN marks a gap where the line breaks.
  struct Point {
    int64_t time;
    double value, quality;
  };
  std::vector<std::vector<Point>> blocks(sites.size() * nvar);
  for (const auto& row : series.rows) {
    const size_t s = site_index.at(label_of(row));
    const double q = quality < 0 ? NAN : row.values[static_cast<size_t>(quality)];
    for (size_t v = 0; v < nvar; ++v) blocks[s * nvar + v].push_back({row.time, row.values[v], q});
  }
  std::string data;
  for (const auto& block : blocks) {
    bool any = false, gap = false;
    for (const auto& [time, value, q] : block) {
      if (std::isnan(value)) {
        gap = any;
        continue;
      }
      // A single blank line breaks the line; two would start a new index.
      if (gap) data += "\n";
      data += std::to_string(time) + " " + format_value(value) + " " +
              (std::isnan(q) ? std::string("?") : format_value(q)) + "\n";
      any = true;
      gap = false;
    }
    if (!any) data += "0 ? ?\n";
    data += "\n\n";
  }

  const std::string data_path = temp_path_beside(png_path) + ".dat";
  const std::string png_temp = temp_path_beside(png_path) + ".png";
  // Times of day on the axis when the series is sub-daily or spans only days.
  int64_t first = INT64_MAX, last = INT64_MIN, shortest = INT64_MAX, previous = INT64_MIN;
  for (const auto& row : series.rows) {
    first = std::min(first, row.time);
    last = std::max(last, row.time);
    if (previous != INT64_MIN && row.time > previous)
      shortest = std::min(shortest, row.time - previous);
    previous = row.time;
  }
  const bool with_time = shortest < 86400 || (first <= last && last - first < 10 * 86400);
  const std::string x_format = with_time ? "%Y-%m-%d %H:%M" : "%Y-%m-%d";
  std::string script =
      "set terminal pngcairo size 1200,600 noenhanced font 'Sans,10'\n"
      "set output " +
      quoted(png_temp) +
      "\n"
      "set datafile missing '?'\n"
      "set xdata time\nset timefmt '%s'\nset format x '" +
      x_format +
      "'\nset xtics rotate by -30\n"
      "set grid\nset key below\nset offsets graph 0, graph 0, graph 0.05, graph 0.05\n"
      "set title 'pixeldrill drill'\n";
  auto axis_label = [&](size_t v) {
    const auto& c = series.columns[v];
    return c.name + (c.units.empty() ? "" : " [" + c.units + "]");
  };
  if (nvar > 0) script += "set ylabel " + quoted(axis_label(0)) + "\n";
  if (nvar > 1)
    script += "set y2label " + quoted(axis_label(1)) + "\nset y2tics\nset ytics nomirror\n";
  if (quality >= 0) {
    script +=
        "set cblabel 'quality_level'\nset cbrange [0:5]\n"
        "set palette defined (0 'red', 3 'orange', 5 'blue')\n";
  }
  std::string plots;
  for (size_t s = 0; s < sites.size(); ++s) {
    for (size_t v = 0; v < nvar; ++v) {
      plots += (plots.empty() ? "plot " : ", \\\n     ");
      const std::string block = quoted(data_path) + " index " + std::to_string(s * nvar + v);
      const std::string title = " title " + quoted(sites[s] + " " + series.columns[v].name);
      if (v == 0 && quality >= 0) {
        // A grey line through the values, the points coloured by quality_level.
        plots += block + " using 1:2 axes x1y1 with lines lc rgb '#b0b0b0' notitle, " + block +
                 " using 1:2:3 axes x1y1 with points pt 7 ps 0.6 palette" + title;
      } else {
        plots += block + " using 1:2 " +
                 (v == 0 ? "axes x1y1 with linespoints pt 7 ps 0.5"
                         : "axes x1y2 with points pt 6 ps 0.5") +
                 title;
      }
    }
  }
  script += (plots.empty() ? "plot 0 notitle" : plots) + "\n";
  run_gnuplot(png_path, png_temp, data_path, data, script);
}

void write_anomaly_plot(const drill::Series& series, const std::string& variable,
                        const std::vector<std::pair<int64_t, int64_t>>& events,
                        const std::string& png_path) {
  require_gnuplot(png_path);
  auto column = [&](const std::string& name) -> int {
    for (size_t c = 0; c < series.columns.size(); ++c) {
      if (series.columns[c].name == name) return static_cast<int>(c);
    }
    return -1;
  };
  const int value = column(variable), clim = column(variable + "_clim"),
            thresh = column(variable + "_thresh"), quality = column("quality_level");
  if (value < 0 || clim < 0 || thresh < 0) {
    throw Error("--plot " + png_path + ": the series has no " + variable + " climatology");
  }
  auto text = [](const drill::Row& row, int c) {
    const double v = c < 0 ? NAN : row.values[static_cast<size_t>(c)];
    return std::isnan(v) ? std::string("?") : format_value(v);
  };
  // The first site only: one panel a site would not be readable.
  std::string data, units = series.columns[static_cast<size_t>(value)].units, site;
  for (const auto& row : series.rows) {
    if (site.empty()) site = label_of(row);
    if (label_of(row) != site) continue;
    data += std::to_string(row.time) + " " + text(row, value) + " " + text(row, clim) + " " +
            text(row, thresh) + " " + text(row, quality) + "\n";
  }
  if (data.empty()) data = "0 ? ? ? ?\n";
  const std::string data_path = temp_path_beside(png_path) + ".dat";
  const std::string png_temp = temp_path_beside(png_path) + ".png";
  std::string script =
      "set terminal pngcairo size 1200,600 noenhanced font 'Sans,10'\nset output " +
      quoted(png_temp) +
      "\nset datafile missing '?'\n"
      "set xdata time\nset timefmt '%s'\nset format x '%Y-%m-%d'\nset xtics rotate by -30\n"
      "set grid\nset key below\nset title " +
      quoted("pixeldrill drill: " + site + " " + variable) + "\nset ylabel " +
      quoted(variable + (units.empty() ? "" : " [" + units + "]")) +
      "\nset cblabel 'quality_level'\nset palette defined (0 'red', 3 'orange', 5 'blue')\n";
  int n = 1;
  for (const auto& [start, end] : events) {
    script += "set object " + std::to_string(n++) + " rect from " + std::to_string(start) +
              ", graph 0 to " + std::to_string(end) +
              ", graph 1 behind fc rgb '#ffb0b0' fs solid 0.5 noborder\n";
  }
  const std::string d = quoted(data_path);
  script += "plot " + d + " using 1:3:4 with filledcurves fc rgb '#d0d0d0' title 'clim..thresh', " +
            d + " using 1:3 with lines lc rgb 'black' title 'climatology', " + d +
            " using 1:4 with lines lc rgb '#808080' dt 2 title '90th percentile', " + d +
            (quality >= 0 ? " using 1:2:5 with points pt 7 ps 0.5 palette title "
                          : " using 1:2 with points pt 7 ps 0.5 title ") +
            quoted(variable + (events.empty() ? "" : " (heatwaves shaded)")) + "\n";
  run_gnuplot(png_path, png_temp, data_path, data, script);
}

void write_map_plot(const MeanGrid& grid, const std::string& title, const std::string& png_path) {
  require_gnuplot(png_path);
  // One scan line per latitude (blank line between), as gnuplot's image style reads a grid:
  // lon lat mean land(0/1).
  std::string data;
  bool any = false;
  const size_t nx = grid.lon.size();
  for (size_t y = 0; y < grid.lat.size(); ++y) {
    for (size_t x = 0; x < nx; ++x) {
      const double m = grid.mean(y * nx + x);
      any = any || !std::isnan(m);
      data += format_coordinate(grid.lon.values[x]) + " " + format_coordinate(grid.lat.values[y]) +
              " " + (std::isnan(m) ? std::string("NaN") : format_value(m)) + " " +
              (std::isnan(m) ? "1" : "0") + "\n";
    }
    data += "\n";
  }
  const std::string data_path = temp_path_beside(png_path) + ".dat";
  const std::string png_temp = temp_path_beside(png_path) + ".png";
  const std::string label = grid.variable + (grid.units.empty() ? "" : " [" + grid.units + "]");
  const bool image = grid.lat.size() >= 2 && nx >= 2;  // gnuplot's image needs a 2-D grid
  const std::string d = quoted(data_path);
  std::string script = "set terminal pngcairo size " + std::to_string(kMapWidth) + "," +
                       std::to_string(kMapHeight) + " noenhanced font 'Sans,10'\nset output " +
                       quoted(png_temp) + "\nset title " + quoted(title) +
                       "\nset xlabel 'longitude'\nset ylabel 'latitude'\nset cblabel " +
                       quoted(label) +
                       "\nset palette defined (0 '#30123b', 1 '#4686fb', 2 '#1ae4b6', 3 "
                       "'#a2fc3c', 4 '#faba39', 5 '#e4460a', 6 '#7a0403')\n"
                       "set size ratio -1\nset key off\nset tics out\n"
                       "set object 1 rect from graph 0, graph 0 to graph 1, graph 1 behind "
                       "fc rgb '#ffffff' fs solid noborder\n";
  if (!any) script += "set cbrange [0:1]\n";
  if (image) {
    // Land drawn over the image, opaque where a pixel never had a valid value.
    script += "plot " + d + " using 1:2:3 with image, " + d +
              " using 1:2:(200):(180):(140):($4*255) with rgbalpha\n";
  } else {
    script += "plot " + d + " using 1:2:3 with points pt 5 ps 4 palette, " + d +
              " using 1:2:($4 > 0 ? 0 : NaN) with points pt 5 ps 4 lc rgb '#c8b48c'\n";
  }
  run_gnuplot(png_path, png_temp, data_path, data, script);
}

}  // namespace pixeldrill::output
