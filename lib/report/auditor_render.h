// What the HTML and Markdown renderings of the auditor report share (internal to the report layer).
#pragma once

#include <array>
#include <string>
#include <utility>
#include <vector>

#include "report/auditor.h"

namespace meshproof::report {

// A witness as label/value rows ("Connection", "mTLS as cluster.local/ns/web/sa/frontend"), for the
// HTML and Markdown renderings.
std::vector<std::pair<std::string, std::string>> witness_fields(const Witness& w);

// How many controls have each status, indexed by ControlStatus.
std::array<size_t, audit::kControlStatusCount> controls_by_status(const AuditReport& r);

// How long a list may be before the HTML shows its count with the list folded (<details>).
inline constexpr size_t kListCap = 8;
// How many names of a list the Markdown writes before "… and N more" (it cannot fold; the JSON has them all).
inline constexpr size_t kMarkdownListCap = 3;

// HTML and SVG text escaping (&, <, >, quotes).
std::string html_escape(const std::string& s);

// The pictures of the HTML rendering (auditor_charts.cpp), inline SVG: the per-namespace mTLS coverage
// chart, and the access matrix with its legend (an HTML list of the cell states it uses).
std::string mtls_coverage_svg(const AuditReport& r);
std::string access_svg(const AuditReport& r);
std::string access_legend_html(const AccessMatrix& m);

// The words for a cell state, shared by the picture's legend, its tooltips and the Markdown table.
std::string access_state_text(const AccessCell& c);

// The run's result (AuditReport::result: "pass", "fail", "inconclusive") as a mark ("PASS", ...), the
// class of its badge, and the sentence that explains it (no final period).
std::string result_mark(const std::string& result);
std::string result_class(const std::string& result);
std::string result_sentence(const std::string& result);

}  // namespace meshproof::report
