// Formatters. Nothing outside this layer formats findings for people or machines.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/finding.h"
#include "base/git.h"
#include "base/location.h"
#include "load/loader.h"
#include "model/not_analyzed.h"

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
  bool color = false;             // text: ANSI colours (--color, NO_COLOR, a terminal)
  bool quiet = false;             // text: the diagnostics only, without the closing summary (-q)
  bool baseline_applied = false;  // SARIF: results carry baselineState ("new" / "unchanged")
  // Where relative paths are resolved from (the current directory, absolute) and the git checkout it is
  // in, if any: SARIF URIs are relative to the checkout's root (else to `working_dir`), with its commit.
  std::string working_dir;
  std::optional<GitCheckout> vcs;
  // Files that could not be read and were left out (app::Input::skipped): every format says so, and the
  // run ends with exit code 2 whatever was found in the rest.
  std::vector<load::LoadError> skipped_files;
  // Objects whose policy meshproof does not model (app::Input::not_analyzed): every format lists them; when
  // the input has them and no Istio policy, the run ends with exit code 2 (only_unanalyzed_policies).
  std::vector<model::NotAnalyzed> not_analyzed;
};

// Whether the input holds objects whose policy meshproof does not model and no Istio PeerAuthentication,
// AuthorizationPolicy or RequestAuthentication: nothing the user relies on was analyzed, so the run cannot
// pass (exit code 2).
bool only_unanalyzed_policies(const RunSummary& summary);
// "Linkerd 3, Kubernetes NetworkPolicy 1": the not-analyzed objects counted per system, in first-seen order.
std::string not_analyzed_counts(const std::vector<model::NotAnalyzed>& items);
// The closing error of a run whose only policies were not analyzed (what was not, and what to do), one
// paragraph for stderr and the Markdown summary; "" when only_unanalyzed_policies is false.
std::string not_analyzed_failure(const RunSummary& summary);

// Compiler-style diagnostics: `file:line:col: severity[check]: message`, the line with a caret, help.
std::string format_text(const std::vector<Finding>& findings, const SourceSet& sources, const RunSummary& summary);

// {"version", "findings": [...], "summary": {...}} — the documented, stable JSON (docs/output.md). The
// findings are formatted on up to `threads` workers (0: one per core); the bytes do not depend on it.
std::string format_json(const std::vector<Finding>& findings, const SourceSet& sources, const RunSummary& summary,
                        unsigned threads = 1);

// Errors that stop a run (unreadable input, bad profile): `file:line:col: error: message` + caret + help.
std::string format_load_errors(const std::vector<load::LoadError>& errors, const SourceSet& sources);

// A source line with a caret under `loc` (rustc style), or "" when the line cannot be read.
std::string caret_snippet(const SourceSet& sources, const Loc& loc);

// The 1-based column (in code points) just past the token that starts at `loc` — the one the caret
// underlines — or 0 when the line cannot be read.
uint32_t token_end_column(const SourceSet& sources, const Loc& loc);

// Where a finding's position is: "path:line:col", or for rendered Helm output on standard input
// "chart/templates/x.yaml (<stdin>:line:col)".
std::string describe_location(const SourceSet& sources, const Loc& loc);

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

// A Markdown summary for pull-request comments and CI job summaries: counts per check, then the findings
// at or above --fail-on (at most 50).
std::string format_markdown(const std::vector<Finding>& findings, const SourceSet& sources, const RunSummary& summary);

// The (check, resource) pairs a run evaluated, for JUnit test cases that passed.
struct Evaluated {
  std::string check;
  std::vector<ResourceRef> resources;
};

// JUnit XML: one testsuite per check; one testcase per finding (classname = the check, with file and line),
// a <failure> at or above --fail-on, <skipped> with the reason below it or when suppressed; one passing
// testcase per evaluated resource without a finding.
std::string format_junit(const std::vector<Finding>& findings, const SourceSet& sources, const RunSummary& summary,
                         const std::vector<Evaluated>& evaluated);

}  // namespace meshproof::report
