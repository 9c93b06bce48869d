#include "server/griddap_form.h"

#include <algorithm>

#include "core/civil_time.h"
#include "output/format_number.h"
#include "server/griddap_formats.h"

namespace pixeldrill::server {
namespace {

struct FormDimension {
  std::string name, units, start, stop, first, last;
  size_t size = 0, stride = 1;
};

// Strides that keep the default request small, as ERDDAP's form does.
size_t default_stride(size_t n) { return std::max<size_t>(1, (n + 99) / 100); }

std::vector<FormDimension> form_dimensions(const drill::DatasetInfo& info) {
  std::vector<FormDimension> dims;
  const auto& t = info.times;
  dims.push_back({info.time_name, "UTC", format_iso8601(t.back()), format_iso8601(t.back()),
                  format_iso8601(t.front()), format_iso8601(t.back()), t.size(), 1});
  for (const catalog::Axis* a : {&info.grid.lat, &info.grid.lon}) {
    const std::string first = output::format_coordinate(a->values.front());
    const std::string last = output::format_coordinate(a->values.back());
    dims.push_back(
        {a->name, a->units, first, last, first, last, a->size(), default_stride(a->size())});
  }
  return dims;
}

std::string constraint(const FormDimension& d) {
  return "[(" + d.start + "):" + std::to_string(d.stride) + ":(" + d.stop + ")]";
}

}  // namespace

std::string default_griddap_query(const drill::DatasetInfo& info) {
  if (info.variables.empty() || info.times.empty()) return "";
  std::string q = info.variables.front().name;
  for (const auto& d : form_dimensions(info)) q += constraint(d);
  return q;
}

std::string render_griddap_form(const drill::DatasetInfo& info, const DatasetConfig& dataset) {
  const std::string id = html_escape(dataset.id);
  const std::string title = html_escape(dataset.title.empty() ? dataset.id : dataset.title);
  std::string h = "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"UTF-8\">\n<title>" +
                  title +
                  " - Data Access Form</title>\n<style>body{font-family:sans-serif;margin:1.5em}"
                  "table{border-collapse:collapse}td,th{padding:.2em .6em;text-align:left}"
                  "input[type=text]{font-family:monospace}#url{width:100%}</style></head>\n<body>\n"
                  "<h1>" +
                  title + " <small>(" + id + ")</small></h1>\n";
  if (!dataset.summary.empty()) h += "<p>" + html_escape(dataset.summary) + "</p>\n";
  if (!dataset.license.empty()) h += "<p>License: " + html_escape(dataset.license) + "</p>\n";
  h += "<p><a href=\"/erddap/info/" + id + "/index.json\">Metadata</a> &middot; <a href=\"" + id +
       ".das\">.das</a> &middot; <a href=\"" + id +
       ".dds\">.dds</a> &middot; <a href=\"/?dataset=" + id + "\">Map and chart</a></p>\n";
  h += "<form id=\"form\">\n<h2>Dimensions</h2>\n<table>\n<tr><th>Dimension<th>Start<th>Stride"
       "<th>Stop<th>Size<th>Range</tr>\n";
  for (const auto& d : form_dimensions(info)) {
    const std::string n = html_escape(d.name);
    h += "<tr class=\"dim\" data-name=\"" + n + "\"><td>" + n + " (" + html_escape(d.units) +
         ")<td><input type=\"text\" name=\"" + n + "_start\" value=\"" + html_escape(d.start) +
         "\"><td><input type=\"text\" size=\"4\" name=\"" + n + "_stride\" value=\"" +
         std::to_string(d.stride) + "\"><td><input type=\"text\" name=\"" + n + "_stop\" value=\"" +
         html_escape(d.stop) + "\"><td>" + std::to_string(d.size) + "<td>" + html_escape(d.first) +
         " to " + html_escape(d.last) + "</tr>\n";
  }
  h += "</table>\n<h2>Grid variables</h2>\n";
  bool first = true;
  for (const auto& v : info.variables) {
    const std::string n = html_escape(v.name);
    h += "<label><input type=\"checkbox\" name=\"var\" value=\"" + n + "\"" +
         (first ? " checked" : "") + "> " + n +
         (v.column.units.empty() ? "" : " (" + html_escape(v.column.units) + ")") +
         (v.column.long_name.empty() ? "" : ": " + html_escape(v.column.long_name)) +
         "</label><br>\n";
    first = false;
  }
  h += "<h2>File type</h2>\n<select name=\"fileType\">\n";
  for (const char* e : {"htmlTable", "csv", "csvp", "csv0", "tsv", "json", "nc", "das", "dds"}) {
    h += std::string("<option value=\"") + e + "\"" +
         (std::string(e) == "htmlTable" ? " selected" : "") + ">." + e + "</option>\n";
  }
  const std::string query = default_griddap_query(info);
  h += "</select>\n<h2>Request URL</h2>\n<input type=\"text\" id=\"url\" readonly value=\"" +
       html_escape(id + ".htmlTable?" + query) +
       "\">\n<p><button type=\"button\" id=\"generate\">Just generate the URL</button> "
       "<button type=\"submit\">Submit</button></p>\n</form>\n";
  // The URL is relative to this page (/erddap/griddap/), as ERDDAP's own form builds it.
  h += "<script>\nconst form = document.getElementById('form');\n"
       "function griddapUrl() {\n"
       "  let dims = '';\n"
       "  for (const row of document.querySelectorAll('tr.dim')) {\n"
       "    const n = row.dataset.name, f = form.elements;\n"
       "    dims += '[(' + f[n + '_start'].value.trim() + '):' + f[n + '_stride'].value.trim() +\n"
       "      ':(' + f[n + '_stop'].value.trim() + ')]';\n"
       "  }\n"
       "  const vars = [...form.querySelectorAll('input[name=var]:checked')].map(v => v.value);\n"
       "  const type = form.elements.fileType.value;\n"
       "  const q = (type === 'das' || type === 'dds') ? '' :\n"
       "    '?' + vars.map(v => encodeURIComponent(v + dims)).join(',');\n"
       "  return '" +
       id +
       ".' + type + q;\n"
       "}\n"
       "document.getElementById('generate').onclick = () => {\n"
       "  document.getElementById('url').value = griddapUrl();\n};\n"
       "form.onsubmit = e => { e.preventDefault(); location.href = griddapUrl(); };\n"
       "</script>\n</body>\n</html>\n";
  return h;
}

}  // namespace pixeldrill::server
