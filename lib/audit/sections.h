// The parts of the audit model, one concern per file; build_audit_report (audit.cpp) calls them in report
// order. Internal to the audit layer: other layers use audit/audit.h.
#pragma once

#include <string>
#include <vector>

#include "audit/audit.h"

namespace meshproof::audit {

// scope.cpp: every input file with its digest, and the profile's and the assertions file's digests.
void add_scope_files(const checks::Context& ctx, const AuditOptions& options, AuditReport& rep);
// scope.cpp: the selection rules, each regulated namespace with what selected it, and the scope warnings.
void add_regulated_namespaces(const checks::Context& ctx, const AuditOptions& options, AuditReport& rep);
// The policy objects meshproof did not analyze: listed, and one scope warning that counts them.
void add_not_analyzed(const RunOutcome& outcome, AuditReport& rep);

// controls.cpp: the findings numbered in report order, with their locations, controls and the counts.
void add_findings(const checks::Context& ctx, const std::vector<Finding>& findings, AuditReport& rep);
// controls.cpp: each control of the profile with its status, note and evidence per mapped check.
std::vector<ControlResult> control_results(const checks::Context& ctx, const std::vector<Finding>& findings,
                                           Severity threshold);

// mtls.cpp: the effective mTLS of every regulated workload × port.
std::vector<MtlsRow> mtls_table(const checks::Context& ctx);
// mtls.cpp: per regulated namespace, its rows of `rows` by mode and its workloads by data plane.
std::vector<MtlsCoverage> mtls_coverage(const checks::Context& ctx, const std::vector<MtlsRow>& rows);

// finding_groups.cpp: the findings sorted by their first control (profile order) and severity, stably.
std::vector<Finding> in_report_order(const profile::Profile& prof, const std::vector<Finding>& findings);
// finding_groups.cpp: the groups of the findings section, for findings already in report order.
std::vector<FindingGroup> finding_groups(const profile::Profile& prof, const std::vector<AuditFinding>& findings);

// access.cpp: who may call the regulated workloads, from the ALLOW rules (AccessMatrix::approximation).
AccessMatrix access_matrix(const checks::Context& ctx);
// access_links.cpp: each row's and cell's findings (AccessRow::findings, AccessCell::findings).
void link_access_findings(AccessMatrix& m, const std::vector<AuditFinding>& findings);

// exceptions.cpp: the profile's exceptions with their status on `today` and the findings they cover.
std::vector<ExceptionRow> exception_rows(const checks::Context& ctx, const std::vector<Finding>& findings,
                                         const std::string& today);
// exceptions.cpp: whether an approved profile exception (not an annotation or a baseline) suppresses `f`.
bool excepted_by_profile(const Finding& f);

}  // namespace meshproof::audit
