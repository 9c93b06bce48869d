#include "output/table_stream.h"

#include "core/error.h"

namespace pixeldrill::output {
namespace {
using nlohmann::json;

// A JSON document's text before and after its rows: the document is dumped
// with a marker where the rows go (nlohmann prints "data" / "rows" empty
// as [], so the marker stands for the whole array).
std::pair<std::string, std::string> split_at_rows(json& doc, json& rows, int indent) {
  const std::string marker = "\x01pixeldrill rows\x01";
  rows = marker;
  const std::string text = doc.dump(indent);
  const std::string dumped = json(marker).dump();
  const size_t at = text.find(dumped);
  if (at == std::string::npos) throw Error(ErrorKind::kInternal, "JSON rows marker not found");
  return {text.substr(0, at), text.substr(at + dumped.size())};
}

}  // namespace

TableStream::TableStream(std::string format, TableOptions options, bool periods, TextTarget& target)
    : format_(std::move(format)), options_(options), periods_(periods), target_(target) {}

void TableStream::begin(const drill::Series& head) {
  head_ = head;  // (no rows: the drill's first pass)
  head_.rows.clear();
  has_null_.assign(head.columns.size(), false);
  formats_ = value_formats(head_, options_);
  if (format_ == "csv") {
    target_.write(csv_header(head_, periods_, options_));
  } else if (format_ == "json") {
    // "columns" comes before "data" (keys are sorted); it needs no row.
    json doc = json_document(head_, periods_, has_null_, options_);
    target_.write(split_at_rows(doc, doc["data"], 1).first);
  } else {
    json doc = erddap_document(head_, periods_, options_);
    target_.write(split_at_rows(doc, doc["table"]["rows"], -1).first);
  }
}

void TableStream::rows(const drill::Series& block) {
  std::string out;
  if (format_ == "csv") {
    append_csv_rows(out, head_, block, periods_, options_);
  } else if (format_ == "json") {
    note_nulls(has_null_, block.rows);
    // Each row as nlohmann prints an element of "data" with indent 1: at depth 2.
    for (const auto& row : block.rows) {
      out += rows_written_++ == 0 ? "[\n" : ",\n";
      const std::string text = json_row(row, head_, block.periods, formats_).dump(1);
      out += "  ";
      for (char c : text) {
        out += c;
        if (c == '\n') out += "  ";
      }
    }
  } else {
    for (const auto& row : block.rows) {
      out += rows_written_++ == 0 ? "[" : ",";
      out += erddap_row(row, head_, block.periods, periods_, formats_).dump();
    }
  }
  target_.write(out);
}

void TableStream::end(const drill::Series& summary) {
  if (format_ == "json") {
    drill::Series all = head_;
    all.problems = summary.problems;
    all.notes = summary.notes;
    all.source = summary.source;
    json doc = json_document(all, periods_, has_null_, options_);
    target_.write((rows_written_ == 0 ? "[]" : "\n ]") + split_at_rows(doc, doc["data"], 1).second +
                  "\n");
  } else if (format_ == "erddap-json") {
    json doc = erddap_document(head_, periods_, options_);
    target_.write((rows_written_ == 0 ? "[]" : "]") +
                  split_at_rows(doc, doc["table"]["rows"], -1).second + "\n");
  }
  target_.commit();
}

}  // namespace pixeldrill::output
