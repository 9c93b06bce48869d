#include "server/map_image.h"

#include <zlib.h>

#include <algorithm>
#include <cmath>

#include "core/error.h"

namespace pixeldrill::server {
namespace {

void put_u32(std::string& out, uint32_t v) {
  for (int s = 24; s >= 0; s -= 8) out += static_cast<char>((v >> s) & 0xff);
}

void chunk(std::string& out, const char* type, const std::string& data) {
  put_u32(out, static_cast<uint32_t>(data.size()));
  std::string body = std::string(type, 4) + data;
  out += body;
  put_u32(out, static_cast<uint32_t>(crc32(0, reinterpret_cast<const Bytef*>(body.data()),
                                           static_cast<uInt>(body.size()))));
}

// A perceptually ordered blue -> cyan -> yellow -> red ramp.
void ramp(double t, unsigned char* rgb) {
  static const double stops[][3] = {{49, 54, 149},   {69, 117, 180},  {116, 173, 209},
                                    {171, 217, 233}, {254, 224, 144}, {253, 174, 97},
                                    {244, 109, 67},  {165, 0, 38}};
  t = std::clamp(t, 0.0, 1.0) * 7;
  const int i = std::min(6, static_cast<int>(t));
  const double f = t - i;
  for (int c = 0; c < 3; ++c) {
    rgb[c] = static_cast<unsigned char>(std::lround(stops[i][c] * (1 - f) + stops[i + 1][c] * f));
  }
}

std::string temperature_variable(const drill::DatasetInfo& info) {
  for (const auto& v : info.variables) {
    if (v.column.standard_name.find("sea_surface") != std::string::npos) return v.name;
  }
  for (const auto& v : info.variables) {
    if (v.name.find("sst") != std::string::npos || v.name.find("temperature") != std::string::npos)
      return v.name;
  }
  if (info.variables.empty()) throw Error(ErrorKind::kNotFound, "dataset has no variables to map");
  return info.variables.front().name;
}

}  // namespace

std::string encode_png_rgb(size_t width, size_t height, const std::string& rgb) {
  std::string raw;
  raw.reserve(height * (width * 3 + 1));
  for (size_t y = 0; y < height; ++y) {
    raw += '\0';  // filter: none
    raw.append(rgb, y * width * 3, width * 3);
  }
  uLongf size = compressBound(static_cast<uLong>(raw.size()));
  std::string packed(size, '\0');
  if (compress2(reinterpret_cast<Bytef*>(packed.data()), &size,
                reinterpret_cast<const Bytef*>(raw.data()), static_cast<uLong>(raw.size()),
                6) != Z_OK) {
    throw Error(ErrorKind::kInternal, "PNG: zlib compress failed");
  }
  packed.resize(size);
  std::string out = "\x89PNG\r\n\x1a\n";
  std::string ihdr;
  put_u32(ihdr, static_cast<uint32_t>(width));
  put_u32(ihdr, static_cast<uint32_t>(height));
  ihdr += std::string("\x08\x02\x00\x00\x00", 5);  // 8-bit RGB, deflate, no filter, no interlace
  chunk(out, "IHDR", ihdr);
  chunk(out, "IDAT", packed);
  chunk(out, "IEND", "");
  return out;
}

std::string render_mean_map(const drill::Dataset& dataset, const drill::DatasetInfo& info,
                            size_t max_width, size_t steps) {
  const auto& lat = info.grid.lat.values;
  const auto& lon = info.grid.lon.values;
  if (lat.empty() || lon.empty() || info.times.empty()) {
    throw Error(ErrorKind::kNotFound, "dataset has no grid or time steps to map");
  }
  const size_t width = std::min(lon.size(), max_width);
  const size_t height = std::max<size_t>(1, lat.size() * width / lon.size());
  // Image rows north to south, columns west to east, whatever the axis order.
  std::vector<size_t> rows(height), cols(width);
  for (size_t y = 0; y < height; ++y)
    rows[y] = (y * lat.size() + lat.size() / (2 * height)) / height;
  for (size_t x = 0; x < width; ++x) cols[x] = (x * lon.size() + lon.size() / (2 * width)) / width;
  if (info.grid.lat.ascending()) std::reverse(rows.begin(), rows.end());
  if (!info.grid.lon.ascending()) std::reverse(cols.begin(), cols.end());
  drill::Query q;
  q.vars = {temperature_variable(info)};
  q.time.from = info.times[info.times.size() - std::min(steps, info.times.size())];
  for (size_t y = 0; y < height; ++y) {
    for (size_t x = 0; x < width; ++x) {
      q.sites.push_back({std::to_string(y * width + x), lat[rows[y]], lon[cols[x]]});
    }
  }
  const drill::Series series = dataset.drill(q);
  std::vector<double> sum(width * height, 0);
  std::vector<int> count(width * height, 0);
  for (const auto& row : series.rows) {
    const double v = row.values.empty() ? NAN : row.values[0];
    if (std::isnan(v)) continue;
    const size_t i = std::stoul(row.site);
    sum[i] += v;
    ++count[i];
  }
  double lo = INFINITY, hi = -INFINITY;
  for (size_t i = 0; i < sum.size(); ++i) {
    if (count[i]) {
      sum[i] /= count[i];
      lo = std::min(lo, sum[i]);
      hi = std::max(hi, sum[i]);
    }
  }
  std::string rgb(width * height * 3, '\0');
  for (size_t i = 0; i < sum.size(); ++i) {
    auto* px = reinterpret_cast<unsigned char*>(&rgb[i * 3]);
    if (!count[i]) {
      px[0] = px[1] = px[2] = 128;
    } else {
      ramp(hi > lo ? (sum[i] - lo) / (hi - lo) : 0.5, px);
    }
  }
  return encode_png_rgb(width, height, rgb);
}

}  // namespace pixeldrill::server
