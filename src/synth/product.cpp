#include "synth/product.h"

#include <cstdio>

#include "core/civil_time.h"
#include "synth/hash.h"

namespace pixeldrill::synth {
namespace {

Attr text(std::string name, std::string value) {
  return {std::move(name), NC_CHAR, std::move(value), {}};
}
Attr num(std::string name, nc_type type, std::vector<double> values) {
  return {std::move(name), type, {}, std::move(values)};
}

const char* kCoordinates = "time lat lon";
const char* kSsesUrl =
    "https://www.ghrsst.org/ghrsst/tags-and-wgs/stval-wg/sses-description-of-schemes/";
}  // namespace

const std::vector<VarSpec>& product_variables() {
  static const std::vector<VarSpec> vars = [] {
    std::vector<VarSpec> v;
    auto byte_range = [] {
      return std::vector<Attr>{num("valid_min", NC_BYTE, {-127}), num("valid_max", NC_BYTE, {127})};
    };
    auto packed_byte = [&](std::string name, std::vector<Attr> before, bool ice = false) {
      before.insert(before.begin() + 2, text("coordinates", kCoordinates));
      v.push_back(
          {std::move(name), NC_BYTE, -128, Packing::kRange, std::move(before), byte_range(), ice});
    };
    v.push_back({"sea_surface_temperature",
                 NC_SHORT,
                 -32768,
                 Packing::kFixedScale,
                 {text("long_name", "sea surface skin temperature"), text("units", "kelvin"),
                  text("coordinates", kCoordinates),
                  text("comment",
                       "The skin temperature of the ocean at a depth of approximately 10 microns"),
                  text("standard_name", "sea_surface_skin_temperature")},
                 {num("valid_min", NC_SHORT, {-32767}), num("valid_max", NC_SHORT, {32767})},
                 false});
    v.push_back(
        {"sst_dtime",
         NC_INT,
         -2147483647,
         Packing::kRange,
         {text("long_name", "time difference from reference time"), text("units", "second"),
          text("coordinates", kCoordinates),
          text("comment", "time plus sst_dtime gives seconds after 00:00:00 UTC January 1, 1981")},
         {num("valid_min", NC_INT, {-2147483645}), num("valid_max", NC_INT, {2147483645})},
         false});
    packed_byte("dt_analysis",
                {text("long_name", "deviation from last SST analysis"), text("units", "kelvin"),
                 text("comment", "The difference between this SST and the previous day's SST"),
                 text("source", "$analysis")});
    packed_byte(
        "wind_speed",
        {text("long_name", "wind speed"), text("units", "m s-1"),
         text("comment", "Typically represent surface winds (10 meters above the sea surface)"),
         text("standard_name", "wind_speed"), text("source", "$wind"), text("height", "10m")});
    packed_byte(
        "wind_speed_dtime_from_sst",
        {text("long_name", "time difference of wind speed measurement from sst measurement"),
         text("units", "hour"),
         text("comment", "The hours between the wind speed measurement and the SST observation"),
         text("source", "$wind")});
    packed_byte("sea_ice_fraction",
                {text("long_name", "sea ice fraction"), text("units", "1"),
                 text("comment",
                      "Fractional sea ice cover (Unitless). For spatial resolution refer to the "
                      "source."),
                 text("standard_name", "sea_ice_area_fraction"), text("source", "$ice")},
                true);
    packed_byte(
        "sea_ice_fraction_dtime_from_sst",
        {text("long_name", "time difference of sea ice fraction measurement from sst measurement"),
         text("units", "hour"),
         text("comment",
              "The time difference in hours is estimated from the SST and sea ice data sets"),
         text("source", "$ice")},
        true);
    packed_byte(
        "satellite_zenith_angle",
        {text("long_name", "satellite zenith angle"), text("units", "angular_degree"),
         text("comment", "The satellite zenith angle at the time of the SST observations")});
    v.push_back(
        {"l2p_flags",
         NC_SHORT,
         -32768,
         Packing::kNone,
         {text("long_name", "L2P flags"), num("valid_min", NC_SHORT, {0}),
          num("valid_max", NC_SHORT, {32767}), text("coordinates", kCoordinates),
          text(
              "comment",
              "These flags are important to properly use the data.  Data not flagged as microwave "
              "are sourced from an infrared sensor. The lake and river flags are currently not "
              "set, but defined in GDS2.0r4. The aerosol flag indicates high aerosol "
              "concentration. The analysis flag indicates high difference from analysis "
              "temperatures (differences greater than Analysis Limit). The lowwind flag indicates "
              "regions of low wind speed (typically less than the low Wind Limit) per NWP model. "
              "The highwind flag indicates regions of high wind speed (typically greater than the "
              "high Wind Limit) per NWP model. See wind limits in the comment field for the actual "
              "values. The edge flag indicates pixel sizes that are larger than Pixel Spread times "
              "the size of the pixel in the center of the field of view in either lat or lon "
              "direction. The terminator flag indicates that the sun is near the horizon. The "
              "reflector flag indicates that the satellite would receive direct reflected sunlight "
              "if the earth was a perfect mirror. The swath flag is used in gridded files to "
              "indicate if the pixel could have been seen by the satellite. delta_dn indicates "
              "that the day.night sst algorithm was different from the standard algorithm. Other "
              "flags may be populated and are for internal use and the definitions may change, so "
              "should not be relied on. Flags greater than 64 only apply to non-land pixels"),
          num("flag_masks", NC_SHORT,
              {1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096, 8192, 16384}),
          text("flag_meanings",
               "microwave land ice lake river reserved aerosol analysis lowwind highwind edge "
               "terminator reflector swath delta_dn")},
         {},
         false});
    v.push_back(
        {"quality_level",
         NC_BYTE,
         -128,
         Packing::kNone,
         {text("long_name", "quality level of SST pixel"), num("valid_min", NC_BYTE, {0}),
          num("valid_max", NC_BYTE, {5}), text("coordinates", kCoordinates),
          text("comment",
               "These are the overall quality indicators and are used for all GHRSST SSTs. In this "
               "case they are a function of distance to cloud, satellite zenith angle, and "
               "day/night"),
          text("flag_meanings",
               "no_data bad_data worst_quality low_quality acceptable_quality best_quality"),
          num("flag_values", NC_BYTE, {0, 1, 2, 3, 4, 5})},
         {},
         false});
    packed_byte(
        "sses_bias",
        {text("long_name", "SSES bias estimate"), text("units", "kelvin"),
         text("comment", std::string("Bias estimate derived from L2P bias per ") + kSsesUrl)});
    packed_byte(
        "sses_standard_deviation",
        {text("long_name", "SSES standard deviation estimate"), text("units", "kelvin"),
         text("comment", std::string("Standard deviation estimate derived from L2P standard "
                                     "deviation per ") +
                             kSsesUrl)});
    packed_byte(
        "sses_count",
        {text("long_name", "SSES count"), text("units", "count"),
         text("comment", "Weighted representative number of swath pixels. EXPERIMENTAL_FIELD")});
    return v;
  }();
  return vars;
}

const VarSpec* find_variable(const std::string& name) {
  for (const auto& v : product_variables()) {
    if (v.name == name) return &v;
  }
  return nullptr;
}

Era era_for_year(int year) {
  Era e;
  e.time_units = "seconds since 1981-01-01 00:00:00";
  e.sensor = "AVHRR";
  if (year < 2008) {
    e.name = "early (to 2007): ERA-Interim winds, OI analysis, 1-degree ice";
    e.wind_source = "ECMWF_interim_reanalysis";
    e.analysis_source = "NCDC-L4LRblend-GLOB-AVHRR_OI";
    e.ice_source = "SSMI-NCEP-Analysis-ICE-1deg";
    e.platform = year < 1995 ? "NOAA-11" : (year < 2001 ? "NOAA-14" : "NOAA-17");
    return e;
  }
  e.wind_source = "ACCESSG-ABOM-Forecast-WSP";
  e.analysis_source = "ABOM-L4LRfnd-GLOB-GAMSSA_28km";
  e.ice_source = "SSMI-NCEP-Analysis-ICE-5min";
  e.platform = "NOAA-19;NOAA-18";
  if (year < 2020) {
    e.name = "middle (2008-2019): all 13 variables";
    e.alt_chunks = year == 2016;
    if (e.alt_chunks) e.name = "2016: all 13 variables, quarter-grid chunks";
    return e;
  }
  e.name = "recent (2020 on): no sea ice variables, short time units";
  e.sea_ice = false;
  e.time_units = "seconds since 1981-01-01";
  e.platform = "NOAA-18";
  e.sensor = "VIIRS,AVHRR";
  return e;
}

std::array<size_t, 3> chunk_shape(const VarSpec& var, const Era& era, size_t nlat, size_t nlon) {
  auto ceil_div = [](size_t a, size_t b) { return (a + b - 1) / b; };
  if (era.alt_chunks) return {1, ceil_div(nlat, 4), ceil_div(nlon, 4)};
  // netCDF-C's default chunking of the real files: 1500x2000 for 2- and 4-byte
  // types, 2250x3000 for bytes at full grid.
  if (var.type == NC_BYTE) return {1, ceil_div(nlat, 2), ceil_div(nlon, 2)};
  return {1, ceil_div(nlat, 3), ceil_div(nlon, 3)};
}

std::string relative_path(int64_t day) {
  const std::string ymd = format_yyyymmdd(day * 86400);
  return ymd.substr(0, 4) + "/" + ymd + "152000-ABOM-L3S_GHRSST-SSTskin-AVHRR_D-1d_night.nc";
}

int32_t time_value(int64_t day) {
  const int64_t epoch1981 = days_from_civil({1981, 1, 1});
  return static_cast<int32_t>((day - epoch1981) * 86400 + 15 * 3600 + 20 * 60);
}

bool is_missing_day(uint64_t seed, int64_t day) {
  return mix64(seed * 0x9E3779B97F4A7C15ull ^ mix64(static_cast<uint64_t>(day) + 0x5D1)) % 1000 <
         25;
}

std::vector<Attr> global_attributes(int64_t day, const Era& era, uint64_t seed, int decimate) {
  const std::string ymd = format_yyyymmdd(day * 86400);
  const std::string prev = format_yyyymmdd((day - 1) * 86400);
  const std::string created = format_yyyymmdd((day + 3) * 86400);
  const uint64_t h = mix64(seed ^ mix64(static_cast<uint64_t>(day)));
  const uint64_t h2 = mix64(h);
  char uuid[40];
  std::snprintf(uuid, sizeof uuid, "%08x-%04x-4%03x-%04x-%012llx", static_cast<unsigned>(h >> 32),
                static_cast<unsigned>(h >> 16) & 0xffff, static_cast<unsigned>(h) & 0xfff,
                0x8000u | (static_cast<unsigned>(h2 >> 48) & 0x3fff),
                static_cast<unsigned long long>(h2 & 0xffffffffffffull));
  const std::string source =
      "wind_source=" + era.wind_source + ",analysis_source=" + era.analysis_source +
      ",adi_source=unknown,ice_source=" + era.ice_source + ",l3_source=AVHRR18_D-ABOM-L3C-v01.0";
  const float res = static_cast<float>(0.02 * decimate);
  return {
      text("title",
           "IMOS L3S Nighttime gridded multiple-sensor multiple-swath Australian region skin SST"),
      text("summary",
           "Skin SST retrievals produced from stitching together High Resolution Picture "
           "Transmission direct broadcast data from a NOAA polar-orbiting satellite received at "
           "Australian receiving stations."),
      text("references",
           "http://imos.org.au/sstproducts.html and Griffin et al. (2017) at "
           "http://imos.org.au/facilities/srs/sstproducts/sstdata0/sstdata-references"),
      text("institution", "ABOM"),
      text(
          "comment",
          "HRPT AVHRR experimental L3 retrieval produced by the Australian Bureau of Meteorology "
          "as a contribution to the Integrated Marine Observing System. SSTs were calibrated to "
          "drifting buoy depths (~20-30cm) followed by a cool skin correction of -0.17K to convert "
          "to a skin (~10 micron) SST. SSTs are a weighted average of the SSTs of contributing "
          "pixels (weighted by sses_standard_deviation^-2).\nWARNING: some applications are "
          "unable to properly handle signed byte values.  If byte values >127 are encountered, "
          "subtract 256 from this reported value. GRID:CONTINENTAL, SYSCODE:PRODUCTION"),
      text("license", "GHRSST protocol describes data use as free and open"),
      text("id", "AVHRR_D-ABOM-L3S-v01.0"),
      text("naming_authority", "org.ghrsst"),
      text("product_version", "01.0"),
      text("uuid", uuid),
      text("gds_version_id", "2.0r4"),
      text("netcdf_version_id", "4.3.3.1"),
      text("date_created", created + "T020008Z"),
      num("file_quality_level", NC_INT, {3}),
      text("spatial_resolution", decimate == 1
                                     ? std::string("0.02 deg")
                                     : std::to_string(0.02 * decimate).substr(0, 4) + " deg"),
      text("start_time", ymd + "T115114Z"),
      text("time_coverage_start", ymd + "T115114Z"),
      text("stop_time", ymd + "T152529Z"),
      text("time_coverage_end", ymd + "T152529Z"),
      // Outermost pixel centres, in the real files' conventions (east as -170.01).
      num("northernmost_latitude", NC_FLOAT, {(2000.0 - decimate) / 100.0}),
      num("southernmost_latitude", NC_FLOAT, {(-7000.0 + decimate) / 100.0}),
      num("easternmost_longitude", NC_FLOAT, {(19000.0 - decimate) / 100.0 - 360.0}),
      num("westernmost_longitude", NC_FLOAT, {(7000.0 + decimate) / 100.0}),
      text("source", source),
      text("platform", era.platform),
      text("sensor", era.sensor),
      text("Metadata_Conventions", "Unidata Dataset Discovery v1.0"),
      text("Metadata_Link", "TBA"),
      text("keywords", "Oceans > Ocean Temperature > Sea Surface Temperature"),
      text("keywords_vocabulary", "NASA Global Change Master Directory (GCMD) Science Keywords"),
      text("standard_name_vocabulary", "NetCDF Climate and Forecast (CF) Metadata Convention"),
      text("geospatial_lat_units", "degrees_north"),
      text("geospatial_lon_units", "degrees_east"),
      num("geospatial_lat_resolution", NC_FLOAT, {res}),
      num("geospatial_lon_resolution", NC_FLOAT, {res}),
      text("creator_name", "Australian Bureau of Meteorology"),
      text("creator_email", "ghrsst@bom.gov.au"),
      text("project", "Group for High Resolution Sea Surface Temperature"),
      text("publisher_name", "The GHRSST Project Office"),
      text("publisher_email", "gpa@ghrsst.org"),
      text("publisher_url", "http://www.ghrsst.org"),
      text("processing_level", "L3S"),
      text("cdm_data_type", "grid"),
      text("history",
           "platform=" + era.platform + ",quality_source=archive,ice_source=" + era.ice_source +
               ",wind_source=" + era.wind_source + ",analysis_source=" + era.analysis_source +
               ",source_file=" + ymd +
               "152000-ABOM-L3C_GHRSST-SSTskin-AVHRR18_D-1d_night-v02.0-fv01.0.nc,ice_file=" +
               prev + ".ice_data.5min.nc,merge_tool=mergeL3U,quality=archive"),
      text("Conventions", "CF-1.6"),
      text("creator_url", "http://www.imos.org.au/srs.html"),
      text("acknowledgment",
           "Any use of these data requires the following acknowledgment:HRPT AVHRR SSTskin "
           "retrievals were produced by the Australian Bureau of Meteorology as a contribution to "
           "the Integrated Marine Observing System - an initiative of the Australian Government "
           "being conducted as part of the National Collaborative Research Infrastructure Strategy "
           "and the Super Science Initiative. The imagery data were acquired from NOAA spacecraft "
           "by the Bureau, Australian Institute of Marine Science, Australian Commonwealth "
           "Scientific and Industrial Research Organization, Geoscience Australia, and Western "
           "Australian Satellite Technology and Applications Consortium."),
      text("pixeldrill_synthetic",
           "SYNTHETIC DATA made by pixeldrill synth (seed " + std::to_string(seed) + ", decimate " +
               std::to_string(decimate) + ", era: " + era.name +
               "); layout and metadata mimic the real product, values are not observations"),
  };
}

}  // namespace pixeldrill::synth
