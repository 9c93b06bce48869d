// griddap over the datasets as `pixeldrill serve` opens them (open_dataset's
// own info()), on a store and an index: the same values as `pixeldrill drill`.
#include <gtest/gtest.h>

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
                     {"pdx", dir.str("c.pdx"), "", "", ""}};
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
    const auto want = run(pixeldrill() + " drill " + source +
                          " --box -44,-36,145,155 --var sea_surface_temperature --from 2024-01-02"
                          " --precision full");
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
}

}  // namespace
}  // namespace pixeldrill::testing
