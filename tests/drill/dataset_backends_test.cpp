// One table of queries and of bad inputs, run through every backend (NetCDF
// folder, chunk index, Zarr store) by the same entry point, open_dataset():
// the same answers, the same pixels, the same messages; one opened dataset
// answering from eight threads at once as it does from one.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <fstream>
#include <map>
#include <random>
#include <regex>
#include <thread>

#include "core/error.h"
#include "drill/dataset.h"
#include "drill/query_text.h"
#include "drill_test_util.h"

// QueryText rows name only the fields they set; the rest keep their defaults.
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

namespace pixeldrill::testing {
namespace {

using drill::Dataset;
using drill::Query;
using drill::Series;

const std::string kAllVariables =
    "dt_analysis,l2p_flags,quality_level,satellite_zenith_angle,sea_ice_fraction,"
    "sea_ice_fraction_dtime_from_sst,sea_surface_temperature,sses_bias,sses_count,"
    "sses_standard_deviation,sst_dtime,wind_speed,wind_speed_dtime_from_sst";

class DatasetBackends : public ::testing::Test {
 public:
  static void SetUpTestSuite() {
    tmp_ = new TempDir();
    const std::string c = tmp_->str("coll");
    ASSERT_TRUE(make_era_collection(c));
    ASSERT_EQ(
        run(pixeldrill() + " index " + c + " -o " + tmp_->str("c.pdx") + " 2>/dev/null").status, 0);
    ASSERT_EQ(run(pixeldrill() + " convert " + c + " -o " + tmp_->str("c.zarr") +
                  " --chunks 3,32,32 -q --vars " + kAllVariables + " 2>/dev/null")
                  .status,
              0);
  }
  static void TearDownTestSuite() {
    delete tmp_;
    tmp_ = nullptr;
  }

 protected:
  struct Backend {
    std::string name;
    std::string source;
    bool float32_values;  // the store keeps float32 of each decoded value
  };
  static std::vector<Backend> backends() {
    return {{"netcdf", tmp_->str("coll"), false},
            {"index", tmp_->str("c.pdx"), false},
            {"store", tmp_->str("c.zarr"), true}};
  }
  static Query query(const drill::QueryText& text) { return drill::parse_query(text); }

  // Same rows (time, site, pixel, values); store values are float32 of the reference.
  static void expect_same(const Series& ref, const Series& got, bool float32,
                          const std::string& what) {
    ASSERT_EQ(ref.columns.size(), got.columns.size()) << what;
    for (size_t c = 0; c < ref.columns.size(); ++c) {
      EXPECT_EQ(ref.columns[c].name, got.columns[c].name) << what;
      EXPECT_EQ(ref.columns[c].units, got.columns[c].units) << what;
    }
    ASSERT_EQ(ref.rows.size(), got.rows.size()) << what;
    for (size_t i = 0; i < ref.rows.size(); ++i) {
      const auto &a = ref.rows[i], &b = got.rows[i];
      ASSERT_EQ(a.time, b.time) << what << " row " << i;
      ASSERT_EQ(a.site, b.site) << what << " row " << i;
      ASSERT_EQ(a.lat, b.lat) << what << " row " << i;
      ASSERT_EQ(a.lon, b.lon) << what << " row " << i;
      for (size_t v = 0; v < a.values.size(); ++v) {
        const double x = a.values[v], y = b.values[v];
        ASSERT_EQ(std::isnan(x), std::isnan(y)) << what << " row " << i << " col " << v;
        if (std::isnan(x)) continue;
        if (float32) {
          ASSERT_EQ(static_cast<float>(x), static_cast<float>(y)) << what << " row " << i;
        } else {
          ASSERT_EQ(x, y) << what << " row " << i;
        }
      }
    }
  }

