// The solver-free Unsat answers (refute.h, refute_without_solver): what the atom algebra decides alone.
//
// A rule is (OR of principal clauses) AND (OR of permission clauses), a clause an AND of matches, a positive
// match an OR of terms, a term an AND of atoms (ir/ir.h). Under the facts a query fixes for every request
// it asks about, some atoms are false whatever else the request carries:
//   * an HTTP-only atom on a TCP view (the attribute is absent, ir/request.cpp attribute_value);
//   * a JWT atom when the query says the request has no valid token, or the view has no token at all
//     (TCP, or no RequestAuthentication: evaluate.h effective_request);
//   * a peer-identity atom when the query asks for plaintext (no peer identity, IS §8);
//   * a port atom for a port no request of the view uses (the view's own port is fixed, or the port is
//     declared and so outside the undeclared-ports view; symbolic_encoder.h program_domain);
//   * a peer-identity atom that the value the query pins does not satisfy (the query holds an exact atom
//     on that attribute, as the waypoint checks' "from this principal" does: gap_waypoints.h
//     from_peer_query), decided by the evaluator on that value.
// Every atom implies its attribute's presence (evaluate.cpp eval_atom), so such an atom falsifies its term;
// a positive match of false terms only, a clause with such a match, and a rule whose principal (or
// permission) clauses are all false follow. The decision is exact for what it claims — it only ever claims
// Unsat, and only from these facts; anything else is left to the solver — and test/differential compares
// it with Z3 on random programs.
#include <algorithm>

#include "engine/evaluate.h"
#include "engine/refute.h"
#include "engine/symbolic_compiler.h"
#include "engine/symbolic_encoder.h"

