// The compiler. Every formula here mirrors one function of the concrete evaluator (engine/evaluate.cpp),
// which is the specification; docs/semantics.md section `engine` lists the rules with their Istio sources.
#include "engine/symbolic_compiler.h"

namespace meshproof::engine::detail {

using ir::Attribute;

const std::vector<ir::Rule>& rules_of(const ir::Program& p, model::Action a) {
  switch (a) {
    case model::Action::Custom:
      return p.custom;
    case model::Action::Deny:
      return p.deny;
    case model::Action::Allow:
      return p.allow;
    case model::Action::Audit:
      return p.audit;
  }
  return p.allow;
}

void declare_atoms(RequestVars& vars, const ir::Rule& rule) {
  for (const auto* clauses : {&rule.principals, &rule.permissions})
    for (const auto& cl : *clauses)
      for (const auto& m : cl.matches)
        for (const auto& t : m.terms)
          for (const auto& a : t.atoms) vars.declare(a);
}

// ---- rules ----

z3::expr Compiler::term(const ir::Term& t) {
  if (t.is_false) return vars_.context().bool_val(false);
  std::vector<z3::expr> xs;
  for (const auto& a : t.atoms) xs.push_back(vars_.atom(a));
  return all_of(vars_.context(), xs);
}

z3::expr Compiler::match(const ir::Match& m) {
  std::vector<z3::expr> xs;
  for (const auto& t : m.terms) xs.push_back(term(t));
  z3::expr any = any_of(vars_.context(), xs);
  return m.negated ? !any : any;
}

z3::expr Compiler::clause(const ir::Clause& cl) {
  std::vector<z3::expr> xs;
  for (const auto& m : cl.matches) xs.push_back(match(m));
  return all_of(vars_.context(), xs);
}

z3::expr Compiler::rule(const ir::Rule& r) {
  std::vector<z3::expr> ps, qs;
  for (const auto& cl : r.principals) ps.push_back(clause(cl));
  for (const auto& cl : r.permissions) qs.push_back(clause(cl));
  return any_of(vars_.context(), ps) && any_of(vars_.context(), qs);
}

z3::expr Compiler::any_rule(const std::vector<const ir::Rule*>& rules) {
  std::vector<z3::expr> xs;
  for (const ir::Rule* r : rules) xs.push_back(rule(*r));
  return any_of(vars_.context(), xs);
}

// ---- one program's decision ----

CompiledProgram::CompiledProgram(RequestVars& vars, const ir::Program& program)
    : vars_(vars), c_(vars.context()), program_(program), compiler_(vars) {
  // Every string atom of the program (and of the JWT issuer check) gets its variable first, so that the
  // axioms of each attribute are computed once over the complete atom set.
  declare_program_atoms();
  vars_.seal();
  for (size_t i = 0; i < program_.custom.size(); ++i)
    custom_.push_back(vars_.named("match_custom_" + std::to_string(i), compiler_.rule(program_.custom[i])));
  for (size_t i = 0; i < program_.deny.size(); ++i)
    deny_.push_back(vars_.named("match_deny_" + std::to_string(i), compiler_.rule(program_.deny[i])));
  for (size_t i = 0; i < program_.allow.size(); ++i)
    allow_.push_back(vars_.named("match_allow_" + std::to_string(i), compiler_.rule(program_.allow[i])));
  for (size_t i = 0; i < program_.audit.size(); ++i)
    audit_.push_back(vars_.named("match_audit_" + std::to_string(i), compiler_.rule(program_.audit[i])));
  define_decision();
}

void CompiledProgram::declare_program_atoms() {
  for (auto a : {model::Action::Custom, model::Action::Deny, model::Action::Allow, model::Action::Audit})
    for (const auto& r : rules_of(program_, a)) declare_atoms(vars_, r);
  for (const auto& j : program_.jwt_issuers) {
    if (!j.issuer.empty()) vars_.declare_string(Attribute::AuthIssuer, "", {StrOp::Exact, j.issuer});
    for (const auto& aud : j.audiences)
      if (!aud.empty()) vars_.declare_string(Attribute::AuthAudiences, "", {StrOp::Exact, aud});
  }
}

// Actions. Dry-run ALLOW/DENY rules are shadow rules and never decide (IS §2); every CUSTOM rule calls the
// authorizer, dry-run or not (IS §2, builder.go:392-405).
void CompiledProgram::define_actions() {
  auto enforced = [&](model::Action a, const std::vector<z3::expr>& vars) {
    std::vector<z3::expr> xs;
    const auto& rules = rules_of(program_, a);
    for (size_t i = 0; i < rules.size(); ++i)
      if (!rules[i].policy.dry_run) xs.push_back(vars[i]);
    return any_of(c_, xs);
  };
  action_.emplace(model::Action::Custom, vars_.named("any_custom", any_of(c_, custom_)));
  action_.emplace(model::Action::Deny, vars_.named("any_deny", enforced(model::Action::Deny, deny_)));
  action_.emplace(model::Action::Allow, vars_.named("any_allow", enforced(model::Action::Allow, allow_)));
  action_.emplace(model::Action::Audit, vars_.named("any_audit", any_of(c_, audit_)));
}

// JWT authentication (after CUSTOM): an invalid token, or a valid one that no jwtRule accepts, is
// rejected (IS §12; evaluate.cpp issuer_accepted).
void CompiledProgram::define_jwt(z3::expr& invalid, z3::expr& not_accepted) {
  invalid = not_accepted = c_.bool_val(false);
  if (!(program_.protocol == ir::Protocol::Http && program_.has_request_authentication)) return;
  std::vector<z3::expr> accepted_by;
  for (const auto& j : program_.jwt_issuers) {
    z3::expr iss = j.issuer.empty() ? c_.bool_val(true)
                                    : vars_.atom(ir::make_atom(Attribute::AuthIssuer, ir::Op::Exact, j.issuer));
    std::vector<z3::expr> auds;
    for (const auto& a : j.audiences)
      if (!a.empty()) auds.push_back(vars_.atom(ir::make_atom(Attribute::AuthAudiences, ir::Op::Exact, a)));
    accepted_by.push_back(iss && (j.audiences.empty() ? c_.bool_val(true) : any_of(c_, auds)));
  }
  invalid = vars_.token_invalid();
  not_accepted = vars_.token_valid() && !any_of(c_, accepted_by);
}

// The decision function, step by step as evaluate() takes it (DESIGN.md §4; IS §1, §2, §11, §12).
void CompiledProgram::define_decision() {
  using model::MtlsMode;
  auto named = [&](const std::string& n, const z3::expr& e) { return vars_.named(n, e); };
  const z3::expr f = c_.bool_val(false);
  const z3::expr mtls = vars_.mtls();
  z3::expr plaintext_on_strict = program_.mtls == MtlsMode::Strict ? !mtls : f;
  z3::expr mtls_on_disable = program_.mtls == MtlsMode::Disable ? mtls : f;
  z3::expr conn_rejected = named("connection_rejected", plaintext_on_strict || mtls_on_disable);
  define_actions();
  const z3::expr custom_any = program_.custom_mode == ir::CustomMode::None ? f : action_.at(model::Action::Custom);
  const bool fail_closed = program_.custom_mode == ir::CustomMode::FailClosed;
  z3::expr jwt_invalid = f, jwt_not_accepted = f;
  define_jwt(jwt_invalid, jwt_not_accepted);
  const z3::expr deny_any = action_.at(model::Action::Deny), allow_any = action_.at(model::Action::Allow);
  const z3::expr has_allow = c_.bool_val(program_.has_allow_policy);

  // The chain after CUSTOM (evaluate.cpp after_custom).
  z3::expr rest_rejected = named("rest_rejected", jwt_invalid || jwt_not_accepted);
  z3::expr rest_deny = named("rest_deny", !rest_rejected && (deny_any || (has_allow && !allow_any)));
  z3::expr rest_allow = named("rest_allow", !rest_rejected && !deny_any && (!has_allow || allow_any));
  rest_verdict_.emplace(Verdict::Rejected, rest_rejected);
  rest_verdict_.emplace(Verdict::Deny, rest_deny);
  rest_verdict_.emplace(Verdict::Allow, rest_allow);
  rest_verdict_.emplace(Verdict::Delegated, f);

  const z3::expr open = !conn_rejected;
  const z3::expr custom_hit = open && custom_any, no_custom = open && !custom_any;
  reason_.emplace(Reason::PlaintextOnStrict, named("reason_plaintext_on_strict", plaintext_on_strict));
  reason_.emplace(Reason::MtlsOnDisable, named("reason_mtls_on_disable", mtls_on_disable));
  // The query domain holds only paths the connection manager hands to the filters (symbolic_encoder.h
  // RequestDomain::path_normalization): a refused path is decided concretely (evaluate.cpp), never here.
  reason_.emplace(Reason::PathRejected, f);
  reason_.emplace(Reason::CustomMatched, named("reason_custom_matched", fail_closed ? f : custom_hit));
  reason_.emplace(Reason::CustomFailClosed, named("reason_custom_fail_closed", fail_closed ? custom_hit : f));
  reason_.emplace(Reason::InvalidToken, named("reason_invalid_token", no_custom && jwt_invalid));
  reason_.emplace(Reason::IssuerNotAccepted,
                  named("reason_issuer_not_accepted", no_custom && !jwt_invalid && jwt_not_accepted));
  z3::expr authorized = no_custom && !rest_rejected;
  reason_.emplace(Reason::DenyMatched, named("reason_deny_matched", authorized && deny_any));
  reason_.emplace(Reason::NoAllowPolicy, named("reason_no_allow_policy", authorized && !deny_any && !has_allow));
  reason_.emplace(Reason::AllowMatched,
                  named("reason_allow_matched", authorized && !deny_any && has_allow && allow_any));
  reason_.emplace(Reason::NoAllowMatched,
                  named("reason_no_allow_matched", authorized && !deny_any && has_allow && !allow_any));

  verdict_.emplace(Verdict::Rejected, named("verdict_rejected", conn_rejected || (no_custom && rest_rejected)));
  verdict_.emplace(Verdict::Delegated, named("verdict_delegated", fail_closed ? f : custom_hit));
  verdict_.emplace(Verdict::Deny, named("verdict_deny", (fail_closed ? custom_hit : f) || (no_custom && rest_deny)));
  verdict_.emplace(Verdict::Allow, named("verdict_allow", no_custom && rest_allow));
}

const ir::Rule& CompiledProgram::rule(RuleRef r) const { return rules_of(program_, r.action).at(r.index); }

std::optional<RuleRef> CompiledProgram::ref_of(const ir::Rule& r) const {
  for (auto a : {model::Action::Custom, model::Action::Deny, model::Action::Allow, model::Action::Audit}) {
    const auto& rules = rules_of(program_, a);
    if (!rules.empty() && &r >= rules.data() && &r < rules.data() + rules.size())
      return RuleRef{a, static_cast<size_t>(&r - rules.data())};
  }
  return std::nullopt;
}

z3::expr CompiledProgram::rule_match(RuleRef r) const {
  (void)rule(r);  // range check
  switch (r.action) {
    case model::Action::Custom:
      return custom_[r.index];
    case model::Action::Deny:
      return deny_[r.index];
    case model::Action::Allow:
      return allow_[r.index];
    case model::Action::Audit:
      return audit_[r.index];
  }
  return c_.bool_val(false);
}

// The rule evaluate() reports as decided_by: the first matching rule of its list that counts (every
// CUSTOM rule; enforced DENY/ALLOW rules), when that list decided.
z3::expr CompiledProgram::first_match(RuleRef r) {
  const auto& rules = rules_of(program_, r.action);
  const ir::Rule& target = rules.at(r.index);
  const bool counts_dry_run = r.action == model::Action::Custom;
  if (r.action == model::Action::Audit || (!counts_dry_run && target.policy.dry_run)) return c_.bool_val(false);
  std::vector<z3::expr> xs{rule_match(r)};
  for (size_t j = 0; j < r.index; ++j)
    if (counts_dry_run || !rules[j].policy.dry_run) xs.push_back(!rule_match({r.action, j}));
  z3::expr first = all_of(c_, xs);
  switch (r.action) {
    case model::Action::Custom:
      return first && (reason(Reason::CustomMatched) || reason(Reason::CustomFailClosed));
    case model::Action::Deny:
      return first && reason(Reason::DenyMatched);
    case model::Action::Allow:
      return first && reason(Reason::AllowMatched);
    case model::Action::Audit:
      break;
  }
  return c_.bool_val(false);
}

z3::expr CompiledProgram::decided_by(RuleRef r) {
  auto key = std::make_pair(r.action, r.index);
  auto it = decided_by_.find(key);
  if (it != decided_by_.end()) return it->second;
  z3::expr v = vars_.named("decided_by", first_match(r));
  decided_by_.emplace(key, v);
  return v;
}

}  // namespace meshproof::engine::detail
