#pragma once
// Which product a file belongs to, from its name. GHRSST (GDS 2) names start
// with the indicative date and time, and the rest names the product:
// "20200101152000-ABOM-L3S_GHRSST-SSTskin-AVHRR_D-1d_night.nc" is
// "*-ABOM-L3S_GHRSST-SSTskin-AVHRR_D-1d_night.nc". Drilling two products as one
// series (night and day, daily and 4-hourly, two grids) would interleave them
// silently, so a collection holding several is refused and `--product`
// picks one.
#include <map>
#include <string>
#include <vector>

namespace pixeldrill::catalog {

// The file name with its leading 8..14-digit date-time replaced by "*"; empty
// when the name does not start with a date (such files are never grouped).
std::string product_key(const std::string& path);

// Throws Error naming `spec` when `paths` hold files of more than one product
// key: each product with its file count and two example files, and how to
// pick one (--product or a glob).
void check_single_product(const std::string& spec, const std::vector<std::string>& paths);

// Indices of the paths whose product key (or file name, for names without a
// date) contains `wanted`. Throws Error naming --product and the products
// present when none does.
std::vector<size_t> select_product(const std::vector<std::string>& paths,
                                   const std::string& wanted);

// The same refusals from counts kept elsewhere (an index's product table):
// products sorted by key, each with its count and up to two example paths.
struct ProductCount {
  std::string key;
  size_t files = 0;
  std::vector<std::string> examples;
};
[[noreturn]] void throw_mixed_products(const std::string& spec,
                                       const std::vector<ProductCount>& products);
// `present`: product key (or file name, for names without a date) -> files.
[[noreturn]] void throw_no_product(const std::string& wanted,
                                   const std::map<std::string, size_t>& present);

}  // namespace pixeldrill::catalog
