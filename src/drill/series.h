#pragma once
// The answer to a Query: a tidy table, one row per time step per site (or per
// box pixel, or per time step for a reduced box), one column per variable.
#include <boost/container/small_vector.hpp>
#include <cmath>
#include <cstdint>
#include <exception>
#include <limits>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "formats/packing.h"

namespace pixeldrill::drill {

// How many digits a column's values carry, so text outputs print what the
// data holds rather than 17 digits of a double: integers for unpacked integer
// storage (quality_level, l2p_flags), the shortest float32 text for float32
// storage, enough decimals to tell packing quanta apart for packed numbers.
enum class Digits { kDouble, kFloat32, kInteger, kQuantum };

// The units of a column --celsius converted.
inline constexpr const char* kCelsiusUnits = "degree_Celsius";

struct Column {
  std::string name;   // variable name, e.g. sea_surface_temperature
  std::string units;  // after --celsius: "degree_Celsius"
  std::string long_name;
  std::string standard_name;
  Digits digits = Digits::kDouble;
  double quantum = 0;  // kQuantum: the finest |scale_factor| of the files read
  // Attributes of the source variable that still hold for the column's values
  // (flag_values, flag_meanings, flag_masks, comment); empty for derived columns.
  nlohmann::json attributes = nlohmann::json::object();
};

// The time cell a row stands for when it is an aggregate: [row time, end) and
// its ISO 8601 label (2024-03, 2024-W10, 2023-12/2024-02).
struct Period {
  int64_t end = 0;
  std::string label;
};

// A row's values, held in the row for up to two columns (a drill of SST, or
// SST and quality_level): one heap block per row was a fifth of a served
// point's CPU in malloc and free (docs/serve.md).
using RowValues = boost::container::small_vector<double, 2>;

struct Row {
  int64_t time = 0;  // Unix seconds UTC
  std::string site;  // station id; empty for a point or a box
  double lat = 0;    // pixel centre used (box centre for a reduced box)
  double lon = 0;
  RowValues values;  // one per Column; NaN when missing
};

// A file (or part of one) that a drill skipped: structured so the CLI, JSON,
// NetCDF and a server each report it in their own way.
struct Problem {
  std::string path;             // file, URL or store key; empty when about the whole source
  std::string variable;         // empty when about the whole file
  std::string reason;           // what went wrong, not repeating path or variable
  std::string message() const;  // "PATH: variable V: REASON"
  bool operator==(const Problem&) const = default;
};

// A Problem from an error about `path`; a leading "PATH: " in the message is
// not repeated in the reason.
Problem problem_from_error(const std::string& path, const std::exception& error);
// A Problem from a "PATH: reason" message (e.g. one stored in an index);
// `prefix` is put before the reason.
Problem problem_from_message(const std::string& message, const std::string& prefix = "");

struct Series {
  std::vector<Column> columns;
  std::vector<Row> rows;              // sorted by (time, site order, lat desc, lon asc)
  std::vector<Problem> problems;      // files skipped
  std::vector<std::string> notes;     // worth saying, but the result is whole (not partial)
  std::string source;                 // which path answered: "netcdf", "index", "store"
  std::map<int64_t, Period> periods;  // by row time; empty unless rows are aggregates
  std::map<std::string, std::string> cell_methods;  // CF, by column name ("time: mean")
  // Per column: every distinct packing the read steps stored it with (a box
  // cube keeps the source's packing only when there is exactly one).
  std::vector<std::vector<formats::Packing>> packings;
  // The source's global attributes (first file / store / index), for outputs
  // that carry the ones that still hold (title, license, acknowledgment...).
  nlohmann::json source_attributes = nlohmann::json::object();
  // --keep-columns: the stations file's other columns, and their text by station id.
  std::vector<std::string> site_columns;
  std::map<std::string, std::vector<std::string>> site_values;

  bool partial() const { return !problems.empty(); }
  static constexpr double kMissing = std::numeric_limits<double>::quiet_NaN();
};

struct Query;

// A single --point's rows are site `name` ("point" by default), so tables of
// several drills stay readable; a reduced box's rows take `name` when one is
// given. Throws BadRequest when a name is given for anything else (stations
// keep their ids, box pixels are told apart by their centres).
void name_single_site(Series& series, const Query& query, const std::string& name = "");
// The default: SeriesBuilder makes a single point's rows with it, so naming
// them as above costs nothing per row (setting 3,557 rows' strings was 2% of
// a served 10-year point).
inline constexpr const char* kPointSite = "point";
// Whether `query` drills one --point (not a station, not a box).
bool single_point(const Query& query);

}  // namespace pixeldrill::drill
