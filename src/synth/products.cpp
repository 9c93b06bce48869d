#include "synth/products.h"

#include <cstdio>

#include "core/civil_time.h"
#include "core/error.h"
#include "synth/hash.h"

namespace pixeldrill::synth {
namespace {

constexpr int kHour = 3600;

ProductSpec l3s(std::string name, std::string dir, std::string suffix, std::string title,
                std::string window, Cadence cadence, int stamp) {
  ProductSpec p;
  p.name = std::move(name);
  p.archive_dir = "IMOS/SRS/SST/ghrsst/" + std::move(dir);
  p.file_suffix = std::move(suffix);
  p.title = std::move(title);
  p.window = std::move(window);
  p.cadence = cadence;
  p.stamp_seconds = stamp;
  return p;
}

Attr text_attr(std::string name, std::string value) {
  return {std::move(name), NC_CHAR, std::move(value), {}};
}

void set_attr(std::vector<Attr>& attrs, const std::string& name, std::string value) {
  for (Attr& a : attrs) {
    if (a.name == name) {
      a.text = std::move(value);
      return;
    }
  }
  attrs.push_back(text_attr(name, std::move(value)));
}

void set_number(std::vector<Attr>& attrs, const std::string& name, double value) {
  for (Attr& a : attrs) {
    if (a.name == name) a.numbers = {value};
  }
}

// Variables of the Himawari-8 L3C products (AODN's dataset configuration):
// no wind/ice time differences, Himawari's own flag meanings and comments.
const std::vector<VarSpec>& himawari_variables() {
  static const std::vector<VarSpec> vars = [] {
    std::vector<VarSpec> out;
    for (VarSpec v : product_variables()) {
      if (v.name == "wind_speed_dtime_from_sst" || v.name == "sea_ice_fraction_dtime_from_sst")
        continue;
      for (Attr& a : v.attrs_before_packing) {
        if (v.name == "l2p_flags" && a.name == "flag_meanings")
          a.text =
              "microwave land ice lake river reserved reserved analysis lowwind highwind night "
              "terminator reserved reserved reserved";
        if (v.name == "sea_surface_temperature" && a.name == "comment")
          a.text =
              "The skin temperature of the ocean at a depth of approximately 10 microns. SSTs are "
              "retrieved by using the Radiative Transfer Model (RTTOV12.3) and Bayesian cloud "
              "clearing method based on the ESA CCI SST code developed at the University of "
              "Reading";
      }
      v.sea_ice = false;  // present throughout the Himawari record
      out.push_back(std::move(v));
    }
    return out;
  }();
  return vars;
}

// The Southern Ocean L3S-1dS product: foundation SST, every L3S variable and
// three experimental unweighted statistics (AODN's dataset configuration).
const std::vector<VarSpec>& southern_variables() {
  static const std::vector<VarSpec> vars = [] {
    std::vector<VarSpec> out;
    const std::string coords = "time lat lon";
    for (VarSpec v : product_variables()) {
      if (v.name == "sea_surface_temperature") {
        for (Attr& a : v.attrs_before_packing) {
          if (a.name == "long_name") a.text = "sea surface foundation temperature";
          if (a.name == "standard_name") a.text = "sea_surface_foundation_temperature";
          if (a.name == "comment")
            a.text =
                "An estimate of the foundation temperature of the upper few meters of the ocean "
                "in the absence of diurnal variation";
        }
      }
      v.sea_ice = false;
      out.push_back(std::move(v));
    }
    const VarSpec& sst = out.front();
    VarSpec mean = sst;
    mean.name = "sst_mean";
    mean.attrs_before_packing = {
        text_attr("long_name", "Unweighted SST mean"), text_attr("units", "kelvin"),
        text_attr("coordinates", coords),
        text_attr("comment",
                  "Unweighted mean of contributory SST measurements. EXPERIMENTAL_FIELD")};
    out.push_back(mean);
    auto byte_stat = [&](std::string name, std::string long_name, std::string units,
                         std::string comment) {
      VarSpec v = *find_variable("sses_count");
      v.name = std::move(name);
      v.attrs_before_packing = {
          text_attr("long_name", std::move(long_name)), text_attr("units", std::move(units)),
          text_attr("coordinates", coords), text_attr("comment", std::move(comment))};
      v.sea_ice = false;
      out.push_back(std::move(v));
    };
    byte_stat("sst_count", "Number of SST measurements", "count",
              "Unweighted count of number of contributory SST measurements. EXPERIMENTAL_FIELD");
    byte_stat("sst_standard_deviation", "Unweighted SST standard deviation", "kelvin",
              "Unweighted standard deviation of contributory SST measurements. "
              "EXPERIMENTAL_FIELD");
    return out;
  }();
  return vars;
}

std::string hhmmss(int64_t unix_seconds) {
  const int64_t s = ((unix_seconds % 86400) + 86400) % 86400;
  char buf[8];
  std::snprintf(buf, sizeof buf, "%02d%02d%02d", static_cast<int>(s / 3600),
                static_cast<int>(s / 60 % 60), static_cast<int>(s % 60));
  return buf;
}

int64_t floor_div(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

}  // namespace

const std::vector<ProductSpec>& known_products() {
  static const std::vector<ProductSpec> products = [] {
    std::vector<ProductSpec> v;
    v.push_back(l3s("l3s-1d-night", "L3S-1d/ngt", "-ABOM-L3S_GHRSST-SSTskin-AVHRR_D-1d_night.nc",
                    "IMOS L3S Nighttime gridded multiple-sensor multiple-swath Australian region "
                    "skin SST",
                    "1 night", Cadence::kDaily, 15 * kHour + 20 * 60));
    v.push_back(l3s("l3s-1d-day", "L3S-1d/day", "-ABOM-L3S_GHRSST-SSTskin-AVHRR_D-1d_day.nc",
                    "IMOS L3S Daytime gridded multiple-sensor multiple-swath Australian region "
                    "skin SST",
                    "1 day", Cadence::kDaily, 3 * kHour + 20 * 60));
    v.push_back(l3s("l3s-6d", "L3S-6d/ngt", "-ABOM-L3S_GHRSST-SSTskin-AVHRR_D-6d_night.nc",
                    "IMOS L3S 6 day Nighttime gridded multiple-sensor multiple-swath Australian "
                    "region skin SST",
                    "6 nights", Cadence::kDaily, 3 * kHour + 20 * 60));
    v.push_back(l3s("l3s-1m", "L3S-1m/ngt", "-ABOM-L3S_GHRSST-SSTskin-AVHRR_D-1m_night.nc",
                    "IMOS L3S monthly Nighttime gridded multiple-sensor multiple-swath Australian "
                    "region skin SST",
                    "1 month of nights", Cadence::kMonthly, 3 * kHour + 20 * 60));
    ProductSpec h =
        l3s("l3c-4h-himawari", "L3C-4h/h08", "-ABOM-L3C_GHRSST-SSTskin-AHI_H08-4h-v02.0-fv02.0.nc",
            "IMOS L3C 4 hour gridded Himawari-8 AHI Australasian region skin SST", "4 hours",
            Cadence::kFourHourly, 0);
    h.unlimited_time = true;
    h.eras = false;
    h.variables = VariableSet::kHimawari;
    v.push_back(h);
    ProductSpec s =
        l3s("l3s-1d-southern", "L3S-1dS/dn", "-ABOM-L3S_GHRSST-SSTfnd-AVHRR_D-1d_dn_Southern.nc",
            "IMOS L3S Day and Night gridded multiple-swath Southern Ocean region "
            "foundation SST",
            "24 hours", Cadence::kDaily, 11 * kHour + 10 * 60);
    // 3E..158W (202E), 27S..78S at 0.02 deg: 2550 x 9950 pixels.
    s.grid = GridSpec{-2700, 300, 2550, 9950};
    s.variables = VariableSet::kSouthern;
    v.push_back(s);
    return v;
  }();
  return products;
}

const ProductSpec& find_product(const std::string& name) {
  std::string list;
  for (const ProductSpec& p : known_products()) {
    if (p.name == name) return p;
    list += (list.empty() ? "" : ", ") + p.name;
  }
  throw BadRequest("--product: unknown product '" + name + "' (known: " + list + ")");
}

std::vector<Step> product_steps(const ProductSpec& p, int64_t from_day, int64_t to_day) {
  std::vector<Step> out;
  if (p.cadence == Cadence::kMonthly) {
    CivilDate first = civil_from_days(from_day);
    first.day = 1;
    for (int64_t start = days_from_civil(first); start <= to_day;) {
      CivilDate d = civil_from_days(start);
      d.month == 12 ? (d.year += 1, d.month = 1) : ++d.month;
      const int64_t next = days_from_civil(d);
      Step s;
      // GDS 2: an L3S time is the centre of its collation window.
      s.time = start * 86400 + (next - start) * 86400 / 2;
      s.name_time = (next - 1) * 86400 + p.stamp_seconds;  // named by the month's last day
      s.model_day = floor_div(s.time, 86400);
      s.key = static_cast<uint64_t>(start);
      if (s.time >= from_day * 86400 && s.time < (to_day + 1) * 86400) out.push_back(s);
      start = next;
    }
    return out;
  }
  const int per_day = p.cadence == Cadence::kFourHourly ? 6 : 1;
  for (int64_t d = from_day; d <= to_day; ++d) {
    for (int k = 0; k < per_day; ++k) {
      Step s;
      s.time = d * 86400 + p.stamp_seconds + k * 4 * kHour;
      s.name_time = s.time;
      s.model_day = d;
      s.sky = per_day > 1 ? static_cast<uint32_t>(k + 1) : 0;
      s.key = static_cast<uint64_t>(d * per_day + k);
      out.push_back(s);
    }
  }
  return out;
}

std::string product_relative_path(const ProductSpec& p, const Step& s) {
  const std::string ymd = format_yyyymmdd(s.name_time);
  return ymd.substr(0, 4) + "/" + ymd + hhmmss(s.name_time) + p.file_suffix;
}

bool is_missing_step(const ProductSpec& p, uint64_t seed, const Step& s) {
  if (p.cadence == Cadence::kDaily) return is_missing_day(seed, s.model_day);
  return mix64(seed * 0x9E3779B97F4A7C15ull ^ mix64(s.key + 0x4A1 + (p.name.size() << 32))) % 1000 <
         25;
}

Era product_era(const ProductSpec& p, int year) {
  Era e = era_for_year(year);
  if (p.variables == VariableSet::kHimawari) {
    e.name = "Himawari-8 AHI (one era)";
    e.alt_chunks = false;
    e.sea_ice = true;
    e.time_units = "seconds since 1981-01-01 00:00:00";
    e.wind_source = "ACCESSG-ABOM-Forecast-WSP";
    e.analysis_source = "ABOM-L4LRfnd-GLOB-GAMSSA_28km";
    e.ice_source = "OSTIA-UKMO-L4-GLOB-v2.0";
    e.platform = "Himawari-8";
    e.sensor = "AHI";
  } else if (p.variables == VariableSet::kSouthern) {
    e.sea_ice = true;  // the Southern Ocean product keeps its sea ice variables
    e.alt_chunks = false;
    e.name = "Southern Ocean (all variables, sea ice throughout)";
  }
  return e;
}

std::vector<const VarSpec*> product_variable_list(const ProductSpec& p, const Era& era) {
  const std::vector<VarSpec>* all = &product_variables();
  if (p.variables == VariableSet::kHimawari) all = &himawari_variables();
  if (p.variables == VariableSet::kSouthern) all = &southern_variables();
  std::vector<const VarSpec*> out;
  for (const VarSpec& v : *all) {
    if (v.sea_ice && !era.sea_ice) continue;
    out.push_back(&v);
  }
  return out;
}

double TimeCoding::value(int64_t unix_seconds) const {
  if (type == NC_INT)
    return static_cast<double>(unix_seconds - days_from_civil({1981, 1, 1}) * 86400);
  return static_cast<double>(unix_seconds - days_from_civil({1990, 1, 1}) * 86400) / 3600.0;
}

TimeCoding time_coding(TimeEncoding e, const Era& era) {
  if (e == TimeEncoding::kIntSeconds1981) return {NC_INT, era.time_units};
  return {NC_DOUBLE, "hours since 1990-01-01 00:00:00"};
}

std::vector<Attr> product_global_attributes(const ProductSpec& p, const Step& s, const Era& era,
                                            uint64_t seed, const SynthGrid& grid) {
  std::vector<Attr> attrs = global_attributes(s.model_day, era, seed, grid.decimate);
  if (p.name == "l3s-1d-night") return attrs;  // byte-identical to the historical generator
  const GridSpec& g = p.grid;
  const int dec = grid.decimate;
  const double east = (g.west_edge_centi + 2.0 * g.full_nlon - dec) / 100.0;
  set_attr(attrs, "title", p.title);
  set_number(attrs, "northernmost_latitude", (g.north_edge_centi - dec) / 100.0);
  set_number(attrs, "southernmost_latitude",
             (g.north_edge_centi - 2.0 * g.full_nlat + dec) / 100.0);
  set_number(attrs, "westernmost_longitude", (g.west_edge_centi + dec) / 100.0);
  set_number(attrs, "easternmost_longitude", east > 180 ? east - 360 : east);
  const std::string start = format_iso8601(s.time);
  set_attr(attrs, "time_coverage_start", start);
  set_attr(attrs, "start_time", start);
  set_attr(attrs, "time_coverage_end", start);
  set_attr(attrs, "stop_time", start);
  set_attr(attrs, "time_coverage_resolution", p.window);
  if (p.variables == VariableSet::kHimawari) {
    set_attr(attrs, "processing_level", "L3C");
    set_attr(attrs, "id", "AHI_H08-ABOM-L3C-v02.0");
    set_attr(attrs, "Conventions", "CF-1.6, ACDD-1.3, ISO 8601");
  }
  for (Attr& a : attrs) {
    if (a.name == "pixeldrill_synthetic")
      a.text = "SYNTHETIC DATA made by pixeldrill synth --product " + p.name + " (seed " +
               std::to_string(seed) + ", decimate " + std::to_string(dec) + ", era: " + era.name +
               "); layout and metadata mimic " + p.archive_dir + ", values are not observations";
  }
  return attrs;
}

}  // namespace pixeldrill::synth