  static inline TempDir* tmp_ = nullptr;
};

std::string write_stations(const TempDir& dir) {
  const std::string path = dir.str("stations.csv");
  std::ofstream(path) << "id,lat,lon\nA,-40,100\nB,-31.5,115.2\nC,-10.3,150.7\n";
  return path;
}

TEST_F(DatasetBackends, SameQueryTableGivesTheSameAnswerOnEveryBackend) {
  const std::string stations = write_stations(*tmp_);
  const std::vector<drill::QueryText> table = {
      {.point = "-40,100"},
      {.point = "-31.5,115.2", .from = "2016-01-01", .to = "2019-12-31"},
      {.stations = stations},
      {.box = "-42,-38,98,102", .reduce = "mean"},
      {.box = "-41,-40,99,100.5"},
      {.point = "-40,100", .min_quality = 4},
      {.box = "-42,-38,98,102", .reduce = "count", .celsius = true},
      {.point = "-20,120", .vars = "sea_surface_temperature", .celsius = true},
      // Absent in 2020 files (sea ice), an int, flags, a packed byte.
      {.point = "-60,150", .vars = "sea_ice_fraction,sst_dtime,l2p_flags,sses_bias"},
      {.box = "-62,-58,148,152", .reduce = "max", .vars = "sea_ice_fraction,wind_speed"},
  };
  std::vector<std::shared_ptr<Dataset>> opened;
  for (const auto& b : backends()) opened.push_back(drill::open_dataset(b.source));
  for (size_t q = 0; q < table.size(); ++q) {
    const Query query = DatasetBackends::query(table[q]);
    const Series ref = opened[0]->drill(query);
    ASSERT_FALSE(ref.rows.empty()) << "query " << q;
    EXPECT_TRUE(ref.problems.empty()) << "query " << q;
    for (size_t b = 1; b < opened.size(); ++b) {
      expect_same(ref, opened[b]->drill(query), backends()[b].float32_values,
                  backends()[b].name + " query " + std::to_string(q));
    }
  }
}

// The message with the SOURCE spelled SOURCE, so backends compare equal.
std::string generic(const std::string& message, const std::string& source) {
  return std::regex_replace(message, std::regex(source), "SOURCE");
}

TEST_F(DatasetBackends, SameBadQueryGivesTheSameMessageAndKindOnEveryBackend) {
  struct Bad {
    drill::QueryText text;
    ErrorKind kind;
    std::string mentions;
  };
  const std::vector<Bad> table = {
      {{.point = "-40,100", .vars = "salinity"}, ErrorKind::kNoSuchVariable, "--vars salinity"},
      {{.point = "45,100"}, ErrorKind::kBadRequest, "--point 45,100"},
      {{.point = "-40,200"}, ErrorKind::kBadRequest, "lon 70.5..189.5"},
      {{.box = "-40.2,-40.1,100,110"}, ErrorKind::kBadRequest, "no pixel centre"},
  };
  for (const auto& bad : table) {
    const Query query = DatasetBackends::query(bad.text);
    std::vector<std::string> messages;
    for (const auto& b : backends()) {
      try {
        drill::open_dataset(b.source)->drill(query);
        ADD_FAILURE() << b.name << " answered " << bad.mentions;
      } catch (const Error& e) {
        EXPECT_EQ(e.kind(), bad.kind) << b.name << ": " << e.what();
        EXPECT_NE(std::string(e.what()).find(bad.mentions), std::string::npos) << e.what();
        messages.push_back(generic(e.what(), b.source));
      }
    }
    ASSERT_EQ(messages.size(), 3u);
    EXPECT_EQ(messages[0], messages[1]);
    EXPECT_EQ(messages[0], messages[2]);
  }
  // Text that is no query at all never reaches a backend.
  try {
    drill::parse_query({.point = "abc"});
    ADD_FAILURE() << "--point abc parsed";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kBadRequest);
  }
}

// Every backend describes the same collection the same way.
TEST_F(DatasetBackends, AQueryPastItsDeadlineStopsWithATimeoutOnEveryBackend) {
  // The server sets Query::deadline; a backend past it stops between files
  // or chunks with an Error the server sends as 503, and without it answers.
  Query q = query({.point = "-40,100"});
  for (const auto& b : backends()) {
    const auto dataset = drill::open_dataset(b.source);
    q.deadline = std::chrono::steady_clock::now() - std::chrono::seconds(1);
    try {
      dataset->drill(q);
      ADD_FAILURE() << b.name << ": answered past its deadline";
    } catch (const Error& e) {
      EXPECT_EQ(e.kind(), ErrorKind::kIo) << b.name;
      EXPECT_EQ(std::string(e.what()).rfind("Timeout: ", 0), 0u) << b.name << ": " << e.what();
    }
    q.deadline = std::chrono::steady_clock::now() + std::chrono::hours(1);
    EXPECT_FALSE(dataset->drill(q).rows.empty()) << b.name;
  }
}

// The server drills with one thread per request (Query::threads = 1): the
// same rows as with one per core, on every backend, for stations and a box.
TEST_F(DatasetBackends, OneThreadPerQueryGivesTheSameRowsOnEveryBackend) {
  for (const auto& b : backends()) {
    const auto dataset = drill::open_dataset(b.source);
    for (Query q : {query({.point = "-40,100"}), query({.box = "-41,-40,99,100.5"})}) {
      const drill::Series many = dataset->drill(q);
      q.threads = 1;
      const drill::Series one = dataset->drill(q);
      ASSERT_EQ(one.rows.size(), many.rows.size()) << b.name;
      ASSERT_FALSE(one.rows.empty()) << b.name;
      for (size_t i = 0; i < one.rows.size(); ++i) {
        EXPECT_EQ(one.rows[i].time, many.rows[i].time) << b.name;
        EXPECT_EQ(one.rows[i].lat, many.rows[i].lat) << b.name;
        for (size_t v = 0; v < one.rows[i].values.size(); ++v) {
          const double x = one.rows[i].values[v], y = many.rows[i].values[v];
          EXPECT_TRUE(x == y || (std::isnan(x) && std::isnan(y))) << b.name << " row " << i;
        }
      }
    }
  }
}

TEST_F(DatasetBackends, InfoDescribesTheSameGridAndTimesOnEveryBackend) {
  const auto ref = drill::open_dataset(backends()[0].source)->info();
  EXPECT_EQ(ref->times.size(), 8u);
  EXPECT_EQ(ref->grid.lat.size(), 90u);
  EXPECT_TRUE(ref->grid.lat.float32);
  ASSERT_NE(ref->find("sea_surface_temperature"), nullptr);
  EXPECT_EQ(ref->find("sea_surface_temperature")->column.units, "kelvin");
  EXPECT_TRUE(ref->global_attributes.contains("title")) << ref->global_attributes.dump();
  for (const auto& b : backends()) {
    const auto info = drill::open_dataset(b.source)->info();
    EXPECT_EQ(info->kind, b.name);
    EXPECT_EQ(info->times, ref->times) << b.name;
    EXPECT_TRUE(info->grid == ref->grid) << b.name;
    EXPECT_EQ(info->grid.lat.float32, ref->grid.lat.float32) << b.name;
    EXPECT_EQ(info->grid.lon.float32, ref->grid.lon.float32) << b.name;
    const auto* sst = info->find("sea_surface_temperature");
    ASSERT_NE(sst, nullptr) << b.name;
    EXPECT_EQ(sst->column.standard_name, "sea_surface_skin_temperature") << b.name;
    EXPECT_EQ(sst->attributes.value("units", ""), "kelvin") << b.name;
    EXPECT_FALSE(info->version.empty()) << b.name;
  }
}

// Targets exactly between two pixel centres (ties) and just inside and
// outside the edges pick the same pixel everywhere, and xarray's.
TEST_F(DatasetBackends, MidpointsAndEdgesPickTheSamePixelOnEveryBackendAndInXarray) {
  const auto info = drill::open_dataset(backends()[0].source)->info();
  const auto& lat = info->grid.lat.values;
  const auto& lon = info->grid.lon.values;
  std::vector<std::pair<double, double>> targets;
  std::mt19937 rng(11);
  for (int k = 0; k < 60; ++k) {
    const size_t i = rng() % (lat.size() - 1), j = rng() % (lon.size() - 1);
    targets.push_back({(lat[i] + lat[i + 1]) / 2, (lon[j] + lon[j + 1]) / 2});
    targets.push_back({lat[i], (lon[j] + lon[j + 1]) / 2});
    targets.push_back({(lat[i] + lat[i + 1]) / 2, lon[j]});
  }
  // Edges: within half a step outside the first and last centres.
  const double dlat = std::fabs(lat[1] - lat[0]), dlon = std::fabs(lon[1] - lon[0]);
  for (double f : {0.25, 0.49}) {
    targets.push_back({lat.front() + f * dlat, lon.front() - f * dlon});
    targets.push_back({lat.back() - f * dlat, lon.back() + f * dlon});
  }
  // One stations query per backend holds every target.
  const std::string path = tmp_->str("ties.csv");
  {
    std::ofstream out(path);
    out.precision(17);
    for (size_t k = 0; k < targets.size(); ++k) {
      out << "s" << k << "," << targets[k].first << "," << targets[k].second << "\n";
    }
  }
  const Query query = DatasetBackends::query(
      {.stations = path, .vars = "quality_level", .from = "2016-01-01", .to = "2016-01-01"});
  std::vector<Series> answers;
  for (const auto& b : backends()) answers.push_back(drill::open_dataset(b.source)->drill(query));
  ASSERT_EQ(answers[0].rows.size(), targets.size());
  for (size_t b = 1; b < answers.size(); ++b) {
    for (size_t k = 0; k < targets.size(); ++k) {
      EXPECT_EQ(answers[b].rows[k].lat, answers[0].rows[k].lat) << backends()[b].name << " s" << k;
      EXPECT_EQ(answers[b].rows[k].lon, answers[0].rows[k].lon) << backends()[b].name << " s" << k;
    }
  }
  // xarray, on the same float32 axes.
  for (const auto& [axis, pick] : {std::pair{&info->grid.lat, 0}, std::pair{&info->grid.lon, 1}}) {
    const std::string axis_file = tmp_->str("axis.txt"), target_file = tmp_->str("targets.txt");
    {
      std::ofstream a(axis_file), t(target_file);
      a.precision(17);
      t.precision(17);
      a << (axis->float32 ? "float32" : "float64") << "\n";
      for (double v : axis->values) a << v << "\n";
      for (const auto& tg : targets) t << (pick == 0 ? tg.first : tg.second) << "\n";
    }
    const auto r = run(python() + " " + python_script("drill_nearest.py") + " " + axis_file + " " +
                       target_file);
    ASSERT_EQ(r.status, 0);
    const auto idx = lines(r.out);
    ASSERT_EQ(idx.size(), targets.size());
    for (size_t k = 0; k < targets.size(); ++k) {
      const double want = axis->values[std::stoul(idx[k])];
      const double got = pick == 0 ? answers[2].rows[k].lat : answers[2].rows[k].lon;
      EXPECT_EQ(got, want) << "store s" << k;
    }
  }
}

TEST_F(DatasetBackends, OneOpenedDatasetAnswersEightThreadsAsItAnswersOne) {
  const std::string stations = write_stations(*tmp_);
  const std::vector<drill::QueryText> mix = {
      {.point = "-40,100"},
      {.stations = stations, .from = "2019-12-31"},
      {.box = "-42,-38,98,102", .reduce = "mean"},
      {.point = "-31.5,115.2", .min_quality = 3, .celsius = true},
  };
  for (const auto& b : backends()) {
    const auto dataset = drill::open_dataset(b.source);
    std::vector<Series> single;
    for (const auto& q : mix) single.push_back(dataset->drill(query(q)));
    std::vector<std::thread> threads;
    std::vector<int> mismatches(8, 0);
    for (int t = 0; t < 8; ++t) {
      threads.emplace_back([&, t] {
        for (int round = 0; round < 3; ++round) {
          for (size_t k = 0; k < mix.size(); ++k) {
            const size_t q = (k + static_cast<size_t>(t)) % mix.size();
            const Series got = dataset->drill(query(mix[q]));
            const Series& want = single[q];
            bool same = got.rows.size() == want.rows.size();
            for (size_t i = 0; same && i < got.rows.size(); ++i) {
              same = got.rows[i].time == want.rows[i].time && got.rows[i].lat == want.rows[i].lat;
              for (size_t v = 0; same && v < got.rows[i].values.size(); ++v) {
                const double x = got.rows[i].values[v], y = want.rows[i].values[v];
                same = (std::isnan(x) && std::isnan(y)) || x == y;
              }
            }
            if (!same) ++mismatches[static_cast<size_t>(t)];
          }
        }
      });
    }
    for (auto& th : threads) th.join();
    for (int t = 0; t < 8; ++t) EXPECT_EQ(mismatches[static_cast<size_t>(t)], 0) << b.name;
  }
}

// A query with a time range opens only the files named for that range: a
// damaged file outside it goes unnoticed, inside it is named.
TEST_F(DatasetBackends, FolderQueryOpensOnlyTheFilesOfItsTimeRange) {
  TempDir dir;
  const std::string c = dir.str("c");
  ASSERT_TRUE(make_era_collection(c));
  std::string victim;
  for (const auto& e : std::filesystem::recursive_directory_iterator(c)) {
    if (e.path().filename().string().starts_with("20160101")) victim = e.path().string();
  }
  ASSERT_FALSE(victim.empty());
  std::filesystem::resize_file(victim, 1000);
  const auto dataset = drill::open_dataset(c);
  const Series late = dataset->drill(query({.point = "-40,100", .from = "2019-12-30"}));
  EXPECT_TRUE(late.problems.empty()) << late.problems.front().message();
  EXPECT_EQ(late.rows.size(), 4u);
  const Series all = dataset->drill(query({.point = "-40,100"}));
  ASSERT_EQ(all.problems.size(), 1u);
  EXPECT_EQ(all.problems[0].path, victim);
  EXPECT_EQ(all.rows.size(), 7u);
  // A range that holds no file names the collection's span.
  try {
    dataset->drill(query({.point = "-40,100", .from = "2030-01-01"}));
    ADD_FAILURE() << "answered a range with no files";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("2015-12-30..2020-01-02"), std::string::npos) << e.what();
  }
}

