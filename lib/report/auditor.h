// The auditor report (`meshproof report`, docs/reports.md): what was analyzed (every input file with its
// SHA-256, tool and Z3 versions), which namespaces are regulated and why, each control of the profile
// with its status and evidence, every finding with its witness, the effective mTLS of every regulated
// workload × port, who may call the regulated workloads, and the profile's exceptions. One data model,
// three renderings (HTML, Markdown, JSON) that carry the same sections.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/finding.h"
#include "checks/check.h"
#include "report/report.h"

namespace meshproof::report {

struct AuditOptions {
  std::string generated_at;  // RFC 3339 UTC ("2026-11-05T09:30:00Z"); the report's only time-dependent field
  std::string tool_version = MESHPROOF_VERSION;
  std::string z3_version;
  std::vector<std::string> cli_regulated;            // --regulated NAME
  std::vector<std::string> cli_regulated_selectors;  // --regulated-selector k=v[,k=v]
  uint32_t profile_file = 0;  // the profile's file id in ctx.sources; 0: the built-in default profile
  uint32_t assertions_file = 0;  // the --assert file's id in ctx.sources; 0: none
};

enum class ControlStatus : uint8_t { Pass, Fail, Excepted, Incomplete };
const char* to_string(ControlStatus s);

struct AuditFile {
  std::string path;
  uint64_t bytes = 0;
  std::string sha256;  // "" when the file could not be read again
};

struct RegulatedNamespace {
  std::string name;
  std::vector<std::string> selected_by;  // "profile hipaa: regulated.namespaces", "--regulated payments", ...
  bool in_input = false;                 // declared or holds objects in the input
  size_t workloads = 0;                  // regulated workloads (declared + pseudo) in it
};

struct CheckEvidence {
  std::string check;
  bool available = false;              // the check exists in this build (and ran)
  std::string summary;                 // the check's one-line summary
  std::vector<std::string> subjects;   // display names of the resources it examined (Check::subjects)
  std::vector<size_t> findings;        // indexes into AuditReport::findings
};

struct ControlResult {
  std::string id, title, reference;
  ControlStatus status = ControlStatus::Pass;
  std::string note;                    // why the status is what it is, in one sentence
  std::vector<CheckEvidence> evidence;
  size_t open = 0;        // unsuppressed findings at or above the threshold
  size_t excepted = 0;    // covered by an approved profile exception
  size_t suppressed = 0;  // covered by an annotation or a baseline (not approved in the profile)
  size_t below = 0;       // findings below the threshold (observations)
};

struct AuditFinding {
  Finding finding;
  std::string number;    // "F1", "F2", ... in report order
  std::string location;  // "file:line:col"
  std::vector<std::string> related_locations;  // parallel to finding.related
  std::vector<std::string> controls;           // ids of the controls whose checks produced it
};

struct MtlsRow {
  std::string ns, workload, workload_kind;  // workload: display "ns/name"
  std::string port;                         // "8080" or "*" (every port)
  std::string port_name, protocol;
  std::string mode;        // STRICT, PERMISSIVE, DISABLE, or "NONE" when no sidecar
  std::string level;       // default, mesh, namespace, workload, port, no-sidecar
  std::string decided_by;  // "PeerAuthentication ns/name" or "" (Istio's default)
  std::string decided_at;  // file:line:col of the deciding field
  bool strict = false;
};

enum class AccessKind : uint8_t { None, Conditional, Allowed };

struct AccessCell {
  AccessKind kind = AccessKind::None;
  std::vector<std::string> via;  // "ns/policy rule 0" (or why: "no ALLOW policy applies")
};

struct AccessRow {
  std::string workload;  // "ns/name"
  std::string workload_kind;
  std::vector<AccessCell> cells;  // parallel to AccessMatrix::columns
  std::vector<std::string> notes;
};

struct AccessMatrix {
  std::vector<std::string> columns;  // "any caller", "plaintext (no peer identity)", then identities
  std::vector<AccessRow> rows;
  std::string approximation;         // how the matrix was derived and what it over-approximates
};

struct ExceptionRow {
  std::string check, resource, port;  // port "" when the exception covers every port
  std::string justification, approver, expires;
  std::string status;    // "active", "expired", "no expiry"
  std::string location;  // file:line:col in the profile
  size_t covered = 0;    // findings it suppresses in this run
};

struct AuditReport {
  std::string generated_at, tool_version, z3_version, today;
  std::string profile_name, profile_title, profile_file, profile_sha256;
  std::string assertions_file, assertions_sha256;  // "" without --assert
  std::string fail_on;
  std::string result;  // "pass" or "fail" (same rule as the exit code)
  std::vector<AuditFile> files;
  std::vector<std::string> regulation_rules;  // how namespaces were selected, one rule per line
  std::vector<RegulatedNamespace> regulated;
  std::vector<std::string> warnings;          // scope problems an auditor must see first
  std::vector<ControlResult> controls;
  std::vector<AuditFinding> findings;
  std::vector<MtlsRow> mtls;
  AccessMatrix access;
  std::vector<ExceptionRow> exceptions;
  size_t errors = 0, warnings_count = 0, notes = 0, suppressed = 0;
};

AuditReport build_audit_report(const checks::Context& ctx, const std::vector<Finding>& findings,
                               const RunSummary& summary, const AuditOptions& options);

nlohmann::json audit_to_json(const AuditReport& report);
std::string format_audit_json(const AuditReport& report);
// One self-contained file: inline CSS and SVG, no scripts, nothing fetched; readable on screen and printed.
std::string format_audit_html(const AuditReport& report);
std::string format_audit_markdown(const AuditReport& report);

// A witness as label/value rows ("Connection", "mTLS as cluster.local/ns/web/sa/frontend"), for the
// HTML and Markdown renderings.
std::vector<std::pair<std::string, std::string>> witness_fields(const Witness& w);

// What the report does and does not establish (the "limits" section), one paragraph per item.
const std::vector<std::string>& audit_limits();

// The section ids every rendering carries, in order (tests check that each is present).
const std::vector<std::string>& audit_sections();

}  // namespace meshproof::report
