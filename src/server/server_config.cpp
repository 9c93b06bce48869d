#include "server/server_config.h"

#include <toml++/toml.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "core/error.h"
#include "store/converter.h"

namespace pixeldrill::server {
namespace {

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// Both formats go through JSON so one reader checks keys and types.
nlohmann::json toml_to_json(const toml::node& node) {
  if (auto* t = node.as_table()) {
    nlohmann::json out = nlohmann::json::object();
    for (const auto& [k, v] : *t) out[std::string(k.str())] = toml_to_json(v);
    return out;
  }
  if (auto* a = node.as_array()) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& v : *a) out.push_back(toml_to_json(v));
    return out;
  }
  if (auto* s = node.as_string()) return s->get();
  if (auto* i = node.as_integer()) return i->get();
  if (auto* f = node.as_floating_point()) return f->get();
  if (auto* b = node.as_boolean()) return b->get();
  return nullptr;
}

template <typename T>
void read_key(const nlohmann::json& obj, const char* key, T* out, const std::string& where) {
  if (!obj.contains(key)) return;
  try {
    *out = obj.at(key).get<T>();
  } catch (const std::exception&) {
    throw BadRequest(where + ": '" + key + "' has the wrong type");
  }
}

}  // namespace

ServerConfig load_server_config(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw Error(ErrorKind::kNotFound, "serve config " + path + ": cannot open");
  std::stringstream ss;
  ss << in.rdbuf();
  nlohmann::json doc;
  try {
    if (ends_with(path, ".json")) {
      doc = nlohmann::json::parse(ss.str());
    } else {
      doc = toml_to_json(toml::parse(ss.str(), path));
    }
  } catch (const toml::parse_error& e) {
    throw BadRequest("serve config " + path + " line " + std::to_string(e.source().begin.line) +
                     ": " + std::string(e.description()));
  } catch (const nlohmann::json::exception& e) {
    throw BadRequest("serve config " + path + ": " + e.what());
  }
  if (!doc.is_object()) throw BadRequest("serve config " + path + ": expected a table/object");
  static const std::set<std::string> known = {
      "bind",    "port",       "max_values",     "deadline_ms", "refresh_seconds",
      "threads", "max_active", "max_body_bytes", "web_dir",     "access_log",
      "dataset", "datasets",   "max_cube_size"};
  for (const auto& [k, v] : doc.items()) {
    if (!known.count(k)) throw BadRequest("serve config " + path + ": unknown key '" + k + "'");
  }
  ServerConfig c;
  const std::string where = "serve config " + path;
  read_key(doc, "bind", &c.bind, where);
  read_key(doc, "port", &c.port, where);
  read_key(doc, "max_values", &c.max_values, where);
  if (doc.contains("max_cube_size")) {
    std::string size;
    read_key(doc, "max_cube_size", &size, where);
    c.max_cube_bytes = store::parse_size(size, "serve config " + path + ": max_cube_size");
  }
  read_key(doc, "deadline_ms", &c.deadline_ms, where);
  read_key(doc, "refresh_seconds", &c.refresh_seconds, where);
  read_key(doc, "threads", &c.threads, where);
  read_key(doc, "max_active", &c.max_active, where);
  read_key(doc, "max_body_bytes", &c.max_body_bytes, where);
  read_key(doc, "web_dir", &c.web_dir, where);
  read_key(doc, "access_log", &c.access_log, where);
  // TOML: [[dataset]] tables; JSON: "datasets": [...]
  const nlohmann::json list =
      doc.contains("dataset") ? doc["dataset"] : doc.value("datasets", nlohmann::json::array());
  if (!list.is_array()) throw BadRequest(where + ": 'dataset' must be a list of tables");
  for (size_t i = 0; i < list.size(); ++i) {
    const std::string w = where + " dataset #" + std::to_string(i + 1);
    DatasetConfig d;
    read_key(list[i], "id", &d.id, w);
    read_key(list[i], "source", &d.source, w);
    read_key(list[i], "title", &d.title, w);
    read_key(list[i], "summary", &d.summary, w);
    read_key(list[i], "license", &d.license, w);
    if (d.id.empty() || d.source.empty()) throw BadRequest(w + ": needs 'id' and 'source'");
    c.datasets.push_back(std::move(d));
  }
  validate_config(c);
  return c;
}

DatasetConfig parse_dataset_option(const std::string& text) {
  const size_t eq = text.find('=');
  if (eq == std::string::npos || eq == 0 || eq + 1 == text.size()) {
    throw BadRequest("--dataset '" + text + "': expected ID=SOURCE");
  }
  DatasetConfig d;
  d.id = text.substr(0, eq);
  d.source = text.substr(eq + 1);
  d.title = d.id;
  return d;
}

void validate_config(const ServerConfig& config) {
  if (config.datasets.empty())
    throw BadRequest("serve: no datasets (give CONFIG or --dataset ID=SOURCE)");
  if (config.port < 0 || config.port > 65535)
    throw BadRequest("serve: port " + std::to_string(config.port) + " is outside 0..65535");
  if (config.threads < 1 || config.threads > 4096)
    throw BadRequest("serve: threads must be 1..4096");
  if (config.max_active < -1 || config.max_active > 4096)
    throw BadRequest("serve: max_active must be -1 (no limit), 0 (twice the cores) or 1..4096");
  if (config.deadline_ms < 1) throw BadRequest("serve: deadline_ms must be >= 1");
  std::set<std::string> ids;
  for (const auto& d : config.datasets) {
    for (char ch : d.id) {
      if (!std::isalnum(static_cast<unsigned char>(ch)) && ch != '_') {
        throw BadRequest("serve: dataset id '" + d.id + "' may hold only letters, digits and '_'");
      }
    }
    if (!ids.insert(d.id).second)
      throw BadRequest("serve: dataset id '" + d.id + "' is given twice");
    // /erddap/griddap/index.json is the list of datasets, as on ERDDAP.
    if (d.id == "index") throw BadRequest("serve: dataset id 'index' is reserved; choose another");
  }
}

}  // namespace pixeldrill::server
