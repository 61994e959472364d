// Formatters. Nothing outside this layer formats findings for people or machines.
#pragma once

#include <string>
#include <vector>

#include "base/finding.h"
#include "base/location.h"
#include "load/loader.h"

namespace meshproof::report {

// What a run adds to the list of findings: counts and the input scope.
struct RunSummary {
  size_t files = 0;
  size_t resources = 0;
  size_t workloads = 0;
  size_t policies = 0;
  std::vector<std::string> regulated_namespaces;
  Severity fail_on = Severity::Error;
  bool fail_on_never = false;
  bool show_suppressed = false;   // text: list suppressed findings with their reasons (--show-suppressed)
  bool baseline_applied = false;  // SARIF: results carry baselineState ("new" / "unchanged")
};

// Compiler-style diagnostics: `file:line:col: severity[check]: message`, the line with a caret, help.
std::string format_text(const std::vector<Finding>& findings, const SourceSet& sources, const RunSummary& summary);

// {"version", "findings": [...], "summary": {...}} — the documented, stable JSON (docs/output.md).
std::string format_json(const std::vector<Finding>& findings, const SourceSet& sources, const RunSummary& summary);

// Errors that stop a run (unreadable input, bad profile): `file:line:col: error: message` + caret + help.
std::string format_load_errors(const std::vector<load::LoadError>& errors, const SourceSet& sources);

// A source line with a caret under `loc` (rustc style), or "" when the line cannot be read.
std::string caret_snippet(const SourceSet& sources, const Loc& loc);

// Whether a finding counts toward the exit code.
bool fails_run(const Finding& f, const RunSummary& summary);

// Whether a finding leaves the run inconclusive: an unsuppressed inconclusive proof, unless --fail-on never.
// Such a run never passes (exit code 4 when nothing fails it; report/run.h).
bool leaves_run_inconclusive(const Finding& f, const RunSummary& summary);
// How many unsuppressed inconclusive proofs the findings hold.
size_t count_inconclusive(const std::vector<Finding>& findings);

}  // namespace meshproof::report

namespace meshproof::report {

// Where check documentation lives, for SARIF helpUri. One place, so a fork can point it elsewhere.
inline constexpr const char* kCheckDocsBaseUri = "https://github.com/meshproof/meshproof/blob/main/docs/checks/";

// SARIF 2.1.0, one run; rules from the check registry (docs/output.md).
std::string format_sarif(const std::vector<Finding>& findings, const SourceSet& sources, const RunSummary& summary);

// The (check, resource) pairs a run evaluated, for JUnit test cases that passed.
struct Evaluated {
  std::string check;
  std::vector<ResourceRef> resources;
};

// JUnit XML: one testsuite per check, one testcase per (check, resource) evaluated, a <failure> per finding
// at or above --fail-on (findings below it are listed in <system-out>).
std::string format_junit(const std::vector<Finding>& findings, const SourceSet& sources, const RunSummary& summary,
                         const std::vector<Evaluated>& evaluated);

}  // namespace meshproof::report
