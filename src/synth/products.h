#pragma once
// The IMOS gridded SST products `pixeldrill synth --product` can imitate: for
// each, its grid, time stamps (cadence, time of day, units and type), file
// names, time dimension and variables. Facts and assumptions per product are
// listed in docs/products.md.
#include <netcdf.h>

#include <cstdint>
#include <string>
#include <vector>

#include "synth/product.h"
#include "synth/synth_grid.h"

namespace pixeldrill::synth {

enum class Cadence { kDaily, kFourHourly, kMonthly };
enum class VariableSet { kL3s, kHimawari, kSouthern };

struct ProductSpec {
  std::string name;         // --product value, e.g. "l3s-1d-night"
  std::string archive_dir;  // where IMOS publishes it, e.g. "IMOS/SRS/SST/ghrsst/L3S-1d/ngt"
  std::string file_suffix;  // after "YYYYMMDDHHMMSS", e.g. "-ABOM-L3S_GHRSST-...-1d_night.nc"
  std::string title;
  std::string window;  // collation window for the attributes: "1 night", "6 days", ...
  Cadence cadence = Cadence::kDaily;
  int stamp_seconds = 0;  // time of day of the file-name stamp (daily and monthly)
  bool unlimited_time = false;
  bool eras = true;  // the L3S-1d eras (variable sets, chunking, units) apply
  GridSpec grid;
  VariableSet variables = VariableSet::kL3s;
};

const std::vector<ProductSpec>& known_products();
// Throws Error naming --product and listing the known names.
const ProductSpec& find_product(const std::string& name);

// How `time` is stored: the real products' int seconds since 1981, or (for
// testing readers) double hours since another epoch.
enum class TimeEncoding { kIntSeconds1981, kDoubleHours1990 };

// One time step of a product.
struct Step {
  int64_t time = 0;       // Unix seconds of the `time` value
  int64_t name_time = 0;  // Unix seconds of the file-name stamp
  int64_t model_day = 0;  // the day whose ocean the step shows
  uint32_t sky = 0;       // 0, or distinguishes sub-daily skies of one day
  uint64_t key = 0;       // identifies the step for the missing-step draw
};

// Steps whose time lies in [from_day 00:00, to_day 24:00).
std::vector<Step> product_steps(const ProductSpec& p, int64_t from_day, int64_t to_day);
// "YYYY/<stamp><suffix>" of the file whose first step is `s`.
std::string product_relative_path(const ProductSpec& p, const Step& s);
// ~2.5% of steps are missing, fixed per seed; the daily night product keeps
// its historical draw (is_missing_day).
bool is_missing_step(const ProductSpec& p, uint64_t seed, const Step& s);

// The product's variables present in `era`, in file order.
std::vector<const VarSpec*> product_variable_list(const ProductSpec& p, const Era& era);
Era product_era(const ProductSpec& p, int year);

struct TimeCoding {
  nc_type type = NC_INT;
  std::string units;
  double value(int64_t unix_seconds) const;
};
TimeCoding time_coding(TimeEncoding e, const Era& era);

// Global attributes of a file starting at step `s` on `grid`.
std::vector<Attr> product_global_attributes(const ProductSpec& p, const Step& s, const Era& era,
                                            uint64_t seed, const SynthGrid& grid);

}  // namespace pixeldrill::synth
