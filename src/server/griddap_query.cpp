#include "server/griddap_query.h"

#include <charconv>
#include <cmath>

#include "core/civil_time.h"
#include "core/error.h"
#include "output/format_number.h"

namespace pixeldrill::server {
namespace {

Error query_error(const std::string& message) { return BadRequest("Query error: " + message); }

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool parse_int(std::string_view s, int64_t* out) {
  if (s.empty()) return false;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return ec == std::errc() && ptr == s.data() + s.size();
}

bool parse_double(std::string_view s, double* out) {
  if (s.empty()) return false;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return ec == std::errc() && ptr == s.data() + s.size() && std::isfinite(*out);
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  return s;
}

// `last`, `last-N`, `last+N` (ERDDAP allows both signs; + beyond the end is
// an error later).
bool parse_last(std::string_view s, double* offset) {
  if (s.substr(0, 4) != "last") return false;
  s.remove_prefix(4);
  s = trim(s);
  if (s.empty()) {
    *offset = 0;
    return true;
  }
  const char sign = s.front();
  if (sign != '-' && sign != '+') return false;
  double n = 0;
  if (!parse_double(trim(s.substr(1)), &n)) return false;
  *offset = sign == '-' ? n : -n;
  return true;
}

AxisBound parse_bound(std::string_view text, const std::string& constraint) {
  AxisBound b;
  text = trim(text);
  b.text = std::string(text);
  if (text.size() >= 2 && text.front() == '(' && text.back() == ')') {
    b.in_parentheses = true;
    const std::string_view inner = trim(text.substr(1, text.size() - 2));
    if (parse_last(inner, &b.last_offset)) {
      b.kind = AxisBound::Kind::kLast;
    } else if (parse_double(inner, &b.value)) {
      b.kind = AxisBound::Kind::kValue;
    } else {
      b.kind = AxisBound::Kind::kValue;
      b.is_time_text = true;
      try {
        b.value = static_cast<double>(parse_iso8601(inner, "time"));
      } catch (const Error&) {
        throw query_error("Constraint=\"" + constraint + "\": \"" + std::string(inner) +
                          "\" is not a number, an ISO 8601 time or last[-N].");
      }
    }
    return b;
  }
  if (parse_last(text, &b.last_offset)) {
    if (b.last_offset != std::floor(b.last_offset)) {
      throw query_error("Constraint=\"" + constraint + "\": index " + b.text +
                        " must be an integer.");
    }
    b.kind = AxisBound::Kind::kLast;
    return b;
  }
  if (!parse_int(text, &b.index) || b.index < 0) {
    throw query_error("Constraint=\"" + constraint + "\": \"" + b.text +
                      "\" is not a valid index (use an integer >= 0, last, last-N or a value "
                      "in parentheses).");
  }
  return b;
}

AxisConstraint parse_constraint(std::string_view inside, const std::string& whole) {
  // Split on ':' outside parentheses (ISO times contain ':').
  std::vector<std::string_view> parts;
  int depth = 0;
  size_t start = 0;
  for (size_t i = 0; i <= inside.size(); ++i) {
    if (i == inside.size() || (inside[i] == ':' && depth == 0)) {
      parts.push_back(inside.substr(start, i - start));
      start = i + 1;
    } else if (inside[i] == '(') {
      ++depth;
    } else if (inside[i] == ')') {
      --depth;
    }
  }
  if (depth != 0) throw query_error("Constraint=\"" + whole + "\": unbalanced parentheses.");
  AxisConstraint c;
  c.text = whole;
  if (parts.size() > 3 || trim(parts[0]).empty()) {
    throw query_error("Constraint=\"" + whole + "\" is not [start], [start:stop] or " +
                      "[start:stride:stop].");
  }
  c.start = parse_bound(parts[0], whole);
  c.stop = parts.size() == 1 ? c.start : parse_bound(parts.back(), whole);
  if (parts.size() == 3) {
    if (!parse_int(trim(parts[1]), &c.stride) || c.stride < 1) {
      throw query_error("Constraint=\"" + whole + "\": stride=" + std::string(trim(parts[1])) +
                        " must be an integer >= 1.");
    }
  }
  return c;
}

bool valid_name_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

GriddapVariable parse_variable(std::string_view item) {
  GriddapVariable v;
  size_t i = 0;
  while (i < item.size() && valid_name_char(item[i])) ++i;
  v.name = std::string(item.substr(0, i));
  if (v.name.empty()) {
    throw query_error("\"" + std::string(item) + "\" does not start with a variable name.");
  }
  while (i < item.size()) {
    if (item[i] != '[') {
      throw query_error("unexpected '" + std::string(1, item[i]) + "' after variable=" + v.name +
                        " (expected '[').");
    }
    const size_t close = item.find(']', i);
    if (close == std::string_view::npos) {
      throw query_error("variable=" + v.name + ": '[' without a closing ']'.");
    }
    const std::string whole(item.substr(i, close - i + 1));
    v.axes.push_back(parse_constraint(item.substr(i + 1, close - i - 1), whole));
    i = close + 1;
  }
  return v;
}

}  // namespace

std::string percent_decode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%') {
      const int hi = i + 1 < text.size() ? hex_digit(text[i + 1]) : -1;
      const int lo = i + 2 < text.size() ? hex_digit(text[i + 2]) : -1;
      if (hi < 0 || lo < 0) {
        throw query_error("bad percent-encoding at \"" + std::string(text.substr(i, 3)) + "\".");
      }
      out += static_cast<char>(hi * 16 + lo);
      i += 2;
    } else {
      out += text[i];
    }
  }
  return out;
}