namespace meshproof::engine {

namespace {

// What the query fixes for every request it asks about.
struct QueryFacts {
  bool http = true;       // HTTP attributes exist on the view
  bool jwt = true;        // JWT attributes may be present
  bool peer = true;       // peer-identity attributes may be present
  std::optional<uint32_t> port;         // the only port
  std::vector<uint32_t> excluded_ports;  // ports no request uses
  std::vector<ir::Attribute> pinned;     // peer attributes whose value the query fixes...
  ir::Request pinned_values;             // ...to the value they have here
  ir::Protocol protocol = ir::Protocol::Http;
};

// A peer-identity attribute the condition fixes to one value (an exact atom that must hold), or nullopt.
std::optional<ir::Attribute> pinned_peer_attribute(const Condition& c) {
  if (c.kind != ConditionKind::AtomHolds || !c.positive || c.atom.op != ir::Op::Exact || c.atom.value.empty())
    return std::nullopt;
  if (!ir::attribute_is_peer(c.atom.attr)) return std::nullopt;
  return c.atom.attr;
}

void pin(QueryFacts& f, ir::Attribute attr, const std::string& value) {
  f.pinned_values.mtls = true;  // peer attributes exist only under mTLS (ir/request.cpp attribute_value)
  if (attr == ir::Attribute::PeerTrustDomain) f.pinned_values.peer_trust_domain = value;
  if (attr == ir::Attribute::PeerNamespace) f.pinned_values.peer_namespace = value;
  if (attr == ir::Attribute::PeerServiceAccount) f.pinned_values.peer_service_account = value;
  f.pinned.push_back(attr);
}

QueryFacts facts_of(const ir::Program& program, const Query& query, const EngineOptions& options) {
  const detail::RequestDomain domain = detail::program_domain(program, options);
  QueryFacts f;
  f.http = domain.http;
  f.jwt = domain.tokens;
  f.port = domain.port;
  f.excluded_ports = domain.excluded_ports;
  f.protocol = program.protocol;
  for (const Condition& c : query.conditions()) {
    if (auto attr = pinned_peer_attribute(c)) {
      // Two different pins of one attribute contradict each other; leave that to the solver.
      if (std::find(f.pinned.begin(), f.pinned.end(), *attr) != f.pinned.end()) return QueryFacts{};
      pin(f, *attr, c.atom.value);
    }
    if (c.kind == ConditionKind::Mtls && !c.positive) f.peer = false;
    // JWT attributes are present only with a valid token (ir/request.cpp attribute_value).
    if (c.kind == ConditionKind::Token && (c.positive ? c.token != ir::TokenState::Valid : c.token == ir::TokenState::Valid))
      f.jwt = false;
  }
  return f;
}

bool atom_refuted(const ir::Atom& a, const QueryFacts& f) {
  if (!f.http && ir::attribute_http_only(a.attr)) return true;
  if (!f.jwt && ir::attribute_is_jwt(a.attr)) return true;
  if (!f.peer && ir::attribute_is_peer(a.attr)) return true;
  if (std::find(f.pinned.begin(), f.pinned.end(), a.attr) != f.pinned.end())
    return !eval_atom(a, f.pinned_values, f.protocol);
  if (a.attr == ir::Attribute::DestinationPort && a.op == ir::Op::PortEq) {
    if (f.port) return a.port != *f.port;
    return std::find(f.excluded_ports.begin(), f.excluded_ports.end(), a.port) != f.excluded_ports.end();
  }
  return false;
}

bool term_refuted(const ir::Term& t, const QueryFacts& f) {
  return t.is_false || std::any_of(t.atoms.begin(), t.atoms.end(), [&](const ir::Atom& a) { return atom_refuted(a, f); });
}

// A positive match is an OR of its terms (no terms: false); a negated one is never refuted here.
bool match_refuted(const ir::Match& m, const QueryFacts& f) {
  return !m.negated && std::all_of(m.terms.begin(), m.terms.end(), [&](const ir::Term& t) { return term_refuted(t, f); });
}

bool clause_refuted(const ir::Clause& c, const QueryFacts& f) {
  return std::any_of(c.matches.begin(), c.matches.end(), [&](const ir::Match& m) { return match_refuted(m, f); });
}

bool clauses_refuted(const std::vector<ir::Clause>& cs, const QueryFacts& f) {
  return std::all_of(cs.begin(), cs.end(), [&](const ir::Clause& c) { return clause_refuted(c, f); });
}

bool rule_refuted(const ir::Rule& r, const QueryFacts& f) {
  return clauses_refuted(r.principals, f) || clauses_refuted(r.permissions, f);
}

// The query itself says the rule does not match.
bool excluded_by_query(const Query& query, RuleRef ref) {
  return std::any_of(query.conditions().begin(), query.conditions().end(), [&](const Condition& c) {
    return c.kind == ConditionKind::RuleMatches && !c.positive && c.rule == ref;
  });
}

// No rule of the action can match: each is refuted, excluded by the query, or (ALLOW/DENY) not enforced.
bool action_refuted(const ir::Program& p, const Query& query, model::Action action, const QueryFacts& f) {
  const auto& rules = detail::rules_of(p, action);
  const bool enforced_only = action == model::Action::Allow || action == model::Action::Deny;
  for (size_t i = 0; i < rules.size(); ++i) {
    if (enforced_only && rules[i].policy.dry_run) continue;
    if (!excluded_by_query(query, RuleRef{action, i}) && !rule_refuted(rules[i], f)) return false;
  }
  return true;
}

bool condition_refuted(const ir::Program& p, const Query& query, const Condition& c, const QueryFacts& f) {
  if (!c.positive) return false;
  switch (c.kind) {
    case ConditionKind::RuleMatches:
    case ConditionKind::DecidedBy: {  // a deciding rule matches
      const auto& rules = detail::rules_of(p, c.rule.action);
      return c.rule.index < rules.size() && rule_refuted(rules[c.rule.index], f);
    }
    case ConditionKind::ActionMatches:
      return action_refuted(p, query, c.action, f);
    case ConditionKind::VerdictIs:
      // An enforced program allows (evaluate.cpp after_custom) only without ALLOW policies or when an
      // enforced ALLOW rule matches.
      return c.verdict == Verdict::Allow && p.enforced && p.has_allow_policy &&
             action_refuted(p, query, model::Action::Allow, f);
    case ConditionKind::Protocol:
      return c.protocol != p.protocol;
    default:
      return false;
  }
}

}  // namespace

std::optional<QueryResult> refute_without_solver(const ir::Program& program, const Query& query,
                                                 const EngineOptions& options) {
  const QueryFacts f = facts_of(program, query, options);
  for (const Condition& c : query.conditions())
    if (condition_refuted(program, query, c, f)) {
      QueryResult out;
      out.answer = SatAnswer::Unsat;
      return out;
    }
  return std::nullopt;
}

}  // namespace meshproof::engine
