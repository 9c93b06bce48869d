// Physical limit of a drill: how fast can the compressed chunk bytes a query
// touches be inflated at all? Reads the query's ACTUAL raw chunks with
// H5Dread_chunk, times inflate with zlib, libdeflate and isa-l on one core
// (through pixeldrill's own codec/inflate.h, the code the index path runs),
// and reports the fastest throughput and the bytes the query must inflate.
//
//   inflate_limit --files LIST.txt --vars a,b
//                 (--point LAT,LON | --stations FILE.csv | --box S,N,W,E)
//                 [--sample N] [--min-seconds S]
//
// "needed" bytes count only the prefix of each chunk that holds the wanted
// elements (with shuffle an element's last byte plane comes last), which is
// what a drill that stops inflating early must produce; "full" counts whole
// chunks. Output is one JSON object on stdout.
#include <hdf5.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "bench_query_args.h"
#include "codec/inflate.h"

namespace {

struct Args : pixeldrill::bench::QueryArgs {
  size_t sample = 48;
  double min_seconds = 0.3;
};

Args parse_args(int argc, char** argv) {
  CLI::App app{"inflate_limit: how fast can a query's chunk bytes be inflated at all"};
  Args a;
  std::string files, point, stations, box;
  pixeldrill::bench::add_query_options(app, a, files, point, stations, box);
  app.add_option("--sample", a.sample, "chunks inflated for timing");
  app.add_option("--min-seconds", a.min_seconds, "time each engine at least this long");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    std::exit(app.exit(e));
  }
  pixeldrill::bench::finish_query_args(a, files, point, stations, box);
  return a;
}

std::vector<double> read_axis(hid_t file, const char* name) {
  hid_t ds = H5Dopen2(file, name, H5P_DEFAULT);
  if (ds < 0) throw std::runtime_error(std::string("no coordinate ") + name);
  hid_t space = H5Dget_space(ds);
  hssize_t n = H5Sget_simple_extent_npoints(space);
  std::vector<double> v(static_cast<size_t>(n));
  H5Dread(ds, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, v.data());
  H5Sclose(space);
  H5Dclose(ds);
  return v;
}

struct Chunk {
  std::vector<uint8_t> raw;  // zlib-wrapped deflate stream
  size_t full = 0;           // uncompressed bytes of the whole chunk
};

struct ChunkRef {
  hid_t file;
  std::string var;
  std::vector<hsize_t> offset;
};

struct Totals {
  size_t chunks = 0, stored = 0, full = 0, needed = 0;
  bool all_deflate = true;
};

// Every chunk of `var` in `file` holding one of the (row, col) pixels, with
// the byte prefix of each chunk the query needs.
void collect(hid_t file, const std::string& var, const std::vector<std::pair<size_t, size_t>>& px,
             Totals& totals, std::vector<ChunkRef>& where) {
  if (H5Lexists(file, var.c_str(), H5P_DEFAULT) <= 0) return;
  hid_t ds = H5Dopen2(file, var.c_str(), H5P_DEFAULT);
  hid_t space = H5Dget_space(ds);
  hsize_t dims[3] = {0, 0, 0};
  if (H5Sget_simple_extent_ndims(space) != 3) throw std::runtime_error(var + " is not 3-D");
  H5Sget_simple_extent_dims(space, dims, nullptr);
  hid_t dcpl = H5Dget_create_plist(ds);
  hsize_t cdims[3] = {1, 1, 1};
  if (H5Pget_layout(dcpl) != H5D_CHUNKED) throw std::runtime_error(var + " is not chunked");
  H5Pget_chunk(dcpl, 3, cdims);
  bool shuffle = false, deflate = false;
  for (int f = 0; f < H5Pget_nfilters(dcpl); ++f) {
    unsigned flags = 0;
    size_t n = 0;
    H5Z_filter_t id =
        H5Pget_filter2(dcpl, static_cast<unsigned>(f), &flags, &n, nullptr, 0, nullptr, nullptr);
    shuffle |= id == H5Z_FILTER_SHUFFLE;
    deflate |= id == H5Z_FILTER_DEFLATE;
  }
  totals.all_deflate &= deflate;
  hid_t type = H5Dget_type(ds);
  const size_t elem = H5Tget_size(type);
  const size_t nelem = static_cast<size_t>(cdims[0] * cdims[1] * cdims[2]);
  std::map<std::vector<hsize_t>, size_t> needed;  // chunk offset -> prefix bytes
  for (hsize_t t = 0; t < dims[0]; ++t)
    for (auto [i, j] : px) {
      std::vector<hsize_t> off = {t / cdims[0] * cdims[0], i / cdims[1] * cdims[1],
                                  j / cdims[2] * cdims[2]};
      size_t k =
          static_cast<size_t>(((t - off[0]) * cdims[1] + (i - off[1])) * cdims[2] + (j - off[2]));
      size_t prefix = shuffle ? (elem - 1) * nelem + k + 1 : (k + 1) * elem;
      auto& slot = needed[off];
      slot = std::max(slot, prefix);
    }
  for (const auto& [off, prefix] : needed) {
    hsize_t stored = 0;
    H5Dget_chunk_storage_size(ds, off.data(), &stored);
    if (stored == 0) continue;  // never written: nothing to inflate
    totals.chunks++;
    totals.stored += stored;
    totals.full += nelem * elem;
    totals.needed += prefix;
    where.push_back({file, var, off});
  }
  H5Tclose(type);
  H5Pclose(dcpl);
  H5Sclose(space);
  H5Dclose(ds);
}