GriddapRequest parse_griddap_query(std::string_view query) {
  const std::string text = percent_decode(query);
  GriddapRequest request;
  // ERDDAP ignores '&' parameters such as .draw=... in griddap data requests;
  // only the part before the first '&' lists variables.
  const std::string_view list = std::string_view(text).substr(0, text.find('&'));
  if (trim(list).empty()) return request;
  size_t start = 0;
  int depth = 0;
  for (size_t i = 0; i <= list.size(); ++i) {
    if (i < list.size() && list[i] == '[') ++depth;
    if (i < list.size() && list[i] == ']') --depth;
    if (i == list.size() || (list[i] == ',' && depth == 0)) {
      const std::string_view item = trim(list.substr(start, i - start));
      if (item.empty()) throw query_error("empty variable name in \"" + std::string(list) + "\".");
      request.variables.push_back(parse_variable(item));
      start = i + 1;
    }
  }
  return request;
}

namespace {

struct AxisView {
  const char* name;
  const std::vector<double>* values;
  bool time = false;
  const catalog::Axis* axis = nullptr;  // lat/lon: nearest-pixel rule shared with drill
};

size_t nearest_index(const AxisView& a, double target, const AxisConstraint& c,
                     const std::string& var, int axis_number) {
  const auto& v = *a.values;
  auto fail = [&](const std::string& why) {
    return query_error("For variable=" + var + " axis#" + std::to_string(axis_number) + "=" +
                       a.name + " Constraint=\"" + c.text + "\": " + why);
  };
  if (a.axis) {
    const auto i = a.axis->nearest(target);
    if (!i) {
      throw fail("value " + output::format_value(target) + " is outside the axis range " +
                 output::format_coordinate(a.axis->min()) + " to " +
                 output::format_coordinate(a.axis->max()) + ".");
    }
    return *i;
  }
  // Time: ascending; nearest with half a spacing of tolerance at the ends.
  const double half_lo = v.size() > 1 ? (v[1] - v[0]) / 2 : 0;
  const double half_hi = v.size() > 1 ? (v[v.size() - 1] - v[v.size() - 2]) / 2 : 0;
  if (target < v.front() - half_lo || target > v.back() + half_hi) {
    throw fail(format_iso8601(static_cast<int64_t>(std::llround(target))) +
               " is outside the time range " + format_iso8601(static_cast<int64_t>(v.front())) +
               " to " + format_iso8601(static_cast<int64_t>(v.back())) + ".");
  }
  size_t hi = std::lower_bound(v.begin(), v.end(), target) - v.begin();
  if (hi == 0) return 0;
  if (hi == v.size()) return v.size() - 1;
  return target - v[hi - 1] <= v[hi] - target ? hi - 1 : hi;
}

size_t bound_index(const AxisView& a, const AxisBound& b, const AxisConstraint& c,
                   const std::string& var, int axis_number) {
  const size_t n = a.values->size();
  auto fail = [&](const std::string& why) {
    return query_error("For variable=" + var + " axis#" + std::to_string(axis_number) + "=" +
                       a.name + " Constraint=\"" + c.text + "\": " + why);
  };
  if (b.kind == AxisBound::Kind::kIndex) {
    if (static_cast<uint64_t>(b.index) >= n) {
      throw fail("index=" + std::to_string(b.index) +
                 " is greater than the last index=" + std::to_string(n - 1) + ".");
    }
    return static_cast<size_t>(b.index);
  }
  if (b.kind == AxisBound::Kind::kLast && !b.in_parentheses) {
    const double i = static_cast<double>(n - 1) - b.last_offset;
    if (i < 0 || i > static_cast<double>(n - 1)) {
      throw fail(b.text + " is outside the index range 0.." + std::to_string(n - 1) + ".");
    }
    return static_cast<size_t>(i);
  }
  if (b.is_time_text && !a.time) throw fail("a time value is only valid for the time axis.");
  const double target = b.kind == AxisBound::Kind::kLast
                            ? (a.axis ? a.axis->values.back() : a.values->back()) - b.last_offset
                            : b.value;
  return nearest_index(a, target, c, var, axis_number);
}

AxisSelection select_axis(const AxisView& a, const AxisConstraint* c, const std::string& var,
                          int axis_number) {
  AxisSelection s;
  if (a.values->empty()) {
    throw Error(ErrorKind::kNotFound, std::string("Query error: axis ") + a.name + " is empty.");
  }
  if (!c) {
    s.last = a.values->size() - 1;
    return s;
  }
  size_t first = bound_index(a, c->start, *c, var, axis_number);
  size_t last = bound_index(a, c->stop, *c, var, axis_number);
  if (first > last) {
    // Values given low-to-high on a descending axis (as erddapy writes
    // [(min):(max)] for latitude): take the same pixels in storage order.
    const bool both_values = c->start.in_parentheses && c->stop.in_parentheses;
    if (!both_values) {
      throw query_error("For variable=" + var + " axis#" + std::to_string(axis_number) + "=" +
                        a.name + " Constraint=\"" + c->text +
                        "\": StartIndex=" + std::to_string(first) +
                        " is greater than StopIndex=" + std::to_string(last) + ".");
    }
    std::swap(first, last);
  }
  s.first = first;
  s.stride = static_cast<size_t>(c->stride);
  s.last = first + (last - first) / s.stride * s.stride;
  return s;
}

}  // namespace

