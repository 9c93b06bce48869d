// griddap URLs written from ERDDAP's documentation and the forms erddapy
// builds, answered by the Service and compared value by value with
// `pixeldrill drill` on the same collection.
#include <gtest/gtest.h>

#include <map>
#include <nlohmann/json.hpp>

#include "server_test_util.h"

namespace pixeldrill::testing {
namespace {

class GriddapService : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = std::make_unique<TempDir>("pixeldrill-griddap");
    ASSERT_TRUE(make_server_collection(dir_->str("c")));
    service_ = make_service(dir_->str("c"));
  }
  static void TearDownTestSuite() {
    service_.reset();
    dir_.reset();
  }
  static std::string folder() { return dir_->str("c"); }
  static const server::Service& service() { return *service_; }
  static inline std::unique_ptr<TempDir> dir_;
  static inline std::shared_ptr<server::Service> service_;
};

using Keyed = std::map<std::string, std::string>;  // "time,lat,lon" -> value text ("" missing)

// griddap .csv (names row, units row, NaN for missing) keyed by time,lat,lon.
Keyed griddap_values(const std::string& csv, size_t column = 3) {
  Keyed out;
  const auto rows = lines(csv);
  for (size_t i = 2; i < rows.size(); ++i) {
    const auto f = split(rows[i], ',');
    out[f[0] + "," + f[1] + "," + f[2]] = f[column] == "NaN" ? "" : f[column];
  }
  return out;
}

// `pixeldrill drill` CSV (time,site,lat,lon,values...) keyed the same way.
Keyed drill_values(const std::string& args, size_t column = 4) {
  // griddap prints full doubles; the drill's --precision full is the same text.
  const auto r = run(pixeldrill() + " drill --precision full " + args);
  EXPECT_EQ(r.status, 0) << args;
  Keyed out;
  const auto rows = lines(r.out);
  for (size_t i = 1; i < rows.size(); ++i) {
    const auto f = split(rows[i], ',');
    out[f[0] + "," + f[2] + "," + f[3]] = f[column];
  }
  return out;
}

size_t count_valid(const Keyed& k) {
  size_t n = 0;
  for (const auto& [key, v] : k) n += !v.empty();
  return n;
}

TEST_F(GriddapService, PointTimeRangeEqualsDrillPoint) {
  // ERDDAP rounds each time to the nearest step (15:20 UTC each day).
  const auto r = get(service(),
                     "/erddap/griddap/sst.csv?sea_surface_temperature"
                     "[(2024-01-02T00:00:00Z):1:(2024-01-05T00:00:00Z)][(-40.2)][(150.3)]");
  ASSERT_EQ(r.status, 200) << r.body;
  const auto rows = lines(r.body);
  ASSERT_GE(rows.size(), 2u);
  EXPECT_EQ(rows[0], "time,lat,lon,sea_surface_temperature");
  EXPECT_EQ(rows[1], "UTC,degrees_north,degrees_east,kelvin");
  const auto got = griddap_values(r.body);
  const auto want = drill_values(folder() +
                                 " --point -40.2,150.3 --var sea_surface_temperature"
                                 " --from 2024-01-01T15:20 --to 2024-01-04T15:20");
  EXPECT_EQ(got.size(), 4u);
  EXPECT_EQ(got, want);
}

TEST_F(GriddapService, ErddapyBoxFormWithAscendingLatitudeEqualsDrillBox) {
  // erddapy writes [(start):stride:(stop)] from its constraints dict, lat min first,
  // percent-encoded; the dataset's latitude is descending. The values round to the
  // nearest pixel centres (x.5 here), i.e. the pixels inside the drill box.
  const std::string url =
      "/erddap/griddap/sst.csv?sea_surface_temperature%5B(2024-01-03T15%3A20%3A00Z)%3A1%3A"
      "(2024-01-06T15%3A20%3A00Z)%5D%5B(-43.8)%3A1%3A(-36.2)%5D%5B(145.2)%3A1%3A(154.8)%5D";
  const auto r = get(service(), url);
  ASSERT_EQ(r.status, 200) << r.body;
  const auto got = griddap_values(r.body);
  const auto want = drill_values(folder() +
                                 " --box -44.0,-36.0,145.0,155.0 --var sea_surface_temperature"
                                 " --from 2024-01-03 --to 2024-01-06");
  EXPECT_EQ(got, want);
  EXPECT_GT(count_valid(got), 20u);
  // Rows come time-major, then latitude in storage (descending) order.
  const auto rows = lines(r.body);
  EXPECT_GT(std::stod(split(rows[2], ',')[1]), std::stod(split(rows.back(), ',')[1]));
}

