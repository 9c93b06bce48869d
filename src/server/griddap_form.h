#pragma once
// /erddap/griddap/ID.html: ERDDAP's Data Access Form. Start, stride and stop
// per dimension, the variables, the file type; the page composes the griddap
// URL (shown, and opened on Submit) exactly as a script would write it.
#include <string>

#include "drill/dataset.h"
#include "server/server_config.h"

namespace pixeldrill::server {

// The default request (last time step, every axis strided to <= 100 values)
// is written into the page so it works, and can be checked, without script.
std::string default_griddap_query(const drill::DatasetInfo& info);
std::string render_griddap_form(const drill::DatasetInfo& info, const DatasetConfig& dataset);

}  // namespace pixeldrill::server
