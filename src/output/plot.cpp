#include "output/plot.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <vector>

#include "core/error.h"
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

}  // namespace

void write_plot(const drill::Series& series, const std::string& png_path) {
  if (std::system("command -v gnuplot >/dev/null 2>&1") != 0) {
    throw Error("--plot " + png_path + ": gnuplot is not installed (apt-get install gnuplot-nox)");
  }
  // One block per (site, variable), rows in time order.
  std::vector<std::string> sites;
  std::map<std::string, size_t> site_index;
  for (const auto& row : series.rows) {
    const std::string label = label_of(row);
    if (site_index.emplace(label, sites.size()).second) sites.push_back(label);
  }
  const size_t nvar = series.columns.size();
  // Points per (site, variable); NaN marks a gap where the line breaks.
  std::vector<std::vector<std::pair<int64_t, double>>> blocks(sites.size() * nvar);
  for (const auto& row : series.rows) {
    const size_t s = site_index.at(label_of(row));
    for (size_t v = 0; v < nvar; ++v) blocks[s * nvar + v].emplace_back(row.time, row.values[v]);
  }
  std::string data;
  for (const auto& block : blocks) {
    bool any = false, gap = false;
    for (const auto& [time, value] : block) {
      if (std::isnan(value)) {
        gap = any;
        continue;
      }
      // A single blank line breaks the line; two would start a new index.
      if (gap) data += "\n";
      data += std::to_string(time) + " " + format_value(value) + "\n";
      any = true;
      gap = false;
    }
    if (!any) data += "0 ?\n";
    data += "\n\n";
  }

  const std::string data_path = temp_path_beside(png_path) + ".dat";
  const std::string script_path = temp_path_beside(png_path) + ".gp";
  const std::string png_temp = temp_path_beside(png_path) + ".png";
  auto cleanup = [&] {
    std::error_code ec;
    std::filesystem::remove(data_path, ec);
    std::filesystem::remove(script_path, ec);
    std::filesystem::remove(png_temp, ec);
  };
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
  std::string plots;
  for (size_t s = 0; s < sites.size(); ++s) {
    for (size_t v = 0; v < nvar; ++v) {
      plots += (plots.empty() ? "plot " : ", \\\n     ");
      plots += quoted(data_path) + " index " + std::to_string(s * nvar + v) + " using 1:2 " +
               (v == 0 ? "axes x1y1 with linespoints pt 7 ps 0.5"
                       : "axes x1y2 with points pt 6 ps 0.5") +
               " title " + quoted(sites[s] + " " + series.columns[v].name);
    }
  }
  script += (plots.empty() ? "plot 0 notitle" : plots) + "\n";
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

}  // namespace pixeldrill::output
