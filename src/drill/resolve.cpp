#include "drill/resolve.h"

#include <algorithm>
#include <cmath>

#include "core/error.h"
#include "drill/series_builder.h"

namespace pixeldrill::drill {

std::vector<std::string> wanted_variables(const Query& query) {
  std::vector<std::string> wanted = query.vars;
  if (query.min_quality &&
      std::find(wanted.begin(), wanted.end(), kQualityVariable) == wanted.end()) {
    wanted.push_back(kQualityVariable);
  }
  return wanted;
}

std::vector<Column> resolve_columns(const DatasetInfo& info, const Query& query) {
  std::vector<Column> columns;
  std::vector<std::string> wanted = query.vars;
  if (query.min_quality) wanted.push_back(kQualityVariable);
  for (size_t i = 0; i < wanted.size(); ++i) {
    const DatasetVariable* v = info.find(wanted[i]);
    if (!v) {
      std::vector<std::string> names;
      for (const auto& d : info.variables) names.push_back(d.name);
      std::sort(names.begin(), names.end());
      std::string known;
      for (const auto& n : names) known += (known.empty() ? "" : ", ") + n;
      throw Error(ErrorKind::kNoSuchVariable,
                  (i < query.vars.size() ? "--vars " : "--min-quality needs ") + wanted[i] +
                      ": no such variable in " + info.source + " (variables: " + known + ")");
    }
    if (i >= query.vars.size()) continue;
    Column c = v->column;
    // Flag definitions hold for the drilled values too (not for reductions).
    if (v->attributes.is_object()) {
      for (const char* key : {"flag_values", "flag_meanings", "flag_masks"}) {
        if (v->attributes.contains(key)) c.attributes[key] = v->attributes[key];
      }
    }
    columns.push_back(std::move(c));
  }
  return columns;
}

std::vector<size_t> select_steps(const std::vector<int64_t>& times, const TimeRange& range) {
  std::vector<size_t> steps;
  for (size_t t = 0; t < times.size(); ++t) {
    if (range.contains(times[t])) steps.push_back(t);
  }
  return steps;
}

void throw_mixed_grids(const std::string& source, const GridMember& first,
                       const std::vector<GridMember>& others, size_t total) {
  std::string msg = source + ": files on different grids cannot be drilled together; " +
                    std::to_string(total - others.size()) + " of " + std::to_string(total) +
                    " files are on " + first.grid->describe() + " (e.g. " + first.path +
                    "), these " + std::to_string(others.size()) + " are not:";
  for (size_t i = 0; i < others.size() && i < 10; ++i) {
    msg += "\n  " + others[i].path + " (" + others[i].grid->describe() + ")";
  }
  if (others.size() > 10) msg += "\n  ... and " + std::to_string(others.size() - 10) + " more";
  msg += "\nselect one grid's files with a narrower folder, glob or --from/--to";
  throw Error(msg);
}

void reinterpret_unsigned(std::vector<double>& raw, formats::StorageType unsigned_type) {
  const double wrap = std::ldexp(1.0, static_cast<int>(formats::storage_size(unsigned_type)) * 8);
  for (double& x : raw) {
    if (x < 0) x += wrap;
  }
}

Column column_from_attributes(const std::string& name, const nlohmann::json& attributes) {
  auto text = [&](const char* key) {
    const auto it = attributes.find(key);
    return it != attributes.end() && it->is_string() ? it->get<std::string>() : std::string();
  };
  return {name, text("units"), text("long_name"), text("standard_name")};
}

}  // namespace pixeldrill::drill
