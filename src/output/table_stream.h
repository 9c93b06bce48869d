#pragma once
// The CSV, JSON and ERDDAP JSON texts of output/table_writers.h written a
// block of rows at a time (drill/block_drill.h), the same bytes as the whole
// text: the header (and a JSON document's opening up to its "data") before
// the first block, each block's rows as they come, and what only the end
// knows (problems, notes, JSON column types) after the last.
#include <string>
#include <vector>

#include "drill/series.h"
#include "output/format_number.h"
#include "output/table_writers.h"

namespace pixeldrill::output {

class TableStream {
 public:
  // format: "csv", "json" or "erddap-json"; `periods`: rows are aggregates
  // that carry a period (--aggregate).
  TableStream(std::string format, TableOptions options, bool periods, TextTarget& target);
  void begin(const drill::Series& head);
  // Rows of `block`, labelled by block.periods.
  void rows(const drill::Series& block);
  // Problems, notes and source of the whole drill; then commit() the target.
  void end(const drill::Series& summary);

 private:
  std::string format_;
  TableOptions options_;
  bool periods_;
  TextTarget& target_;
  drill::Series head_;
  std::vector<bool> has_null_;
  std::vector<ValueFormat> formats_;  // head_'s columns'
  size_t rows_written_ = 0;
};

}  // namespace pixeldrill::output