Chunk read_chunk(const ChunkRef& ref) {
  Chunk c;
  hid_t ds = H5Dopen2(ref.file, ref.var.c_str(), H5P_DEFAULT);
  const std::vector<hsize_t>& off = ref.offset;
  hsize_t stored = 0;
  H5Dget_chunk_storage_size(ds, off.data(), &stored);
  c.raw.resize(stored);
  uint32_t mask = 0;
  if (H5Dread_chunk(ds, H5P_DEFAULT, off.data(), &mask, c.raw.data()) < 0)
    throw std::runtime_error("H5Dread_chunk failed");
  hid_t dcpl = H5Dget_create_plist(ds);
  hsize_t cdims[3];
  H5Pget_chunk(dcpl, 3, cdims);
  hid_t type = H5Dget_type(ds);
  c.full = static_cast<size_t>(cdims[0] * cdims[1] * cdims[2]) * H5Tget_size(type);
  H5Tclose(type);
  H5Pclose(dcpl);
  H5Dclose(ds);
  return c;
}

// Uncompressed bytes per second over the sample, repeated for min_seconds.
double throughput(pixeldrill::codec::Inflater engine, const std::vector<Chunk>& sample,
                  double min_seconds, std::vector<uint8_t>& out,
                  std::vector<std::vector<uint8_t>>* check) {
  using clock = std::chrono::steady_clock;
  size_t bytes = 0;
  auto start = clock::now();
  double elapsed = 0;
  do {
    for (size_t s = 0; s < sample.size(); ++s) {
      const auto* in = reinterpret_cast<const std::byte*>(sample[s].raw.data());
      auto* dst = reinterpret_cast<std::byte*>(out.data());
      size_t got =
          pixeldrill::codec::inflate_all(engine, {in, sample[s].raw.size()}, {dst, sample[s].full});
      if (got != sample[s].full) throw std::runtime_error("a sampled chunk inflated short");
      if (check) {
        if (check->size() <= s)
          check->emplace_back(out.begin(), out.begin() + static_cast<long>(sample[s].full));
        else if (!std::equal(check->at(s).begin(), check->at(s).end(), out.begin()))
          throw std::runtime_error("inflate libraries disagree on a sampled chunk");
      }
      bytes += sample[s].full;
    }
    elapsed = std::chrono::duration<double>(clock::now() - start).count();
  } while (elapsed < min_seconds);
  return static_cast<double>(bytes) / elapsed;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    Args a = parse_args(argc, argv);
    H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
    Totals totals;
    std::vector<ChunkRef> where;
    std::vector<hid_t> open_files;
    for (const auto& path : a.files) {
      hid_t f = H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
      if (f < 0) throw std::runtime_error("cannot open " + path);
      open_files.push_back(f);
      std::vector<double> lat = read_axis(f, "lat"), lon = read_axis(f, "lon");
      std::vector<std::pair<size_t, size_t>> px;
      if (a.box) {
        const auto& b = *a.box;
        for (size_t i = 0; i < lat.size(); ++i)
          for (size_t j = 0; j < lon.size(); ++j)
            if (lat[i] >= b.south && lat[i] <= b.north && lon[j] >= b.west && lon[j] <= b.east)
              px.emplace_back(i, j);
      } else {
        for (const auto& site : a.sites)
          px.emplace_back(pixeldrill::bench::nearest(lat, site.lat),
                          pixeldrill::bench::nearest(lon, site.lon));
      }
      for (const auto& v : a.vars) collect(f, v, px, totals, where);
    }
    // An evenly spaced sample of the touched chunks is inflated for timing.
    std::vector<Chunk> sample;
    size_t step = std::max<size_t>(1, where.size() / std::max<size_t>(1, a.sample));
    for (size_t k = 0; k < where.size() && sample.size() < a.sample; k += step)
      sample.push_back(read_chunk(where[k]));
    for (hid_t f : open_files) H5Fclose(f);
    if (sample.empty() || !totals.all_deflate)
      throw std::runtime_error("no deflate chunks touched");
    size_t biggest = 0;
    for (const auto& c : sample) biggest = std::max(biggest, c.full);
    std::vector<uint8_t> out(biggest);
    std::vector<std::vector<uint8_t>> reference;
    nlohmann::json libs;
    using pixeldrill::codec::Inflater;
    for (Inflater engine : {Inflater::kZlib, Inflater::kLibdeflate, Inflater::kIsal})
      libs[pixeldrill::codec::inflater_name(engine)] =
          throughput(engine, sample, a.min_seconds, out, &reference) / 1e6;
    std::string best = libs.begin().key();
    for (auto& [name, mbps] : libs.items())
      if (mbps.get<double>() > libs[best].get<double>()) best = name;
    const double best_bps = libs[best].get<double>() * 1e6;
    nlohmann::json j = {{"chunks", totals.chunks},
                        {"stored_bytes", totals.stored},
                        {"full_bytes", totals.full},
                        {"needed_bytes", totals.needed},
                        {"sample_chunks", sample.size()},
                        {"inflate_MBps", libs},
                        {"best", best},
                        {"limit_full_s", static_cast<double>(totals.full) / best_bps},
                        {"limit_needed_s", static_cast<double>(totals.needed) / best_bps}};
    std::printf("%s\n", j.dump().c_str());
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "inflate_limit: %s\n", e.what());
    return 1;
  }
}
