#include "drill/stations.h"

#include <csv.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <optional>
#include <sstream>

#include "core/error.h"

namespace pixeldrill::drill {
namespace {

// Plain decimal text only: strtod alone would also take "0x10" (16), "inf" and "nan".
bool looks_decimal(const std::string& s) {
  if (s.empty()) return false;
  bool digit = false;
  for (const char c : s) {
    if (c >= '0' && c <= '9') {
      digit = true;
    } else if (c != '+' && c != '-' && c != '.' && c != 'e' && c != 'E') {
      return false;
    }
  }
  return digit;
}

bool to_number(const std::string& s, double* out) {
  if (!looks_decimal(s)) return false;
  errno = 0;
  char* end = nullptr;
  const double v = std::strtod(s.c_str(), &end);
  if (errno != 0 || end != s.c_str() + s.size() || !std::isfinite(v)) return false;
  *out = v;
  return true;
}

std::string trim(const std::string& s) {
  const size_t b = s.find_first_not_of(" \t\r");
  if (b == std::string::npos) return "";
  return s.substr(b, s.find_last_not_of(" \t\r") - b + 1);
}

// "a, b" -> {"a", "b"} for --point and --box.
std::vector<std::string> split(const std::string& s) {
  std::vector<std::string> out;
  size_t start = 0;
  for (size_t i = 0; i <= s.size(); ++i) {
    if (i == s.size() || s[i] == ',') {
      out.push_back(trim(s.substr(start, i - start)));
      start = i + 1;
    }
  }
  return out;
}

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

struct Record {
  size_t line = 0;
  std::vector<std::string> fields;
};

// libcsv's callbacks collect records with the line each starts on. With
// CSV_REPALL_NL every CR and LF ends a record, so blank lines are seen (and
// counted) and the LF of a CRLF arrives as an empty record.
struct Collector {
  std::vector<Record> records;
  std::vector<std::string> fields;
  size_t line = 1;
  bool after_cr = false;