TEST_F(DatasetBackends, RefreshPicksUpNewFilesAndANewIndex) {
  TempDir dir;
  const std::string c = dir.str("c");
  const std::string synth = pixeldrill() + " synth " + c + " --decimate 50 -q --no-gaps";
  ASSERT_EQ(run(synth + " --from 2021-03-01 --to 2021-03-03").status, 0);
  ASSERT_EQ(run(pixeldrill() + " index " + c + " -o " + dir.str("c.pdx") + " 2>/dev/null").status,
            0);
  const auto folder = drill::open_dataset(c);
  const auto index = drill::open_dataset(dir.str("c.pdx"));
  const Query q = query({.point = "-40,100"});
  EXPECT_EQ(folder->drill(q).rows.size(), 3u);
  EXPECT_EQ(index->drill(q).rows.size(), 3u);
  EXPECT_FALSE(folder->refresh());
  EXPECT_FALSE(index->refresh());
  ASSERT_EQ(run(synth + " --from 2021-03-04 --to 2021-03-05").status, 0);
  EXPECT_EQ(folder->drill(q).rows.size(), 3u);  // not before refresh()
  const std::string before = folder->info()->version;
  EXPECT_TRUE(folder->refresh());
  EXPECT_EQ(folder->drill(q).rows.size(), 5u);
  EXPECT_NE(folder->info()->version, before);
  EXPECT_EQ(folder->info()->times.size(), 5u);
  ASSERT_EQ(run(pixeldrill() + " index " + c + " -o " + dir.str("c.pdx") + " 2>/dev/null").status,
            0);
  EXPECT_TRUE(index->refresh());
  EXPECT_EQ(index->drill(q).rows.size(), 5u);
}

}  // namespace
}  // namespace pixeldrill::testing
