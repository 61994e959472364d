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
#include "base/git.h"
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
  // The git checkout meshproof ran in (base/git.h, the same one SARIF names), for the scope; empty fields:
  // not in a checkout.
  GitCheckout git;
};

// How the run was judged (--fail-on), decided by the caller with the same rule as the exit code, so that
// the report's result and the exit code cannot disagree.
struct RunOutcome {
  Severity threshold = Severity::Error;  // controls fail on findings at or above it
  std::string fail_on;                   // as the user wrote it: "error", ..., "never"
  bool failed = false;                   // some finding fails the run
  bool inconclusive = false;             // not failed, but an unsuppressed proof was inconclusive (exit code 4)
  // The policy objects meshproof does not model ("file:line:col: apiVersion kind ns/name (system)"), and
  // the error when they are the input's only policies (""): the scope names both (model/not_analyzed.h).
  std::vector<std::string> not_analyzed;
  std::string nothing_analyzed;
};

// Pass needs evidence: every mapped check is in this build and examined something. NoEvidence: the profile
// maps no check, none of the mapped checks had anything to examine in the input, or a mapped check says the
// input lacks what it needs to judge (a finding with property evidence: "missing", e.g. access-logging-off
// without the mesh configuration). Partial: some mapped checks gave evidence, others had nothing to examine
// or are not in this build. Incomplete: a proof was inconclusive. None of the last three is ever a pass.
// (New values are appended, so that the order of the older ones stays.)
enum class ControlStatus : uint8_t { Pass, Fail, Excepted, Incomplete, NoEvidence, Partial };
inline constexpr size_t kControlStatusCount = 6;
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
  // Whether the check gave evidence: it ran and examined some resource or produced a finding. A check with
  // nothing to examine (no Gateway in the input for a gateway check) says nothing about the control.
  bool examined() const { return available && (!subjects.empty() || !findings.empty()); }
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
  // Mapped checks that gave no evidence: not in this build, or nothing to examine in the input.
  std::vector<std::string> unavailable, not_examined;
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
  std::string data_plane;           // mesh::to_string(DataPlane): "sidecar", "ambient", "gateway", "none"
  bool data_plane_assumed = false;  // the input does not say; the --data-plane assumption decided it
};

// The mTLS picture of one regulated namespace: its workload ports by effective mode (a workload without
// declared ports counts once, for every port), and its workloads by data plane.
struct MtlsCoverage {
  std::string ns;
  size_t strict = 0, permissive = 0, disable = 0, no_proxy = 0;  // ports
  size_t sidecar = 0, ambient = 0, gateway = 0, none = 0;        // workloads
  size_t assumed = 0;  // workloads whose data plane is an assumption, not read from the input
  size_t ports() const { return strict + permissive + disable + no_proxy; }
};

enum class AccessKind : uint8_t { None, Conditional, Allowed };
// Why a cell admits callers: an ALLOW rule names them, no enforced ALLOW policy applies to the workload (so
// every request no DENY stops is allowed), or the workload has no proxy (nothing is enforced at all).
enum class AccessBasis : uint8_t { AllowRule, NoAllowPolicy, NoProxy };
const char* to_string(AccessBasis b);  // "allow-rule", "no-allow-policy", "no-proxy"

struct AccessCell {
  AccessKind kind = AccessKind::None;
  AccessBasis basis = AccessBasis::AllowRule;  // meaningful when kind is not None
  std::vector<std::string> via;                // "ns/policy rule 0" (or why: "no ALLOW policy applies")
  std::vector<std::string> policies;           // "ns/name" of the ALLOW policies in via
  std::vector<size_t> findings;                // indexes into AuditReport::findings that bear on this cell
};

struct AccessRow {
  std::string workload;  // "ns/name"
  std::string workload_kind;
  std::vector<AccessCell> cells;  // parallel to AccessMatrix::columns
  std::vector<std::string> notes;
  std::vector<size_t> findings;  // indexes into AuditReport::findings about this workload
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

// The findings section's grouping: by control (in profile order; "" for findings no control maps), then by
// severity. A finding that several controls map is listed under the first and referred to by the others.
struct FindingGroup {
  std::string control;  // control id, "" for unmapped findings
  Severity severity = Severity::Error;
  std::vector<size_t> findings;  // indexes into AuditReport::findings, in report order
  std::vector<size_t> see_also;  // findings of this group listed under an earlier control
};

struct AuditReport {
  std::string generated_at, tool_version, z3_version, today;
  std::string profile_name, profile_title, profile_file, profile_sha256;
  std::string assertions_file, assertions_sha256;  // "" without --assert
  std::string fail_on;
  std::string result;  // "pass", "fail" or "inconclusive" (same rule as the exit code: 0, 1, 4)
  GitCheckout git;     // the checkout meshproof ran in (empty: not known)
  std::vector<AuditFile> files;
  std::vector<std::string> regulation_rules;  // how namespaces were selected, one rule per line
  std::vector<RegulatedNamespace> regulated;
  std::vector<std::string> warnings;  // scope problems an auditor must see first
  // Policy objects of kinds meshproof does not model, each "file:line:col: apiVersion kind ns/name (system)".
  std::vector<std::string> not_analyzed;
  std::vector<ControlResult> controls;
  std::vector<AuditFinding> findings;  // in the order of finding_groups, numbered F1, F2, ... in that order
  std::vector<FindingGroup> finding_groups;
  std::vector<MtlsRow> mtls;
  std::vector<MtlsCoverage> mtls_coverage;  // one per regulated namespace with workloads, in namespace order
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