TEST_F(GriddapService, StridedIndexFormAndTwoVariablesEqualDrill) {
  // ERDDAP docs: [start:stride:stop] in index form, last, several variables.
  const std::string c = "[2:1:last][60:3:75][70:4:90]";
  const auto r =
      get(service(), "/erddap/griddap/sst.csv?sea_surface_temperature" + c + ",quality_level" + c);
  ASSERT_EQ(r.status, 200) << r.body;
  const auto sst = griddap_values(r.body, 3);
  const auto ql = griddap_values(r.body, 4);
  EXPECT_EQ(sst.size(), 4u * 6u * 6u);
  const auto want_sst = drill_values(folder() + " --box -90,90,0,360 --from 2024-01-03", 4);
  const auto want_ql = drill_values(folder() + " --box -90,90,0,360 --from 2024-01-03", 5);
  for (const auto& [key, v] : sst) {
    ASSERT_TRUE(want_sst.count(key)) << key;
    EXPECT_EQ(v, want_sst.at(key)) << key;
    EXPECT_EQ(ql.at(key), want_ql.at(key)) << key;
  }
  EXPECT_GT(count_valid(sst), 10u);
}

TEST_F(GriddapService, LastForms) {
  auto times = [&](const std::string& c) {
    const auto r = get(service(), "/erddap/griddap/sst.csv0?sea_surface_temperature" + c);
    EXPECT_EQ(r.status, 200) << c << r.body;
    std::vector<std::string> t;
    for (const auto& row : lines(r.body)) t.push_back(split(row, ',')[0]);
    return t;
  };
  EXPECT_EQ(times("[last][0][0]"), std::vector<std::string>{"2024-01-06T15:20:00Z"});
  EXPECT_EQ(times("[(last)][0][0]"), std::vector<std::string>{"2024-01-06T15:20:00Z"});
  EXPECT_EQ(times("[last-2:last-1][0][0]"),
            (std::vector<std::string>{"2024-01-04T15:20:00Z", "2024-01-05T15:20:00Z"}));
  EXPECT_EQ(times("[(last-172800)][0][0]"), std::vector<std::string>{"2024-01-04T15:20:00Z"});
}

TEST_F(GriddapService, FileTypes) {
  const std::string q = "?sea_surface_temperature[0][(-40.2)][(150.3):1:(152.3)]";
  const auto csv = get(service(), "/erddap/griddap/sst.csv" + q);
  const auto csvp = get(service(), "/erddap/griddap/sst.csvp" + q);
  EXPECT_EQ(lines(csvp.body)[0],
            "time (UTC),lat (degrees_north),lon (degrees_east),sea_surface_temperature (kelvin)");
  EXPECT_EQ(lines(csvp.body).size(), 4u);
  const auto tsv = get(service(), "/erddap/griddap/sst.tsv" + q);
  EXPECT_EQ(lines(tsv.body)[0], "time\tlat\tlon\tsea_surface_temperature");
  const auto json = nlohmann::json::parse(get(service(), "/erddap/griddap/sst.json" + q).body);
  const auto& t = json.at("table");
  EXPECT_EQ(t.at("columnNames"), nlohmann::json({"time", "lat", "lon", "sea_surface_temperature"}));
  EXPECT_EQ(t.at("columnTypes")[0], "String");
  // The values served are decoded from the packed shorts.
  EXPECT_EQ(t.at("columnTypes")[3], "double");
  EXPECT_EQ(t.at("columnUnits")[3], "kelvin");
  // An integer column is written as integers, as ERDDAP does (3, not 3.0).
  const auto q_json = nlohmann::json::parse(
      get(service(), "/erddap/griddap/sst.json?quality_level[0][(-40.2)][(150.3):1:(152.3)]").body);
  EXPECT_EQ(q_json["table"]["columnTypes"][3], "byte");
  for (const auto& row : q_json["table"]["rows"]) {
    EXPECT_TRUE(row[3].is_null() || row[3].is_number_integer()) << row;
  }
  ASSERT_EQ(t.at("rows").size(), 3u);
  // Same numbers as the CSV (null where the CSV says NaN).
  const auto csv_rows = lines(csv.body);
  for (size_t i = 0; i < 3; ++i) {
    const auto f = split(csv_rows[i + 2], ',');
    const auto& row = t.at("rows")[i];
    EXPECT_EQ(row[0], f[0]);
    if (f[3] == "NaN")
      EXPECT_TRUE(row[3].is_null());
    else
      EXPECT_EQ(row[3].get<double>(), std::stod(f[3]));
  }
  const auto html = get(service(), "/erddap/griddap/sst.htmlTable" + q);
  EXPECT_EQ(html.content_type.rfind("text/html", 0), 0u);
  EXPECT_NE(html.body.find("<th>sea_surface_temperature"), std::string::npos);
  const auto nc = get(service(), "/erddap/griddap/sst.nc" + q);
  ASSERT_EQ(nc.status, 200) << nc.body;
  EXPECT_EQ(nc.body.substr(1, 3), "HDF");
  // Read back with netCDF-C: the values equal the CSV's.
  TempDir tmp("pixeldrill-griddap-nc");
  { std::ofstream(tmp.str("a.nc"), std::ios::binary) << nc.body; }
  const auto file = formats::netcdf::NcFile::open(tmp.str("a.nc"));
  const auto values = file.read_all(*file.variable_id("sea_surface_temperature"));
  ASSERT_EQ(values.size(), 3u);
  for (size_t i = 0; i < 3; ++i) {
    const auto f = split(csv_rows[i + 2], ',');
    if (f[3] == "NaN")
      EXPECT_TRUE(std::isnan(values[i]));
    else
      EXPECT_EQ(values[i], std::stod(f[3]));
  }
}

