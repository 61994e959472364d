// What the commands that run the checks (`check`, `report`) share after the analysis: the run summary,
// the findings in one of the machine or human formats (one emitter per format, chosen once here), the
// per-phase statistics, and the exit code.
#pragma once

#include <string>
#include <vector>

#include "analysis/analysis.h"
#include "report/report.h"

namespace meshproof::report {

// --fail-on: "error", "warning", "note" or "never".
RunSummary summarize(const analysis::Analysis& analysis, const std::string& fail_on);

// The (check, resources examined) pairs of the checks that ran (all, or `only`), for JUnit test cases.
std::vector<Evaluated> evaluated_checks(const analysis::Analysis& analysis, const std::vector<std::string>& only);

// The findings in `format`: "text", "json", "sarif" or "junit".
std::string format_findings(const std::string& format, const analysis::Analysis& analysis, const RunSummary& summary,
                            const std::vector<std::string>& only);

// The errors that stopped a run (unreadable input, a bad flag, profile, assertions or baseline file), each
// with its location, a caret line and help, and a closing line: for stderr, before exit code 2.
std::string format_failure(const analysis::Analysis& analysis);

// `--stats`: time per phase, counts, peak RSS.
std::string format_phase_stats(const analysis::Analysis& analysis, const std::string& format, double report_ms,
                               double total_ms);

// 1 when a finding counts toward failing the run, else 0.
int exit_code(const std::vector<Finding>& findings, const RunSummary& summary);

}  // namespace meshproof::report
