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

// controls.cpp: the findings numbered in report order, with their locations, controls and the counts.
void add_findings(const checks::Context& ctx, const std::vector<Finding>& findings, AuditReport& rep);
// controls.cpp: each control of the profile with its status, note and evidence per mapped check.
std::vector<ControlResult> control_results(const checks::Context& ctx, const std::vector<Finding>& findings,
                                           Severity threshold);

// mtls.cpp: the effective mTLS of every regulated workload × port.
std::vector<MtlsRow> mtls_table(const checks::Context& ctx);

// access.cpp: who may call the regulated workloads, from the ALLOW rules (AccessMatrix::approximation).
AccessMatrix access_matrix(const checks::Context& ctx);

// exceptions.cpp: the profile's exceptions with their status on `today` and the findings they cover.
std::vector<ExceptionRow> exception_rows(const checks::Context& ctx, const std::vector<Finding>& findings,
                                         const std::string& today);
// exceptions.cpp: whether an approved profile exception (not an annotation or a baseline) suppresses `f`.
bool excepted_by_profile(const Finding& f);

}  // namespace meshproof::audit