TEST_F(GriddapService, AxisOnlyRequestAndMetadataDocuments) {
  const auto t = get(service(), "/erddap/griddap/sst.csv?time[0:1:last]");
  ASSERT_EQ(t.status, 200) << t.body;
  EXPECT_EQ(lines(t.body).size(), 2u + 6u);
  EXPECT_EQ(lines(t.body)[2], "2024-01-01T15:20:00Z");
  const auto das = get(service(), "/erddap/griddap/sst.das").body;
  EXPECT_EQ(das.rfind("Attributes {\n", 0), 0u);
  EXPECT_NE(das.find("  sea_surface_temperature {\n"), std::string::npos);
  EXPECT_NE(das.find("String units \"kelvin\";"), std::string::npos);
  EXPECT_NE(das.find("String title \"Synthetic SST\";"), std::string::npos);
  // Axes carry their range as ERDDAP's do; every attribute is one line (a
  // line break inside a string is written as \n).
  EXPECT_NE(das.find("Float64 actual_range 1704122400, 1704554400;"), std::string::npos) << das;
  for (const auto& line : lines(das)) {
    const char last = line.empty() ? ' ' : line.back();
    EXPECT_TRUE(last == ';' || last == '{' || last == '}') << line;
  }
  const auto dds = get(service(), "/erddap/griddap/sst.dds").body;
  // Stored as packed shorts, served decoded: a double, as ERDDAP unpacks it,
  // with the packing attributes gone and the valid range in kelvin.
  EXPECT_NE(dds.find("Float64 sea_surface_temperature[time = 6][lat = 90][lon = 120];"),
            std::string::npos)
      << dds;
  EXPECT_NE(dds.find("Byte quality_level[time = 6][lat = 90][lon = 120];"), std::string::npos);
  const auto sst_das = das.substr(das.find("  sea_surface_temperature {"));
  const auto sst_block = sst_das.substr(0, sst_das.find("  }"));
  EXPECT_EQ(sst_block.find("scale_factor"), std::string::npos) << sst_block;
  EXPECT_NE(sst_block.find("Float64 _FillValue NaN;"), std::string::npos) << sst_block;
  const auto list = nlohmann::json::parse(get(service(), "/erddap/griddap/index.json").body);
  EXPECT_EQ(list["table"]["columnNames"].back(), "Dataset ID");
  EXPECT_EQ(list["table"]["rows"][0].back(), "sst");
  const auto info = nlohmann::json::parse(get(service(), "/erddap/info/sst/index.json").body);
  bool saw_variable = false, saw_license = false;
  for (const auto& row : info["table"]["rows"]) {
    saw_variable |= row[0] == "variable" && row[1] == "sea_surface_temperature";
    saw_license |= row[1] == "NC_GLOBAL" && row[2] == "license" && row[4] == "CC-BY 4.0";
  }
  EXPECT_TRUE(saw_variable);
  EXPECT_TRUE(saw_license);
  EXPECT_EQ(lines(get(service(), "/erddap/info/sst/index.csv").body)[0],
            "Row Type,Variable Name,Attribute Name,Data Type,Value");
}

