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

// The findings in `format`: "text", "json", "sarif", "junit" or "md".
std::string format_findings(const std::string& format, const analysis::Analysis& analysis, const RunSummary& summary,
                            const std::vector<std::string>& only);

// The registered checks (`meshproof checks`): a table ("text") or a JSON array ("json").
std::string format_check_list(const std::string& format);

// The errors that stopped a run (unreadable input, a bad flag, profile, assertions or baseline file), each
// with its location, a caret line and help, and a closing line: for stderr, before exit code 2.
std::string format_failure(const analysis::Analysis& analysis);

// The files left out because they could not be read (file:line:col, caret, help) and a closing line, then
// the error of a run whose only policies meshproof does not model (report.h not_analyzed_failure), for
// stderr; "" when every file was read and some policy was analyzed.
std::string format_skipped_files(const analysis::Analysis& analysis);

// `--stats`: time per phase, counts, peak RSS.
std::string format_phase_stats(const analysis::Analysis& analysis, const std::string& format, double report_ms,
                               double total_ms);

// The exit codes of a run that analyzed its input (docs/output.md, DESIGN.md §9).
inline constexpr int kExitPass = 0;
inline constexpr int kExitFindings = 1;      // a finding at or above --fail-on
inline constexpr int kExitInputError = 2;    // part of the input could not be read (and was left out)
inline constexpr int kExitInconclusive = 4;  // nothing at or above --fail-on, but a proof was inconclusive

// kExitInputError when a file was left out unread or the input's only policies are not analyzed
// (only_unanalyzed_policies); else kExitFindings when a finding counts toward failing
// the run; else kExitInconclusive when an unsuppressed
// proof was inconclusive (the solver's Unknown is never a pass) and --fail-on is not never; else kExitPass.
int exit_code(const std::vector<Finding>& findings, const RunSummary& summary);

}  // namespace meshproof::report