  static void on_field(void* data, size_t size, void* self) {
    auto& c = *static_cast<Collector*>(self);
    c.fields.emplace_back(static_cast<const char*>(data), size);
  }
  static void on_record(int terminator, void* self) {
    auto& c = *static_cast<Collector*>(self);
    const bool lf_of_crlf = terminator == '\n' && c.after_cr && c.fields.empty();
    c.after_cr = terminator == '\r';
    if (lf_of_crlf) return;
    size_t newlines = 0;  // inside quoted fields
    for (const auto& f : c.fields)
      newlines += static_cast<size_t>(std::count(f.begin(), f.end(), '\n'));
    const bool blank = std::all_of(c.fields.begin(), c.fields.end(),
                                   [](const std::string& f) { return trim(f).empty(); });
    if (!blank) c.records.push_back({c.line, std::move(c.fields)});
    c.fields.clear();
    c.line += 1 + newlines;
  }
};

std::vector<Record> parse_csv(const std::string& path, std::string text) {
  // Spreadsheet exports start with a UTF-8 byte order mark.
  if (text.compare(0, 3, "\xEF\xBB\xBF") == 0) text.erase(0, 3);
  csv_parser parser;
  if (csv_init(&parser, CSV_STRICT | CSV_STRICT_FINI | CSV_REPALL_NL) != 0) {
    throw Error("--stations " + path + ": cannot start the CSV parser");
  }
  Collector c;
  const size_t used =
      csv_parse(&parser, text.data(), text.size(), &Collector::on_field, &Collector::on_record, &c);
  const bool ok = used == text.size() &&
                  csv_fini(&parser, &Collector::on_field, &Collector::on_record, &c) == 0;
  const int error = csv_error(&parser);
  csv_free(&parser);
  if (!ok) {
    const size_t line =
        1 + static_cast<size_t>(std::count(text.begin(), text.begin() + used, '\n'));
    throw BadRequest("--stations " + path + " line " + std::to_string(line) + ": not valid CSV (" +
                     csv_strerror(error) +
                     "; a quote inside a field must be doubled and the field quoted)");
  }
  return c.records;
}

std::string joined(const std::vector<std::string>& fields) {
  std::string out;
  for (const auto& f : fields) out += (out.empty() ? "" : ",") + f;
  return out;
}

std::optional<size_t> column_named(const std::vector<std::string>& header,
                                   std::initializer_list<const char*> names) {
  for (const char* name : names) {
    for (size_t i = 0; i < header.size(); ++i) {
      if (lower(trim(header[i])) == name) return i;
    }
  }
  return std::nullopt;
}

}  // namespace

Stations read_station_table(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(ErrorKind::kNotFound, "--stations " + path + ": cannot open");
  return read_station_table(in, path);
}

Stations read_station_table(std::istream& in, const std::string& path) {
  std::stringstream buffer;
  buffer << in.rdbuf();
  if (in.bad()) throw Error("--stations " + path + ": read failed");
  std::vector<Record> records = parse_csv(path, buffer.str());
  records.erase(std::remove_if(records.begin(), records.end(),
                               [](const Record& r) { return trim(r.fields[0]).starts_with('#'); }),
                records.end());
  auto where = [&](const Record& r) {
    return "--stations " + path + " line " + std::to_string(r.line);
  };
  // Columns: from the header when the first row is one, else id,lat,lon.
  size_t id_col = 0, lat_col = 1, lon_col = 2, width = 3;
  Stations out;
  size_t first = 0;
  if (!records.empty()) {
    const auto& h = records.front().fields;
    const auto id = column_named(h, {"id", "station", "station_id", "site", "site_id", "name"});
    const auto lat = column_named(h, {"lat", "latitude"});
    const auto lon = column_named(h, {"lon", "longitude", "long", "lng"});
    // A first row is a header when it names the coordinates, or when, as in
    // `id,lat,lon`, its 2nd and 3rd fields are words: a row like
    // "A,-32,11x" is a bad station, not a header to drop.
    const bool words = h.size() >= 3 && !looks_decimal(trim(h[1])) && !looks_decimal(trim(h[2]));
    if ((lat && lon) || words) {
      if (!lat || !lon || !id) {
        throw BadRequest(where(records.front()) + ": header '" + joined(h) +
                         "' must name an id (id, station or site), a lat (lat or latitude) and "
                         "a lon (lon or longitude) column");
      }
      id_col = *id, lat_col = *lat, lon_col = *lon, width = h.size();
      for (size_t i = 0; i < h.size(); ++i) {
        if (i != id_col && i != lat_col && i != lon_col) out.extra_columns.push_back(trim(h[i]));
      }
      first = 1;
    }
  }
  const std::string shape = first ? "the " + std::to_string(width) + " columns of the header"
                                  : std::string("'id,lat,lon'");
  for (size_t k = first; k < records.size(); ++k) {
    const Record& r = records[k];
    std::vector<std::string> f;
    for (const auto& field : r.fields) f.push_back(trim(field));
    if (f.size() != width || f[id_col].empty()) {
      throw BadRequest(where(r) + ": '" + joined(f) + "' is not " + shape);
    }
    Site s;
    if (!to_number(f[lat_col], &s.lat) || !to_number(f[lon_col], &s.lon)) {
      throw BadRequest(where(r) + ": '" + joined(f) +
                       "': latitude and longitude must be finite decimal numbers");
    }
    if (s.lat < -90 || s.lat > 90) {
      throw BadRequest(where(r) + ": latitude " + f[lat_col] + " is outside -90..90");
    }
    if (s.lon < -360 || s.lon > 360) {
      throw BadRequest(where(r) + ": longitude " + f[lon_col] + " is outside -360..360");
    }
    s.id = f[id_col];
    out.sites.push_back(std::move(s));
    auto& extra = out.extra.emplace_back();
    for (size_t i = 0; i < f.size(); ++i) {
      if (i != id_col && i != lat_col && i != lon_col) extra.push_back(f[i]);
    }
  }
  if (out.sites.empty()) {
    throw BadRequest("--stations " + path + ": no stations (expected id,lat,lon rows)");
  }
  return out;
}

std::vector<Site> read_stations(const std::string& path) { return read_station_table(path).sites; }

Site parse_point(const std::string& text) {
  const auto f = split(text);
  Site s;
  if (f.size() != 2 || !to_number(f[0], &s.lat) || !to_number(f[1], &s.lon) || s.lat < -90 ||
      s.lat > 90 || s.lon < -360 || s.lon > 360) {
    throw BadRequest("--point '" + text + "': expected LAT,LON in degrees, e.g. -32.0,115.0");
  }
  return s;
}

namespace {

std::string box_text(const Box& b, bool bbox) {
  std::ostringstream o;
  o.precision(10);
  if (bbox) {
    o << "--bbox " << b.west << "," << b.south << "," << b.east << "," << b.north;
  } else {
    o << "--box " << b.south << "," << b.north << "," << b.west << "," << b.east;
  }
  return o.str();
}

Box checked_box(const std::string& text, Box b, bool bbox) {
  const std::string option = bbox ? "--bbox" : "--box";
  if (b.south < -90 || b.north > 90 || b.south > 90 || b.north < -90) {
    throw BadRequest(option + " '" + text + "': latitudes must lie in -90..90 (" +
                     (bbox ? "W,S,E,N" : "S,N,W,E") + ")");
  }
  if (b.west < -360 || b.west > 360 || b.east < -360 || b.east > 360) {
    throw BadRequest(option + " '" + text + "': longitudes must lie in -360..360");
  }
  if (b.south > b.north) {
    Box swapped = b;
    std::swap(swapped.south, swapped.north);
    throw BadRequest(
        option + " '" + text + "': south is north of north; did you mean " +
        box_text(swapped, bbox) + "? (" +
        (bbox ? "--bbox is W,S,E,N; --box is S,N,W,E" : "--box is S,N,W,E; --bbox is W,S,E,N") +
        ")");
  }
  return b;
}

}  // namespace

Box parse_box(const std::string& text) {
  const auto f = split(text);
  Box b;
  if (f.size() != 4 || !to_number(f[0], &b.south) || !to_number(f[1], &b.north) ||
      !to_number(f[2], &b.west) || !to_number(f[3], &b.east)) {
    throw BadRequest("--box '" + text +
                     "': expected S,N,W,E in degrees, e.g. -32.2,-31.8,114.8,115.2 "
                     "(or --bbox W,S,E,N)");
  }
  return checked_box(text, b, false);
}

Box parse_bbox(const std::string& text) {
  const auto f = split(text);
  Box b;
  if (f.size() != 4 || !to_number(f[0], &b.west) || !to_number(f[1], &b.south) ||
      !to_number(f[2], &b.east) || !to_number(f[3], &b.north)) {
    throw BadRequest("--bbox '" + text +
                     "': expected W,S,E,N in degrees (GDAL/STAC order), e.g. "
                     "114.8,-32.2,115.2,-31.8");
  }
  return checked_box(text, b, true);
}

}  // namespace pixeldrill::drill
