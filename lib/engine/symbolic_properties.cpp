// The properties: query conditions, observable differences, connection rules.
#include "engine/symbolic_properties.h"

namespace meshproof::engine::detail {

namespace {

const ir::Rule& rule_at(const ir::Program& p, RuleRef r) { return rules_of(p, r.action).at(r.index); }

// Whether a condition holds on a concrete request (`eff`: as the program sees it) with its decision `d`.
bool condition_holds(const ir::Program& p, const Condition& cond, const ir::Request& request, const ir::Request& eff,
                     const Decision& d) {
  switch (cond.kind) {
    case ConditionKind::RuleMatches:
      return eval_rule(rule_at(p, cond.rule), eff, p.protocol);
    case ConditionKind::ActionMatches: {
      const auto& rules = rules_of(p, cond.action);
      const bool enforced_only = cond.action == model::Action::Allow || cond.action == model::Action::Deny;
      for (const auto& r : rules)
        if (!(enforced_only && r.policy.dry_run) && eval_rule(r, eff, p.protocol)) return true;
      return false;
    }
    case ConditionKind::VerdictIs:
      return d.verdict == cond.verdict;
    case ConditionKind::ReasonIs:
      return d.reason == cond.reason;
    case ConditionKind::DecidedBy:
      return d.decided_by == &rule_at(p, cond.rule);
    case ConditionKind::IfAuthorizerAllows:
      return d.verdict == Verdict::Delegated && d.if_authorizer_allows == cond.verdict;
    case ConditionKind::Mtls:
      return request.mtls;
    case ConditionKind::Token:
      return eff.token == cond.token;
    case ConditionKind::AtomHolds:
      return eval_atom(cond.atom, eff, p.protocol);
    case ConditionKind::Protocol:
      return p.protocol == cond.protocol;
  }
  return false;
}

}  // namespace

const Condition* first_unsatisfied(const ir::Program& p, const Query& query, const ir::Request& request,
                                   const Decision& d) {
  const ir::Request eff = effective_request(p, request);
  for (const Condition& c : query.conditions())
    if (condition_holds(p, c, request, eff, d) != c.positive) return &c;
  return nullptr;
}

z3::expr condition(CompiledProgram& program, const Condition& cond) {
  RequestVars& vars = program.vars();
  z3::expr e = vars.context().bool_val(true);
  switch (cond.kind) {
    case ConditionKind::RuleMatches:
      e = program.rule_match(cond.rule);
      break;
    case ConditionKind::ActionMatches:
      e = program.action_match(cond.action);
      break;
    case ConditionKind::VerdictIs:
      e = program.verdict(cond.verdict);
      break;
    case ConditionKind::ReasonIs:
      e = program.reason(cond.reason);
      break;
    case ConditionKind::DecidedBy:
      e = program.decided_by(cond.rule);
      break;
    case ConditionKind::IfAuthorizerAllows:
      e = program.verdict(Verdict::Delegated) && program.rest_verdict(cond.verdict);
      break;
    case ConditionKind::Mtls:
      e = vars.mtls();
      break;
    case ConditionKind::Token:
      e = vars.token(cond.token);
      break;
    case ConditionKind::AtomHolds:
      e = vars.atom(cond.atom);
      break;
    case ConditionKind::Protocol:
      e = vars.context().bool_val(program.program().protocol == cond.protocol);
      break;
  }
  return cond.positive ? e : !e;
}

z3::expr observable_differs(Compiler& compiler, const std::vector<const ir::Rule*>& left,
                            const std::vector<const ir::Rule*>& right) {
  return compiler.any_rule(left) != compiler.any_rule(right);
}

z3::expr passes_connection_rules(const RequestVars& vars, model::MtlsMode mode) {
  if (mode == model::MtlsMode::Strict) return vars.mtls();
  if (mode == model::MtlsMode::Disable) return !vars.mtls();
  return vars.context().bool_val(true);
}

}  // namespace meshproof::engine::detail
