// The auditor report's data model (docs/reports.md): what was analyzed (every input file with its SHA-256,
// tool and Z3 versions), which namespaces are regulated and why, each control of the profile with its
// status and evidence, every finding with its witness, the effective mTLS of every regulated workload ×
// port, who may call the regulated workloads, and the profile's exceptions.
//
// This layer computes the model from a finished run and knows nothing about formats; the report layer
// renders it (report/auditor.h: HTML, Markdown, JSON), each rendering reading only this model.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "base/finding.h"
#include "checks/check.h"

namespace meshproof::audit {

struct AuditOptions {
  std::string generated_at;  // RFC 3339 UTC ("2026-11-05T09:30:00Z"); the report's only time-dependent field
  std::string tool_version = MESHPROOF_VERSION;
  std::string z3_version;
  std::vector<std::string> cli_regulated;            // --regulated NAME
  std::vector<std::string> cli_regulated_selectors;  // --regulated-selector k=v[,k=v]
  uint32_t profile_file = 0;     // the profile's file id in ctx.sources; 0: the built-in default profile
  uint32_t assertions_file = 0;  // the --assert file's id in ctx.sources; 0: none
};

// How the run was judged (--fail-on), decided by the caller with the same rule as the exit code, so that
// the report's result and the exit code cannot disagree.
struct RunOutcome {
  Severity threshold = Severity::Error;  // controls fail on findings at or above it
  std::string fail_on;                   // as the user wrote it: "error", ..., "never"
  bool failed = false;                   // some finding fails the run
  bool inconclusive = false;             // not failed, but an unsuppressed proof was inconclusive (exit code 4)
};

// NoEvidence: a mapped check says the input lacks what it needs to judge (a finding with property
// evidence: "missing", e.g. access-logging-off without the mesh configuration): never a pass.
enum class ControlStatus : uint8_t { Pass, Fail, Excepted, Incomplete, NoEvidence };
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
  bool available = false;             // the check exists in this build (and ran)
  std::string summary;                // the check's one-line summary
  std::vector<std::string> subjects;  // display names of the resources it examined (Check::subjects)
  std::vector<size_t> findings;       // indexes into AuditReport::findings
};

struct ControlResult {
  std::string id, title, reference;
  ControlStatus status = ControlStatus::Pass;
  std::string note;  // why the status is what it is, in one sentence
  std::vector<CheckEvidence> evidence;
  size_t open = 0;        // unsuppressed findings at or above the threshold
  size_t excepted = 0;    // covered by an approved profile exception
  size_t suppressed = 0;  // covered by an annotation or a baseline (not approved in the profile)
  size_t below = 0;       // findings below the threshold (observations)
  // Proofs of its checks the solver could not finish (findings with property inconclusive: "true",
  // suppressed or not): the control is never Pass while there is one.
  size_t inconclusive = 0;
  std::vector<std::string> unproved;  // "never-matching-rule: ALLOW AuthorizationPolicy ns/allow rules[0]", ...
  // Findings of its checks that say the input holds no evidence either way (property evidence: "missing").
  size_t missing_evidence = 0;
  std::vector<std::string> missing;  // "access-logging-off on Namespace/x", in order
};

struct AuditFinding {
  Finding finding;
  std::string number;                          // "F1", "F2", ... in report order
  std::string location;                        // "file:line:col"
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
  std::string approximation;  // how the matrix was derived and what it over-approximates
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
  std::string result;  // "pass", "fail" or "inconclusive" (same rule as the exit code: 0, 1, 4)
  std::vector<AuditFile> files;
  std::vector<std::string> regulation_rules;  // how namespaces were selected, one rule per line
  std::vector<RegulatedNamespace> regulated;
  std::vector<std::string> warnings;  // scope problems an auditor must see first
  std::vector<ControlResult> controls;
  std::vector<AuditFinding> findings;
  std::vector<MtlsRow> mtls;
  AccessMatrix access;
  std::vector<ExceptionRow> exceptions;
  size_t errors = 0, warnings_count = 0, notes = 0, suppressed = 0;
};

AuditReport build_audit_report(const checks::Context& ctx, const std::vector<Finding>& findings,
                               const RunOutcome& outcome, const AuditOptions& options);

// What the report does and does not establish (the "limits" section), one paragraph per item. Every
// rendering carries it, so that the limits travel with the evidence.
const std::vector<std::string>& audit_limits();

}  // namespace meshproof::audit