ResolvedGriddap resolve_griddap(const GriddapRequest& request, const drill::DatasetInfo& info) {
  ResolvedGriddap r;
  std::vector<double> times(info.times.begin(), info.times.end());
  const AxisView axes[3] = {
      {info.time_name.c_str(), &times, true, nullptr},
      {info.grid.lat.name.c_str(), &info.grid.lat.values, false, &info.grid.lat},
      {info.grid.lon.name.c_str(), &info.grid.lon.values, false, &info.grid.lon}};
  const GriddapVariable* reference = nullptr;
  if (request.variables.empty()) {
    for (const auto& v : info.variables) r.data_variables.push_back(v.name);
  }
  for (const auto& v : request.variables) {
    bool is_axis = false;
    for (const auto& a : axes) is_axis |= v.name == a.name;
    if (is_axis) {
      if (v.axes.size() > 1) {
        throw query_error("axis variable=" + v.name + " takes at most one [constraint].");
      }
      r.axis_variables.push_back(v.name);
      continue;
    }
    if (!info.find(v.name)) {
      throw Error(ErrorKind::kNotFound, "Resource not found: Query error: variable=" + v.name +
                                            " is not in this dataset.");
    }
    if (!v.axes.empty() && v.axes.size() != 3) {
      throw query_error("For variable=" + v.name + ", the number of [constraints] (" +
                        std::to_string(v.axes.size()) + ") must be 0 or 3 (time, " +
                        info.grid.lat.name + ", " + info.grid.lon.name + ").");
    }
    if (reference) {
      bool same = reference->axes.size() == v.axes.size();
      for (size_t i = 0; same && i < v.axes.size(); ++i)
        same = reference->axes[i].text == v.axes[i].text;
      if (!same) {
        throw query_error("The constraints for variable=" + v.name +
                          " must be the same as for variable=" + reference->name + ".");
      }
    } else {
      reference = &v;
    }
    r.data_variables.push_back(v.name);
  }
  if (!r.data_variables.empty() && !r.axis_variables.empty()) {
    throw query_error("request either data variables or axis variables, not both.");
  }
  const std::string var_name = reference ? reference->name : "";
  AxisSelection* out[3] = {&r.time, &r.lat, &r.lon};
  for (int i = 0; i < 3; ++i) {
    const AxisConstraint* c = nullptr;
    if (reference && !reference->axes.empty()) c = &reference->axes[i];
    // Axis-only requests: each axis variable carries its own constraint.
    for (const auto& v : request.variables) {
      if (v.name == axes[i].name && !v.axes.empty()) c = &v.axes[0];
    }
    *out[i] = select_axis(axes[i], c, reference ? var_name : axes[i].name, i);
  }
  return r;
}

}  // namespace pixeldrill::server
