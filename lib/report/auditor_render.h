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
std::array<size_t, 5> controls_by_status(const AuditReport& r);

// The run's result (AuditReport::result: "pass", "fail", "inconclusive") as a mark ("PASS", ...), the
// class of its badge, and the sentence that explains it (no final period).
std::string result_mark(const std::string& result);
std::string result_class(const std::string& result);
std::string result_sentence(const std::string& result);

}  // namespace meshproof::report
