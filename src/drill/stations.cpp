#include "drill/stations.h"

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <fstream>

#include "core/error.h"

namespace pixeldrill::drill {
namespace {

std::string trim(const std::string& s) {
  const size_t b = s.find_first_not_of(" \t\r\"");
  if (b == std::string::npos) return "";
  return s.substr(b, s.find_last_not_of(" \t\r\"") - b + 1);
}

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

std::string line_name(const std::string& path, size_t number) {
  return "--stations " + path + " line " + std::to_string(number);
}

}  // namespace

std::vector<Site> read_stations(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw Error(ErrorKind::kNotFound, "--stations " + path + ": cannot open");
  return read_stations(in, path);
}

std::vector<Site> read_stations(std::istream& in, const std::string& path) {
  std::vector<Site> sites;
  std::string line;
  bool first = true;
  for (size_t number = 1; std::getline(in, line); ++number) {
    // Spreadsheet exports start with a UTF-8 byte order mark.
    if (number == 1 && line.compare(0, 3, "\xEF\xBB\xBF") == 0) line.erase(0, 3);
    const std::string t = trim(line);
    if (t.empty() || t[0] == '#') continue;
    const auto fields = split(line);
    // Only a first row whose lat and lon are both words is a header: a row
    // like "A,-32,11x" is a bad station, not a header to drop.
    const bool header =
        first && fields.size() == 3 && !looks_decimal(fields[1]) && !looks_decimal(fields[2]);
    first = false;
    if (header) continue;
    if (fields.size() != 3 || fields[0].empty()) {
      throw BadRequest(line_name(path, number) + ": '" + t + "' is not 'id,lat,lon'");
    }
    Site s;
    if (!to_number(fields[1], &s.lat) || !to_number(fields[2], &s.lon)) {
      throw BadRequest(line_name(path, number) + ": '" + t +
                       "': latitude and longitude must be finite decimal numbers");
    }
    if (s.lat < -90 || s.lat > 90) {
      throw BadRequest(line_name(path, number) + ": latitude " + fields[1] + " is outside -90..90");
    }
    if (s.lon < -360 || s.lon > 360) {
      throw BadRequest(line_name(path, number) + ": longitude " + fields[2] +
                       " is outside -360..360");
    }
    s.id = fields[0];
    sites.push_back(std::move(s));
  }
  if (in.bad()) throw Error("--stations " + path + ": read failed");
  if (sites.empty()) {
    throw BadRequest("--stations " + path + ": no stations (expected id,lat,lon rows)");
  }
  return sites;
}

Site parse_point(const std::string& text) {
  const auto f = split(text);
  Site s;
  if (f.size() != 2 || !to_number(f[0], &s.lat) || !to_number(f[1], &s.lon) || s.lat < -90 ||
      s.lat > 90) {
    throw BadRequest("--point '" + text + "': expected LAT,LON in degrees, e.g. -32.0,115.0");
  }
  return s;
}

Box parse_box(const std::string& text) {
  const auto f = split(text);
  Box b;
  if (f.size() != 4 || !to_number(f[0], &b.south) || !to_number(f[1], &b.north) ||
      !to_number(f[2], &b.west) || !to_number(f[3], &b.east)) {
    throw BadRequest("--box '" + text +
                     "': expected S,N,W,E in degrees, e.g. -32.2,-31.8,114.8,115.2");
  }
  if (b.south > b.north) throw BadRequest("--box '" + text + "': south is north of north");
  if (b.west > b.east) throw BadRequest("--box '" + text + "': west is east of east");
  return b;
}

}  // namespace pixeldrill::drill
