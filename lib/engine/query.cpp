// The query API's value types (Condition, Query) and the concrete fast path. The solver session that
// answers queries is engine.cpp; the conditions' formulas and their concrete replay are
// symbolic_properties.cpp.
#include "engine/query.h"

#include "engine/probe.h"
#include "engine/symbolic_compiler.h"
#include "engine/symbolic_properties.h"

namespace meshproof::engine {

using detail::first_unsatisfied;

namespace {

const char* action_name(model::Action a) { return model::to_string(a); }

std::string rule_name(RuleRef r) { return std::string(action_name(r.action)) + " rule #" + std::to_string(r.index); }

}  // namespace

namespace {

// The rules whose probes seed the fast path: the rule the query wants matched (or deciding); without
// one, when the query wants the request allowed, every ALLOW rule (an allowed request matches one of them
// whenever the workload has an ALLOW policy; without one, a probe of nothing proves nothing and the
// solver answers).
std::vector<const ir::Rule*> seed_rules(const ir::Program& program, const Query& query) {
  bool allowed = false;
  for (const Condition& c : query.conditions()) {
    if (c.positive && (c.kind == ConditionKind::RuleMatches || c.kind == ConditionKind::DecidedBy)) {
      const auto& rules = detail::rules_of(program, c.rule.action);
      if (c.rule.index >= rules.size()) return {};
      return {&rules[c.rule.index]};
    }
    if (c.kind == ConditionKind::VerdictIs && c.positive && c.verdict == Verdict::Allow) allowed = true;
  }
  std::vector<const ir::Rule*> out;
  if (allowed)
    for (const ir::Rule& r : program.allow) out.push_back(&r);
  return out;
}

// The query's "rule matches / does not match" conditions on the request as the program sees it: the
// cheap part of the replay, asked before the decision (and its explanation) is built.
bool rule_conditions_hold(const ir::Program& program, const Query& query, const ir::Request& seen) {
  for (const Condition& c : query.conditions())
    if (c.kind == ConditionKind::RuleMatches &&
        eval_rule(detail::rules_of(program, c.rule.action).at(c.rule.index), seen, program.protocol) != c.positive)
      return false;
  return true;
}

}  // namespace

std::optional<QueryResult> find_concretely(const ir::Program& program, const Query& query,
                                           const EngineOptions& options) {
  if (query.witness_shown()) return std::nullopt;
  // The connection kind follows the query's mTLS condition when it has one.
  std::optional<bool> mtls;
  for (const Condition& c : query.conditions())
    if (c.kind == ConditionKind::Mtls) mtls = c.positive;
  for (const ir::Rule* rule : seed_rules(program, query))
    for (bool over_mtls : {true, false}) {
      if (mtls && *mtls != over_mtls) continue;
      for (ir::Request& r : detail::probe_requests(program, *rule, over_mtls, options.declared_ports, 4)) {
        if (!detail::request_in_domain(program, r, options)) continue;
        if (!rule_conditions_hold(program, query, effective_request(program, r))) continue;
        Decision d = evaluate(program, r);
        if (first_unsatisfied(program, query, r, d)) continue;
        QueryResult out;
        out.answer = SatAnswer::Sat;
        out.request = std::move(r);
        out.decision = std::move(d);
        return out;
      }
    }
  return std::nullopt;
}

std::string Condition::describe() const {
  std::string s;
  switch (kind) {
    case ConditionKind::RuleMatches:
      s = rule_name(rule) + (positive ? " matches" : " does not match");
      return s;
    case ConditionKind::ActionMatches:
      return std::string(positive ? "some " : "no ") + action_name(action) + " rule matches";
    case ConditionKind::VerdictIs:
      return std::string("verdict ") + (positive ? "== " : "!= ") + to_string(verdict);
    case ConditionKind::ReasonIs:
      return std::string("reason ") + (positive ? "== " : "!= ") + to_string(reason);
    case ConditionKind::DecidedBy:
      return std::string(positive ? "decided by " : "not decided by ") + rule_name(rule);
    case ConditionKind::IfAuthorizerAllows:
      return std::string(positive ? "" : "not ") + "delegated, and " + to_string(verdict) + " if the authorizer allows";
    case ConditionKind::Mtls:
      return positive ? "mTLS" : "plaintext";
    case ConditionKind::Token:
      return std::string("token ") + (positive ? "== " : "!= ") + ir::to_string(token);
    case ConditionKind::AtomHolds:
      return (positive ? "" : "not ") + ir::to_string(atom);
    case ConditionKind::Protocol:
      return std::string("protocol ") + (positive ? "== " : "!= ") + ir::to_string(protocol);
  }
  return s;
}

Query& Query::existence_only() {
  witness_shown_ = false;
  return *this;
}

Query& Query::add(const Condition& c) {
  conditions_.push_back(c);
  return *this;
}

Query& Query::rule_matches(RuleRef r, bool matches) {
  Condition c;
  c.kind = ConditionKind::RuleMatches;
  c.rule = r;
  c.positive = matches;
  return add(c);
}

Query& Query::action_matches(model::Action a, bool matches) {
  Condition c;
  c.kind = ConditionKind::ActionMatches;
  c.action = a;
  c.positive = matches;
  return add(c);
}

Query& Query::verdict(Verdict v, bool equals) {
  Condition c;
  c.kind = ConditionKind::VerdictIs;
  c.verdict = v;
  c.positive = equals;
  return add(c);
}

Query& Query::reason(Reason r, bool equals) {
  Condition c;
  c.kind = ConditionKind::ReasonIs;
  c.reason = r;
  c.positive = equals;
  return add(c);
}

Query& Query::decided_by(RuleRef r, bool equals) {
  Condition c;
  c.kind = ConditionKind::DecidedBy;
  c.rule = r;
  c.positive = equals;
  return add(c);
}

Query& Query::if_authorizer_allows(Verdict v) {
  Condition c;
  c.kind = ConditionKind::IfAuthorizerAllows;
  c.verdict = v;
  return add(c);
}

Query& Query::mtls(bool over_mtls) {
  Condition c;
  c.kind = ConditionKind::Mtls;
  c.positive = over_mtls;
  return add(c);
}

Query& Query::token(ir::TokenState t, bool equals) {
  Condition c;
  c.kind = ConditionKind::Token;
  c.token = t;
  c.positive = equals;
  return add(c);
}

Query& Query::atom(const ir::Atom& a, bool holds) {
  Condition c;
  c.kind = ConditionKind::AtomHolds;
  c.atom = a;
  c.positive = holds;
  return add(c);
}

Query& Query::protocol(ir::Protocol p) {
  Condition c;
  c.kind = ConditionKind::Protocol;
  c.protocol = p;
  return add(c);
}

std::string Query::describe() const {
  if (conditions_.empty()) return "any request";
  std::string s;
  for (const auto& c : conditions_) s += (s.empty() ? "" : " ∧ ") + c.describe();
  return s;
}

}  // namespace meshproof::engine
