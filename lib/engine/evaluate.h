// The concrete evaluator: (program, request) → decision, deciding rule and reason. It is the
// specification the symbolic encoder is tested against (DESIGN.md §5), so it is written to be read:
// one function per level of the IR, no shortcuts. It does not use Z3.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "ir/ir.h"
#include "ir/request.h"

namespace meshproof::engine {

enum class Verdict : uint8_t {
  Allow,
  Deny,       // a DENY rule matched, no ALLOW rule matched, or a fail-closed CUSTOM rule matched
  Delegated,  // a CUSTOM rule matched: the external authorizer decides (unknown to meshproof)
  Rejected,   // refused before authorization: connection (mTLS mode) or JWT authentication
};
const char* to_string(Verdict v);  // "ALLOW", "DENY", "DELEGATED", "REJECTED"

// Why the decision was reached; stable identifiers for checks and JSON.
enum class Reason : uint8_t {
  PlaintextOnStrict,  // REJECTED: plaintext connection to a STRICT port (IS §11)
  MtlsOnDisable,      // REJECTED: mTLS connection to a DISABLE port (plaintext only, IS §11)
  PathRejected,       // REJECTED: Envoy answers the request itself before any filter: the path does not
                      // start with '/' (404) or normalization refuses it (400) (ir/path.h)
  InvalidToken,       // REJECTED: token fails verification and a RequestAuthentication applies (IS §12)
  IssuerNotAccepted,  // REJECTED: token issuer/audience not accepted by any applicable jwtRule
  CustomMatched,      // DELEGATED: a CUSTOM rule matched
  CustomFailClosed,   // DENY: a CUSTOM rule matched but the provider is bad (IS §2)
  DenyMatched,        // DENY: a DENY rule matched
  NoAllowPolicy,      // ALLOW: no (enforced) ALLOW policy applies
  AllowMatched,       // ALLOW: an ALLOW rule matched
  NoAllowMatched,     // DENY: ALLOW policies apply but no ALLOW rule matched
  NoSidecar,          // ALLOW: the workload has no sidecar, nothing is enforced (Program::enforced)
};
const char* to_string(Reason r);  // kebab-case: "plaintext-on-strict", ...

struct Decision {
  Verdict verdict = Verdict::Deny;
  Reason reason = Reason::NoAllowMatched;
  const ir::Rule* decided_by = nullptr;  // into the program; nullptr when no rule decided
  std::string explanation;               // one sentence for humans, naming the rule or the cause

  // For DELEGATED: what the rest of the chain decides if the external authorizer allows (JWT, DENY,
  // ALLOW filters run after CUSTOM, IS §1). Never Delegated itself.
  std::optional<Verdict> if_authorizer_allows;
  std::optional<Reason> if_authorizer_allows_reason;
  const ir::Rule* if_authorizer_allows_rule = nullptr;

  // Rules that matched without deciding: AUDIT rules (logged only) and dry-run ALLOW/DENY rules
  // (shadow rules, stats only), in program order.
  std::vector<const ir::Rule*> audit_matches;
  std::vector<const ir::Rule*> dry_run_matches;
};

// Evaluates one request against one protocol view of a port. The request's port should be the
// program's port (port atoms read request.port).
Decision evaluate(const ir::Program& program, const ir::Request& request);

// The request as the program sees it: on HTTP the path is normalized with the program's path_normalization
// (ir/path.h; "" when Envoy refuses it); on TCP, HTTP fields and the token are dropped; without a
// RequestAuthentication the token is ignored (there is no jwt_authn filter, IS §12).
ir::Request effective_request(const ir::Program& program, const ir::Request& request);

// Building blocks, exposed so that tests and the symbolic encoder can check single pieces.
// `request` must already be the effective request for protocol `p`.
bool eval_atom(const ir::Atom& atom, const ir::Request& request, ir::Protocol p);
bool eval_term(const ir::Term& term, const ir::Request& request, ir::Protocol p);
bool eval_match(const ir::Match& match, const ir::Request& request, ir::Protocol p);
bool eval_clause(const ir::Clause& clause, const ir::Request& request, ir::Protocol p);
bool eval_rule(const ir::Rule& rule, const ir::Request& request, ir::Protocol p);

// String predicates with Istio/Envoy semantics, shared with the symbolic axioms.
using ir::glob_match;                                                        // '*' = any sequence
bool path_template_match(const std::string& tmpl, const std::string& path);  // Envoy uri_template

}  // namespace meshproof::engine