TEST_F(GriddapService, DataAccessFormsDefaultRequestEqualsDrill) {
  const auto page = get(service(), "/erddap/griddap/sst.html");
  ASSERT_EQ(page.status, 200) << page.body;
  EXPECT_EQ(page.content_type, "text/html; charset=UTF-8");
  for (const char* part : {"name=\"time_start\"", "name=\"lat_stride\"", "name=\"lon_stop\"",
                           "value=\"sea_surface_temperature\"", "value=\"quality_level\"",
                           "<option value=\"nc\">", "Synthetic SST"}) {
    EXPECT_NE(page.body.find(part), std::string::npos) << part;
  }
  // The URL written into the page (what Submit opens without changes) is a
  // working request: the last day, strided, equal to the drill at every pixel.
  const size_t at = page.body.find("id=\"url\" readonly value=\"");
  ASSERT_NE(at, std::string::npos);
  const size_t from = page.body.find("value=\"", at) + 7;
  std::string url = page.body.substr(from, page.body.find('"', from) - from);
  ASSERT_EQ(url.rfind("sst.htmlTable?", 0), 0u) << url;
  url.replace(0, url.find('?'), "sst.csv");
  const auto csv = get(service(), "/erddap/griddap/" + url);
  ASSERT_EQ(csv.status, 200) << url << "\n" << csv.body;
  const Keyed served = griddap_values(csv.body);
  const Keyed drilled = drill_values(folder() + " --box -70,20,70,190 --from 2024-01-06 --var " +
                                     lines(csv.body)[0].substr(lines(csv.body)[0].rfind(',') + 1));
  ASSERT_GT(served.size(), 100u);
  size_t compared = 0;
  for (const auto& [key, value] : served) {
    const auto it = drilled.find(key);
    ASSERT_NE(it, drilled.end()) << key;
    EXPECT_EQ(it->second, value) << key;
    compared += !value.empty();
  }
  EXPECT_GT(compared, 10u);
}

TEST_F(GriddapService, ErrorsAsErddapSendsThem) {
  auto r = get(service(), "/erddap/griddap/nope.csv?x");
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.body.rfind("Error {\n    code=404;\n    message=\"", 0), 0u) << r.body;
  r = get(service(), "/erddap/griddap/sst.csv?sea_surface_temperature[0][(95)][0]");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.body.rfind("Error {\n    code=400;\n    message=\"Bad Request: Query error: ", 0), 0u)
      << r.body;
  EXPECT_NE(r.body.find("\";\n}\n"), std::string::npos);
  r = get(service(), "/erddap/griddap/sst.csv?nope[0][0][0]");
  EXPECT_EQ(r.status, 404);
  r = get(service(), "/erddap/griddap/sst.xyz?sea_surface_temperature");
  EXPECT_EQ(r.status, 400);
  r = get(service(), "/../../etc/passwd");
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.body.find("root:"), std::string::npos);
  // 413 before anything is read, saying the limit and how to split.
  auto small = make_service(folder(), 1000);
  r = get(*small, "/erddap/griddap/sst.csv?sea_surface_temperature");
  EXPECT_EQ(r.status, 413);
  EXPECT_NE(r.body.find("code=413"), std::string::npos);
  EXPECT_NE(r.body.find("64800 values"), std::string::npos) << r.body;
  EXPECT_NE(r.body.find("at most 1000"), std::string::npos);
}

// The lane a request queues in with --max-active (server::FifoWorkers).
TEST_F(GriddapService, RequestsAreQueuedByTheDatasetTheyName) {
  const auto& s = service();
  EXPECT_EQ(s.dataset_of("/erddap/griddap/sst.csv?sea_surface_temperature[0][0][0]"), "sst");
  EXPECT_EQ(s.dataset_of("/erddap/griddap/sst"), "sst");
  EXPECT_EQ(s.dataset_of("/erddap/griddap/s%73t.json"), "sst");  // percent-encoded as sent
  EXPECT_EQ(s.dataset_of("/erddap/info/sst/index.json"), "sst");
  EXPECT_EQ(s.dataset_of("/api/v1/datasets/sst/drill?point=-40,150"), "sst");
  // Anything else shares one lane: pages, lists, unknown ids (bounded by
  // the configured datasets, whatever clients send), bad encodings.
  for (const char* other :
       {"/", "/erddap/griddap/index.json", "/api/v1/datasets", "/erddap/griddap/nosuch.csv",
        "/api/v1/datasets/nosuch/drill", "/erddap/griddap/%zz.csv", "/erddap/griddap/sstx.csv"}) {
    EXPECT_EQ(s.dataset_of(other), "") << other;
  }
}

TEST_F(GriddapService, EtagGivesNotModified) {
  const std::string url = "/erddap/griddap/sst.csv?sea_surface_temperature[0][0][0]";
  const auto first = get(service(), url);
  std::string etag;
  for (const auto& [k, v] : first.headers) etag = k == "ETag" ? v : etag;
  ASSERT_FALSE(etag.empty());
  server::HttpRequest again;
  again.target = url;
  again.header = [&](const std::string& k) { return k == "If-None-Match" ? etag : std::string(); };
  const auto second = service().handle(again);
  EXPECT_EQ(second.status, 304);
  EXPECT_TRUE(second.body.empty());
}

}  // namespace
}  // namespace pixeldrill::testing
