#pragma once
// What type a griddap client is told a variable has. The server sends values
// as the drill decodes them, so a packed variable (scale_factor/add_offset)
// is a double whatever it is stored as, and its attributes are given in
// decoded units, as ERDDAP does for the variables it unpacks.
#include <nlohmann/json.hpp>
#include <string>

#include "drill/dataset.h"

namespace pixeldrill::server {

// ERDDAP's name: byte, short, int, long, float or double.
std::string erddap_type(const drill::DatasetVariable& v);
// The DAP2 name of an ERDDAP type (.dds, .das): Byte, Int16, Int32, Float32, Float64.
std::string dap_type(const std::string& erddap_type);
bool is_integer_type(const std::string& erddap_type);

// The variable's attributes as served: missing values are sent as NaN, so
// no stored fill value is listed (a float variable gets _FillValue NaN); a
// packed variable loses its packing attributes and its ranges are decoded.
nlohmann::json served_attributes(const drill::DatasetVariable& v);

// Whether an attribute holds values of the variable itself (so it takes the
// variable's served type in a .das).
bool is_data_valued_attribute(const std::string& name);

}  // namespace pixeldrill::server
