#pragma once
// ERDDAP's griddap response file types for a fetched table, and the
// dataset-level documents (.das, .dds, info tables, dataset list).
#include <string>
#include <vector>

#include "drill/dataset.h"
#include "server/griddap_table.h"

namespace pixeldrill::server {

struct Body {
  std::string content_type;
  std::string text;
};

// ext without the dot: csv, csvp, csv0, tsv, tsvp, tsv0, json, htmlTable, nc.
// Returns false when ext is not a table type this server writes.
bool render_griddap(const GriddapTable& table, const std::string& ext, Body* out);
bool is_griddap_table_type(const std::string& ext);
// Text safe inside HTML elements and double-quoted attributes.
std::string html_escape(const std::string& s);

std::string render_das(const drill::DatasetInfo& info, const std::string& title);
std::string render_dds(const drill::DatasetInfo& info, const std::string& id);

// ERDDAP's table JSON: {"table": {"columnNames", "columnTypes", "columnUnits", "rows"}}.
nlohmann::json erddap_table_json(const std::vector<std::string>& names,
                                 const std::vector<std::string>& types,
                                 const std::vector<std::string>& units, const nlohmann::json& rows);
// The same table as CSV with a names row (ERDDAP's info/index.csv layout).
std::string table_json_to_csv(const nlohmann::json& table);

// /erddap/info/ID/index.json rows: Row Type, Variable Name, Attribute Name, Data Type, Value.
nlohmann::json info_table(const drill::DatasetInfo& info, const nlohmann::json& global_overrides);

}  // namespace pixeldrill::server
