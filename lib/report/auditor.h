// The auditor report (`meshproof report`, docs/reports.md). The audit layer computes its data model
// (audit/audit.h); this layer renders it, one renderer per format (HTML, Markdown, JSON), each reading only
// the model and carrying the same sections.
#pragma once

#include <string>
#include <vector>

#include "audit/audit.h"
#include "base/finding.h"

namespace meshproof::report {

struct RunSummary;  // report/report.h

// The model's names, so that callers of the report layer need no other header.
using audit::AccessBasis;
using audit::AccessCell;
using audit::AccessKind;
using audit::AccessMatrix;
using audit::AccessRow;
using audit::audit_limits;
using audit::AuditFile;
using audit::AuditFinding;
using audit::AuditOptions;
using audit::AuditReport;
using audit::CheckEvidence;
using audit::ControlResult;
using audit::ControlStatus;
using audit::ExceptionRow;
using audit::FindingGroup;
using audit::MtlsCoverage;
using audit::MtlsRow;
using audit::RegulatedNamespace;

// The model of a finished run, judged by `summary`'s --fail-on with the same rule as the exit code.
AuditReport build_audit_report(const checks::Context& ctx, const std::vector<Finding>& findings,
                               const RunSummary& summary, const AuditOptions& options);

std::string format_audit_json(const AuditReport& report);
// One self-contained file: inline CSS and SVG, no scripts, nothing fetched; readable on screen and printed.
std::string format_audit_html(const AuditReport& report);
std::string format_audit_markdown(const AuditReport& report);

// The section ids every rendering carries, in order (tests check that each is present).
const std::vector<std::string>& audit_sections();

}  // namespace meshproof::report
