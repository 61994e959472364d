// Equivalence of two decision programs (translation validation for lib/compile, DESIGN.md §5, §6).
//
// Two programs are equivalent when no request is treated differently by their RBAC filters. What a set
// of Istio RBAC filters makes observable about one request is, per action (IS §1, §2):
//   * CUSTOM: whether a CUSTOM rule of provider P matches (enforced rules and dry-run rules apart: both
//     trigger ext_authz, IS §2), and whether the CUSTOM rules delegate or fail closed;
//   * DENY / ALLOW / AUDIT: whether an enforced rule matches, and whether a dry-run (shadow) rule matches;
//   * whether an (enforced) ALLOW policy applies at all (`rules` present on the ALLOW filter).
// The decision function of engine/evaluate.h reads nothing else of the rules, so equal observables give
// equal decisions on every request, for every port and mTLS mode (the context — port, mTLS mode, JWT
// issuers — is not part of a filter and is taken from the program). The converse is not needed: the
// proof is deliberately stricter than "same final verdict", so that a difference in a dry-run rule or a
// DENY rule shadowed by another one is still reported.
//
// Each observable is a Boolean formula over one shared set of request variables — the engine's one
// encoder and compiler (docs/engine.md §2: a Boolean per distinct string atom with the computed axioms of
// engine/symbolic_strings.h, 128-bit vectors for IPs with CIDRs as masked equality, one 16-bit port, mTLS;
// the domain is every request a filter of the protocol can see, whatever its port). The solver is asked
// for a request on which the two formulas differ:
//   Unsat   → proven for that observable;
//   Sat     → the model is turned into a concrete request by the engine's concretizer (each attribute's
//             value from the atoms' truths, with the sequence theory for glob/template/regex atoms) and
//             replayed through the concrete evaluator on both programs; only a replayed difference is
//             reported (Differs);
//   Unknown → timeout, or a model that cannot be realized after refinement: reported, never "proven".
// A model whose opaque atoms cannot be realized yields an Unsat core for that attribute; the core is
// added as a blocking clause and the query repeated (bounded by max_refinements).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "engine/evaluate.h"
#include "ir/ir.h"
#include "ir/request.h"

namespace meshproof::engine {

enum class EquivalenceStatus : uint8_t { Proven, Differs, Unknown };
const char* to_string(EquivalenceStatus s);  // "proven", "differs", "unknown"

struct EquivalenceOptions {
  unsigned timeout_ms = 60000;  // wall-clock backstop per solver query (0: no limit)
  // Z3's budget per query (0: none); unset: the process's (set_solver_resource_limit).
  std::optional<unsigned> resource_limit;
  unsigned max_refinements = 64;  // blocking clauses per observable before giving up (Unknown)
};

// One side's view of the witness request.
struct SideOutcome {
  bool matches = false;            // the observable (e.g. "an enforced DENY rule matches")
  std::vector<std::string> rules;  // the rules of the observable that match, "ns[..]-policy[..]-rule[i]"
  std::string verdict;             // engine::evaluate on the whole program: "ALLOW", "DENY", ...
  std::string reason;              // kebab-case Reason
  std::string explanation;
};

struct Difference {
  std::string observable;    // "enforced DENY rules", "dry-run ALLOW rules", "CUSTOM rules of provider x",
                             // "ALLOW policy present", "CUSTOM mode"
  bool has_witness = false;  // false for flag differences (ALLOW policy present, CUSTOM mode)
  ir::Request witness;       // the request on which the observable differs (replayed)
  SideOutcome left, right;
  std::string detail;  // flag differences: what each side says
};

struct EquivalenceResult {
  EquivalenceStatus status = EquivalenceStatus::Unknown;
  std::optional<Difference> difference;  // Differs: the first difference found
  std::string unknown_reason;            // Unknown: which observable and why
  size_t observables = 0;                // observables compared
  size_t queries = 0;                    // solver calls
  size_t refinements = 0;
};

// Compares the rules and flags of two programs for the same protocol view. `left` is the reference (the
// lowered policy), `right` the candidate (the decoded table). The programs' protocols must be equal.
EquivalenceResult prove_equivalent(const ir::Program& left, const ir::Program& right,
                                   const EquivalenceOptions& options = {});

// The rule name Istio gives a rule: "ns[NS]-policy[NAME]-rule[i]" (IS §2), used in outcomes.
std::string istio_rule_name(const ir::Rule& rule);

}  // namespace meshproof::engine
