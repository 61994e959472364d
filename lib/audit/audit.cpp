// Building the auditor report's model from a finished run: the header fields here, each section in its
// own file (sections.h).
#include "audit/audit.h"

#include "audit/sections.h"
#include "checks/run.h"

namespace meshproof::audit {

const char* to_string(ControlStatus s) {
  switch (s) {
    case ControlStatus::Pass:
      return "pass";
    case ControlStatus::Fail:
      return "fail";
    case ControlStatus::Excepted:
      return "excepted";
    case ControlStatus::Incomplete:
      return "incomplete";
    case ControlStatus::NoEvidence:
      return "no-evidence";
    case ControlStatus::Partial:
      return "partial";
  }
  return "incomplete";
}

const char* to_string(AccessBasis b) {
  switch (b) {
    case AccessBasis::AllowRule:
      return "allow-rule";
    case AccessBasis::NoAllowPolicy:
      return "no-allow-policy";
    case AccessBasis::NoProxy:
      return "no-proxy";
  }
  return "allow-rule";
}

AuditReport build_audit_report(const checks::Context& ctx, const std::vector<Finding>& findings,
                               const RunOutcome& outcome, const AuditOptions& options) {
  AuditReport rep;
  rep.generated_at = options.generated_at;
  rep.tool_version = options.tool_version;
  rep.z3_version = options.z3_version;
  rep.today = checks::effective_today(ctx.options);
  rep.profile_name = ctx.profile.name;
  rep.profile_title = ctx.profile.title;
  rep.fail_on = outcome.fail_on;

  rep.git = options.git;

  add_scope_files(ctx, options, rep);
  add_regulated_namespaces(ctx, options, rep);
  add_not_analyzed(outcome, rep);
  // Every section indexes findings in the order the findings section lists them.
  const std::vector<Finding> ordered = in_report_order(ctx.profile, findings);
  add_findings(ctx, ordered, rep);
  rep.finding_groups = finding_groups(ctx.profile, rep.findings);
  rep.result = outcome.failed                      ? "fail"
               : !outcome.nothing_analyzed.empty() ? "not analyzed"
               : outcome.inconclusive              ? "inconclusive"
                                                   : "pass";
  rep.controls = control_results(ctx, ordered, outcome.threshold);
  rep.mtls = mtls_table(ctx);
  rep.mtls_coverage = mtls_coverage(ctx, rep.mtls);
  rep.access = access_matrix(ctx);
  link_access_findings(rep.access, rep.findings);
  rep.exceptions = exception_rows(ctx, ordered, rep.today);
  return rep;
}

const std::vector<std::string>& audit_limits() {
  static const std::vector<std::string> kLimits{
      "This report analyzes the manifests listed under Scope, as they were when the report was generated "
      "(their SHA-256 digests identify them). It says nothing about what is running in a cluster: resources "
      "applied by hand, other repositories, admission webhooks or operators that change objects, and drift "
      "after deployment are outside it.",
      "It covers Istio's service-mesh layer: PeerAuthentication, AuthorizationPolicy, RequestAuthentication "
      "and the workloads and namespaces they apply to. Other enforcement layers (Kubernetes NetworkPolicy, "
      "cloud firewalls, application authentication, encryption at rest, the audit logging pipeline) need "
      "their own evidence.",
      "A control marked pass means that the checks mapped to it by the profile found nothing at or above the "
      "threshold over the resources listed as their evidence. It is evidence for the technical part of the "
      "control, not a certification of the control as a whole; the mapping itself is the profile author's "
      "judgement and is part of what an auditor should review.",
      "Semantic findings come with a witness request that meshproof replayed through its concrete evaluator "
      "of Istio's decision procedure; the evaluator follows Istio's documented and implemented behaviour "
      "(docs/semantics.md) for the Istio version it was written against. A different Istio version or mesh "
      "configuration not included in the input can change the result.",
      "The access matrix is an over-approximation derived from ALLOW rules (see its note); empty cells are "
      "exact denials, filled cells are possible access, not proven access.",
      "Exceptions and suppressions are listed with their justification as written; meshproof checks their "
      "expiry dates and scope, not whether the justification is adequate."};
  return kLimits;
}

}  // namespace meshproof::audit
