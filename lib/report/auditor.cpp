// The report layer's entry to the auditor report: the model comes from the audit layer, judged here by
// the exit code's rule (fails_run) so that the report's result and the exit code cannot disagree.
#include "report/auditor.h"

#include <algorithm>

#include "report/report.h"

namespace meshproof::report {

AuditReport build_audit_report(const checks::Context& ctx, const std::vector<Finding>& findings,
                               const RunSummary& summary, const AuditOptions& options) {
  audit::RunOutcome outcome;
  outcome.threshold = summary.fail_on_never ? Severity::Error : summary.fail_on;
  outcome.fail_on = summary.fail_on_never ? "never" : to_string(summary.fail_on);
  outcome.failed =
      std::any_of(findings.begin(), findings.end(), [&](const Finding& f) { return fails_run(f, summary); });
  outcome.inconclusive = !outcome.failed && std::any_of(findings.begin(), findings.end(), [&](const Finding& f) {
    return leaves_run_inconclusive(f, summary);
  });
  for (const model::NotAnalyzed& n : summary.not_analyzed)
    outcome.not_analyzed.push_back(describe_location(ctx.sources, n.loc) + ": " + model::describe(n));
  outcome.nothing_analyzed = not_analyzed_failure(summary);
  return audit::build_audit_report(ctx, findings, outcome, options);
}

const std::vector<std::string>& audit_sections() {
  static const std::vector<std::string> kSections{"scope", "regulated", "controls",   "findings",
                                                  "mtls",  "access",    "exceptions", "limits"};
  return kSections;
}

}  // namespace meshproof::report
