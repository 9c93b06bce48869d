// griddap over the datasets as `pixeldrill serve` opens them (open_dataset's
// own info()), on a store and an index: the same values as `pixeldrill drill`.
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <regex>

#include "server_test_util.h"

namespace pixeldrill::testing {
namespace {

std::string griddap_csv_body(const server::Service& s, const std::string& id,
                             const std::string& q) {
  const auto r = get(s, "/erddap/griddap/" + id + ".csv?" + q);
  EXPECT_EQ(r.status, 200) << r.body;
  return r.body;
}

TEST(GriddapBackends, StoreAnswersAsDrillDoes) {
  TempDir dir("pixeldrill-griddap-store");
  ASSERT_TRUE(make_server_collection(dir.str("c")));
  ASSERT_EQ(run(pixeldrill() + " index " + dir.str("c") + " -o " + dir.str("c.pdx") + " >/dev/null")
                .status,
            0);
  ASSERT_EQ(run(pixeldrill() + " convert " + dir.str("c") + " -o " + dir.str("s.zarr") +
                " >/dev/null 2>&1")
                .status,
            0);
  server::ServerConfig config;
  config.access_log = "off";
  config.datasets = {{"store", dir.str("s.zarr"), "", "", ""},
                     {"pdx", dir.str("c.pdx"), "", "", ""},
                     {"folder", dir.str("c"), "", "", ""}};
  std::vector<server::ServedDataset> served;
  for (const auto& d : config.datasets) served.push_back({d, drill::open_dataset(d.source)});
  server::Service service(config, served);
  const std::string q =
      "sea_surface_temperature[(2024-01-02T15:20:00Z):1:(last)][(-43.8):1:(-36.2)][(145.2):1:(154."
      "8)]";
  // ("index" would name ERDDAP's own dataset list, /erddap/griddap/index.csv.)
  for (const char* id : {"store", "pdx"}) {
    const std::string source = dir.str(std::string(id) == "store" ? "s.zarr" : "c.pdx");
    const auto body = griddap_csv_body(service, id, q);
    // As ERDDAP writes its columns: the store's float32 values as float
    // text (292.49326, the drill's data precision for float32 storage), the
    // index's decoded packed values as doubles (the drill's full precision).
    const bool float32 = std::string(id) == "store";
    const auto want = run(pixeldrill() + " drill " + source +
                          " --box -44,-36,145,155 --var sea_surface_temperature --from 2024-01-02"
                          " --precision " +
                          (float32 ? "data" : "full"));
    const auto types =
        nlohmann::json::parse(get(service, std::string("/erddap/griddap/") + id + ".json?" + q)
                                  .body)["table"]["columnTypes"];
    EXPECT_EQ(types[3], float32 ? "float" : "double") << id;
    const auto got_rows = lines(body), want_rows = lines(want.out);
    ASSERT_EQ(got_rows.size(), want_rows.size() + 1) << id << body;  // 2 header rows vs 1
    // Same order: time, then latitude descending, then longitude ascending.
    for (size_t i = 2; i < got_rows.size(); ++i) {
      const auto g = split(got_rows[i], ','), w = split(want_rows[i - 1], ',');
      EXPECT_EQ(g[0], w[0]);
      EXPECT_EQ(g[1], w[2]);
      EXPECT_EQ(g[2], w[3]);
      EXPECT_EQ(g[3] == "NaN" ? "" : g[3], w[4]) << id << " row " << i;
    }
    const auto das = get(service, std::string("/erddap/griddap/") + id + ".das");
    EXPECT_NE(das.body.find("sea_surface_temperature {"), std::string::npos) << das.body;
  }
  // Every backend describes the variables as they are served: SST decoded
  // from packed shorts (a double, no packing attributes, NaN fill, valid_max
  // in kelvin as ncdump's numbers give it), quality_level a byte.
  std::string first_file;
  for (const auto& e : std::filesystem::recursive_directory_iterator(dir.str("c"))) {
    if (e.path().extension() == ".nc" && (first_file.empty() || e.path().string() < first_file))
      first_file = e.path().string();
  }
  const std::string head = run("ncdump -h " + first_file).out;
  const auto number = [](const std::string& text, const std::string& re) {
    std::smatch m;
    EXPECT_TRUE(std::regex_search(text, m, std::regex(re))) << re << "\n" << text;
    return m.size() > 1 ? std::stod(m[1].str()) : std::nan("");
  };
  const double want_max = number(head, "sea_surface_temperature:valid_max = (-?[0-9]+)s ;") *
                              number(head, "sea_surface_temperature:scale_factor = ([-0-9.eE+]+)") +
                          number(head, "sea_surface_temperature:add_offset = ([-0-9.eE+]+)");
  for (const char* id : {"store", "pdx", "folder"}) {
    const auto das = get(service, std::string("/erddap/griddap/") + id + ".das").body;
    const auto dds = get(service, std::string("/erddap/griddap/") + id + ".dds").body;
    const auto block = [&](const std::string& var) {
      const auto from = das.substr(das.find("  " + var + " {"));
      return from.substr(0, from.find("  }"));
    };
    const std::string sst = block("sea_surface_temperature"), ql = block("quality_level");
    EXPECT_EQ(sst.find("scale_factor"), std::string::npos) << id << sst;
    EXPECT_NE(sst.find("_FillValue NaN;"), std::string::npos) << id << sst;
    EXPECT_NEAR(number(sst, "valid_max ([-0-9.eE+]+);"), want_max, 1e-6 * want_max) << id;
    EXPECT_NE(ql.find("Byte flag_values 0, 1, 2, 3, 4, 5;"), std::string::npos) << id << ql;
    EXPECT_EQ(ql.find("_FillValue"), std::string::npos) << id << ql;
    EXPECT_NE(dds.find("Byte quality_level["), std::string::npos) << id << dds;
    // The store keeps float32 kelvin (Float32); index and folder decode shorts (Float64).
    EXPECT_NE(dds.find(std::string(id) == "store" ? "Float32 sea_surface_temperature["
                                                  : "Float64 sea_surface_temperature["),
              std::string::npos)
        << id << dds;
  }
}

}  // namespace
}  // namespace pixeldrill::testing
