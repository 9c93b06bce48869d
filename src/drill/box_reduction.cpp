#include "drill/box_reduction.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <sstream>

namespace pixeldrill::drill {
namespace {

using Kind = ReducedColumn::Kind;

// The numbers of a flag attribute (one number or an array of them).
std::vector<int64_t> flag_numbers(const nlohmann::json& attributes, const char* key) {
  std::vector<int64_t> out;
  const auto it = attributes.find(key);
  if (it == attributes.end()) return out;
  if (it->is_number()) out.push_back(static_cast<int64_t>(it->get<double>()));
  if (it->is_array()) {
    for (const auto& x : *it) {
      if (x.is_number()) out.push_back(static_cast<int64_t>(x.get<double>()));
    }
  }
  return out;
}

std::vector<std::string> meanings(const nlohmann::json& attributes, size_t n) {
  std::vector<std::string> out;
  const auto it = attributes.find("flag_meanings");
  if (it != attributes.end() && it->is_string()) {
    std::istringstream words(it->get<std::string>());
    for (std::string w; words >> w;) out.push_back(w);
  }
  if (out.size() != n) out.clear();
  return out;
}

}  // namespace

std::vector<ReducedColumn> plan_reduction(const std::vector<Column>& columns, Reduce reduce) {
  std::vector<ReducedColumn> plan;
  for (size_t v = 0; v < columns.size(); ++v) {
    if (reduce == Reduce::kCount) {
      plan.push_back({v, Kind::kCount, 0, ""});
      continue;
    }
    const auto masks = flag_numbers(columns[v].attributes, "flag_masks");
    const auto values = flag_numbers(columns[v].attributes, "flag_values");
    if (!masks.empty()) {
      const auto names = meanings(columns[v].attributes, masks.size());
      plan.push_back({v, Kind::kCount, 0, ""});
      for (size_t i = 0; i < masks.size(); ++i) {
        plan.push_back({v, Kind::kFlagMask, masks[i], names.empty() ? "" : names[i]});
      }
    } else if (!values.empty() && reduce == Reduce::kMean) {
      const auto names = meanings(columns[v].attributes, values.size());
      plan.push_back({v, Kind::kCount, 0, ""});
      for (size_t i = 0; i < values.size(); ++i) {
        plan.push_back({v, Kind::kFlagValue, values[i], names.empty() ? "" : names[i]});
      }
    } else {
      plan.push_back({v, Kind::kStat, 0, ""});
      plan.push_back({v, Kind::kCount, 0, ""});
    }
  }
  return plan;
}

RowValues reduce_box(const std::vector<ReducedColumn>& plan, Reduce reduce,
                     const std::vector<std::vector<double>>& decoded) {
  RowValues out;
  out.reserve(plan.size());
  for (const auto& c : plan) {
    double sum = 0, lo = std::numeric_limits<double>::infinity(), hi = -lo;
    size_t count = 0, matching = 0;
    for (double x : decoded[c.var]) {
      if (std::isnan(x)) continue;
      sum += x;
      lo = std::min(lo, x);
      hi = std::max(hi, x);
      ++count;
      const auto whole = static_cast<int64_t>(x);
      if (c.kind == Kind::kFlagValue && x == static_cast<double>(c.flag)) ++matching;
      if (c.kind == Kind::kFlagMask && (whole & c.flag) == c.flag) ++matching;
    }
    double value = Series::kMissing;
    switch (c.kind) {
      case Kind::kCount:
        value = static_cast<double>(count);
        break;
      case Kind::kFlagValue:
      case Kind::kFlagMask:
        value = static_cast<double>(matching);
        break;
      case Kind::kStat:
        if (count == 0) break;
        value = reduce == Reduce::kMean  ? sum / static_cast<double>(count)
                : reduce == Reduce::kMin ? lo
                                         : hi;
        break;
    }
    out.push_back(value);
  }
  return out;
}

std::vector<Column> reduced_columns(const std::vector<ReducedColumn>& plan, Reduce reduce,
                                    const std::vector<Column>& columns,
                                    std::map<std::string, std::string>& cell_methods) {
  std::vector<Column> out;
  for (const auto& c : plan) {
    const Column& base = columns[c.var];
    Column col = base;
    const std::string what = base.long_name.empty() ? base.name : base.long_name;
    if (c.kind == Kind::kStat) {
      cell_methods[col.name] = std::string("lat: lon: ") + reduce_name(reduce);
      // A mean is no category: its flag definitions no longer hold.
      if (reduce == Reduce::kMean) col.attributes = nlohmann::json::object();
      out.push_back(std::move(col));
      continue;
    }
    col.attributes = nlohmann::json::object();
    col.digits = Digits::kInteger;
    col.units = "1";
    col.standard_name.clear();
    if (c.kind == Kind::kCount) {
      // --reduce count keeps the variable's own name, as before.
      if (reduce != Reduce::kCount) col.name = base.name + "_count";
      col.long_name = "number of valid " + base.name + " pixels in the box";
    } else if (c.kind == Kind::kFlagValue) {
      col.name = base.name + "_count_" + std::to_string(c.flag);
      col.long_name = "number of box pixels with " + base.name + " = " + std::to_string(c.flag) +
                      (c.meaning.empty() ? "" : " (" + c.meaning + ")");
    } else {
      col.name = base.name + "_count_" + (c.meaning.empty() ? std::to_string(c.flag) : c.meaning);
      col.long_name = "number of box pixels with the " +
                      (c.meaning.empty() ? std::string("") : c.meaning + " ") + "flag (" +
                      std::to_string(c.flag) + ") of " + what + " set";
    }
    out.push_back(std::move(col));
  }
  return out;
}

}  // namespace pixeldrill::drill
