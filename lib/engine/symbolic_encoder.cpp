// The symbolic encoder. Every formula here mirrors one function of the concrete evaluator
// (engine/evaluate.cpp), which is the specification; docs/semantics.md section `engine` lists the rules
// with their Istio sources.
#include "engine/symbolic_encoder.h"

#include <algorithm>
#include <cctype>

#include "engine/evaluate.h"
#include "engine/symbolic_seq.h"

namespace meshproof::engine::detail {

using ir::Attribute;
using ir::AttributeKind;

const std::vector<ir::Rule>& rules_of(const ir::Program& p, model::Action a) {
  switch (a) {
    case model::Action::Custom: return p.custom;
    case model::Action::Deny: return p.deny;
    case model::Action::Allow: return p.allow;
    case model::Action::Audit: return p.audit;
  }
  return p.allow;
}

namespace {

z3::expr any_of(z3::context& c, const std::vector<z3::expr>& xs) {
  if (xs.empty()) return c.bool_val(false);
  if (xs.size() == 1) return xs[0];
  z3::expr_vector v(c);
  for (const auto& x : xs) v.push_back(x);
  return z3::mk_or(v);
}

z3::expr all_of(z3::context& c, const std::vector<z3::expr>& xs) {
  if (xs.empty()) return c.bool_val(true);
  if (xs.size() == 1) return xs[0];
  z3::expr_vector v(c);
  for (const auto& x : xs) v.push_back(x);
  return z3::mk_and(v);
}

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char ch) { return std::tolower(ch); });
  return s;
}

}  // namespace

// The attribute's value domain (ir.h "Domain facts").
StrDomain attribute_domain(Attribute a) {
  StrDomain d;
  d.set_valued = ir::attribute_kind(a) == AttributeKind::Set;
  // "For every string attribute except Header, an empty value is the same as absent"; sets drop ""
  // elements (request.cpp set_value).
  d.empty_is_absent = a != Attribute::Header;
  if (ir::attribute_is_peer(a)) d.forbidden_chars = "/";  // SPIFFE id parts contain no '/'
  d.lower_case = a == Attribute::Host;                     // compared lower-cased (IS §5 `hosts`)
  return d;
}

namespace {

std::optional<StrOp> str_op(const ir::Atom& a) {
  switch (a.op) {
    case ir::Op::Exact: return StrOp::Exact;
    case ir::Op::Prefix: return a.value.empty() ? StrOp::Present : StrOp::Prefix;
    case ir::Op::Suffix: return a.value.empty() ? StrOp::Present : StrOp::Suffix;
    case ir::Op::Present: return StrOp::Present;
    case ir::Op::Glob: return StrOp::Glob;
    case ir::Op::PathTemplate: return StrOp::PathTemplate;
    case ir::Op::Regex: return StrOp::Regex;
    case ir::Op::Cidr:
    case ir::Op::PortEq: return std::nullopt;  // ill-formed on a string attribute: never true
  }
  return std::nullopt;
}

std::pair<uint64_t, uint64_t> halves(const ir::IpAddress& ip) {
  uint64_t hi = 0, lo = 0;
  for (int i = 0; i < 8; ++i) hi = (hi << 8) | ip.bytes[i];
  for (int i = 8; i < 16; ++i) lo = (lo << 8) | ip.bytes[i];
  return {hi, lo};
}

}  // namespace

Encoder::Encoder(z3::context& c, z3::solver& solver, const ir::Program& program, const EngineOptions& options)
    : c_(c),
      solver_(solver),
      program_(program),
      options_(options),
      http_(program.protocol == ir::Protocol::Http),
      mtls_(c.bool_const("mtls")),
      token_valid_(c.bool_const("token_valid")),
      token_invalid_(c.bool_const("token_invalid")),
      port_(c.bv_const("port", 16)) {
  // Connection facts. The token only exists where jwt_authn runs: HTTP with a RequestAuthentication
  // (evaluate.cpp effective_request; IS §12).
  solver_.add(!(token_valid_ && token_invalid_));
  if (!http_ || !program_.has_request_authentication) solver_.add(!token_valid_ && !token_invalid_);
  if (program_.port != 0) {
    solver_.add(program_.port <= 65535 ? port_ == c_.bv_val(program_.port, 16) : c_.bool_val(false));
  } else {
    solver_.add(port_ != c_.bv_val(0, 16));
    for (uint32_t p : options_.declared_ports)
      if (p <= 65535) solver_.add(port_ != c_.bv_val(p, 16));
  }

  // Phase 1: every string atom of the program (and of the JWT issuer check) gets its variable, so that
  // phase 2 computes each attribute's axioms once over the complete atom set.
  for (auto a : {model::Action::Custom, model::Action::Deny, model::Action::Allow, model::Action::Audit})
    for (const auto& r : rules_of(program_, a)) collect(r);
  for (const auto& j : program_.jwt_issuers) {
    if (!j.issuer.empty())
      register_string_atom(string_attr(Attribute::AuthIssuer, ""), {StrOp::Exact, j.issuer}, false);
    for (const auto& aud : j.audiences)
      if (!aud.empty())
        register_string_atom(string_attr(Attribute::AuthAudiences, ""), {StrOp::Exact, aud}, false);
  }
  // Phase 2: the axioms.
  for (auto& [k, sa] : strings_) add_axioms(sa);
  // Phase 3: rules and the decision.
  for (size_t i = 0; i < program_.custom.size(); ++i)
    custom_.push_back(named("match_custom_" + std::to_string(i), rule_formula(program_.custom[i])));
  for (size_t i = 0; i < program_.deny.size(); ++i)
    deny_.push_back(named("match_deny_" + std::to_string(i), rule_formula(program_.deny[i])));
  for (size_t i = 0; i < program_.allow.size(); ++i)
    allow_.push_back(named("match_allow_" + std::to_string(i), rule_formula(program_.allow[i])));
  for (size_t i = 0; i < program_.audit.size(); ++i)
    audit_.push_back(named("match_audit_" + std::to_string(i), rule_formula(program_.audit[i])));
  define_decision();
}

std::string Encoder::fresh_name(const std::string& stem) { return stem + "!" + std::to_string(names_++); }

z3::expr Encoder::named(const std::string& name, const z3::expr& definition) {
  z3::expr v = c_.bool_const(fresh_name(name).c_str());
  solver_.add(v == definition);
  return v;
}

void Encoder::collect(const ir::Rule& r) {
  for (const auto* clauses : {&r.principals, &r.permissions})
    for (const auto& cl : *clauses)
      for (const auto& m : cl.matches)
        for (const auto& t : m.terms)
          for (const auto& a : t.atoms) {
            AttributeKind k = ir::attribute_kind(a.attr);
            if (k == AttributeKind::String || k == AttributeKind::Set) {
              auto op = str_op(a);
              if (!op) continue;
              StrAtom sa{*op, a.attr == Attribute::Host ? lower(a.value) : a.value};
              if (*op == StrOp::Present) sa.value.clear();
              register_string_atom(string_attr(a.attr, a.key), sa, false);
            } else if (k == AttributeKind::Ip) {
              ip_attr(a.attr);
            }
          }
}

StringAttr& Encoder::string_attr(Attribute attr, const std::string& key) {
  auto it = strings_.find({attr, key});
  if (it != strings_.end()) return it->second;
  std::string stem = std::string(ir::attribute_name(attr)) + (key.empty() ? "" : "[" + key + "]");
  StringAttr sa{attr, key, attribute_domain(attr), c_.bool_const(fresh_name("defined:" + stem).c_str()), {}, {}, {}};
  // Presence facts (ir.h, request.cpp attribute_value).
  if (ir::attribute_is_peer(attr)) solver_.add(sa.defined == mtls_);  // IS §8: identity iff mTLS
  if (ir::attribute_http_only(attr) && !http_) solver_.add(!sa.defined);  // absent on a TCP view (IS §7)
  if (ir::attribute_is_jwt(attr)) solver_.add(z3::implies(sa.defined, token_valid_));  // IS §12
  if (attr == Attribute::Method && http_ && options_.http_method_always_present) solver_.add(sa.defined);
  return strings_.emplace(std::make_pair(attr, key), std::move(sa)).first->second;
}

IpAttr& Encoder::ip_attr(Attribute attr) {
  auto make = [&](Attribute a) -> IpAttr& {
    auto it = ips_.find(a);
    if (it != ips_.end()) return it->second;
    std::string stem = ir::attribute_name(a);
    IpAttr ip{c_.bool_const(fresh_name("defined:" + stem).c_str()), c_.bool_const(fresh_name("v6:" + stem).c_str()),
              c_.bv_const(fresh_name("ip:" + stem).c_str(), 128), {}};
    // An IPv4 address is stored in the top 32 bits with the rest zero, as ir::IpAddress does.
    solver_.add(z3::implies(!ip.is6, ip.bits.extract(95, 0) == c_.bv_val(0, 96)));
    return ips_.emplace(a, ip).first->second;
  };
  if (attr == Attribute::SourceIp || attr == Attribute::RemoteIp) {
    bool fresh = !ips_.count(Attribute::SourceIp);
    IpAttr& src = make(Attribute::SourceIp);
    IpAttr& rem = make(Attribute::RemoteIp);
    // remote.ip defaults to source.ip, so it exists whenever source.ip does (request.cpp).
    if (fresh) solver_.add(z3::implies(src.defined, rem.defined));
    return make(attr);
  }
  return make(attr);
}

size_t Encoder::register_string_atom(StringAttr& sa, const StrAtom& a, bool with_axioms) {
  auto it = sa.index.find(a);
  if (it != sa.index.end()) return it->second;
  size_t i = sa.atoms.size();
  sa.atoms.push_back(a);
  sa.index.emplace(a, i);
  std::string stem = std::string(ir::attribute_name(sa.attr)) + (sa.key.empty() ? "" : "[" + sa.key + "]") +
                     ":" + to_string(a.op) + ":" + a.value;
  sa.vars.push_back(c_.bool_const(fresh_name(stem).c_str()));
  // An atom added after construction (by a query): the whole attribute's axioms again, with fresh
  // auxiliaries. The earlier clauses stay; they are valid facts about strings, so keeping them is sound,
  // and the new set alone is complete.
  if (with_axioms) add_axioms(sa);
  return i;
}

void Encoder::add_axioms(StringAttr& sa) {
  // Few atoms: the pairwise clauses need no auxiliary variables (a smaller model to read back); many
  // atoms: the linear encoding avoids the quadratic blow-up. Both allow the same assignments
  // (test/symbolic/strings_test.cpp checks it).
  StrEncoding enc;
  if (sa.atoms.size() <= 16) enc.clauses = string_axioms(sa.atoms, sa.domain);
  else enc = string_axioms_linear(sa.atoms, sa.domain);
  std::vector<z3::expr> vars = sa.vars;
  vars.push_back(sa.defined);
  for (uint32_t k = 0; k < enc.aux_vars; ++k) vars.push_back(c_.bool_const(fresh_name("aux").c_str()));
  for (const StrClause& cl : enc.clauses) solver_.add(clause_expr(c_, cl, vars));
}

z3::expr Encoder::cidr_expr(Attribute attr, const ir::Cidr& cidr) {
  IpAttr& ip = ip_attr(attr);
  auto known = ip.cidrs.find(cidr);
  if (known != ip.cidrs.end()) return known->second;
  z3::expr family = cidr.base.v6 ? ip.is6 : !ip.is6;  // Cidr::contains: no cross-family match
  unsigned n = std::min<unsigned>(cidr.prefix_len, 128);
  auto [hi, lo] = halves(cidr.base);
  z3::expr want = n == 0 ? c_.bool_val(true) : n <= 64 ? c_.bv_val(n == 64 ? hi : hi >> (64 - n), n)
                          : z3::concat(c_.bv_val(hi, 64), c_.bv_val(n == 128 ? lo : lo >> (128 - n), n - 64));
  z3::expr inside = n == 0 ? ip.defined && family : ip.defined && family && ip.bits.extract(127, 128 - n) == want;
  // Named, so that the witness canonicalization sees its truth as a Boolean (the bits are chosen
  // afterwards, concretely).
  z3::expr v = named(std::string("cidr:") + ir::attribute_name(attr) + ":" + cidr.to_string(), inside);
  ip.cidrs.emplace(cidr, v);
  return v;
}

z3::expr Encoder::atom(const ir::Atom& a) {
  switch (ir::attribute_kind(a.attr)) {
    case AttributeKind::String:
    case AttributeKind::Set: {
      auto op = str_op(a);
      if (!op) return c_.bool_val(false);
      StrAtom s{*op, a.attr == Attribute::Host ? lower(a.value) : a.value};
      if (*op == StrOp::Present) s.value.clear();
      StringAttr& sa = string_attr(a.attr, a.key);
      return sa.vars[register_string_atom(sa, s, true)];
    }
    case AttributeKind::Ip:
      return a.op == ir::Op::Cidr ? cidr_expr(a.attr, a.cidr) : c_.bool_val(false);
    case AttributeKind::Port:
      if (a.op != ir::Op::PortEq || a.port > 65535) return c_.bool_val(false);
      if (auto it = port_atoms_.find(a.port); it != port_atoms_.end()) return it->second;
      return port_atoms_.emplace(a.port, named("port:" + std::to_string(a.port), port_ == c_.bv_val(a.port, 16)))
          .first->second;
  }
  return c_.bool_val(false);
}

// IR levels: a term is AND of atoms (or false), a match OR of terms (negated for not*), a clause AND of
// matches, a rule (OR principal clauses) AND (OR permission clauses) — ir.h, IS §4.
z3::expr Encoder::term(const ir::Term& t) {
  if (t.is_false) return c_.bool_val(false);
  std::vector<z3::expr> xs;
  for (const auto& a : t.atoms) xs.push_back(atom(a));
  return all_of(c_, xs);
}

z3::expr Encoder::match(const ir::Match& m) {
  std::vector<z3::expr> xs;
  for (const auto& t : m.terms) xs.push_back(term(t));
  z3::expr any = any_of(c_, xs);
  return m.negated ? !any : any;
}

z3::expr Encoder::clause(const ir::Clause& cl) {
  std::vector<z3::expr> xs;
  for (const auto& m : cl.matches) xs.push_back(match(m));
  return all_of(c_, xs);
}

z3::expr Encoder::rule_formula(const ir::Rule& r) {
  std::vector<z3::expr> ps, qs;
  for (const auto& cl : r.principals) ps.push_back(clause(cl));
  for (const auto& cl : r.permissions) qs.push_back(clause(cl));
  return any_of(c_, ps) && any_of(c_, qs);
}

// The decision function, step by step as evaluate() takes it (DESIGN.md §4; IS §1, §2, §11, §12).
void Encoder::define_decision() {
  using model::MtlsMode;
  const bool strict = program_.mtls == MtlsMode::Strict, disable = program_.mtls == MtlsMode::Disable;
  z3::expr plaintext_on_strict = strict ? !mtls_ : c_.bool_val(false);
  z3::expr mtls_on_disable = disable ? mtls_ : c_.bool_val(false);
  z3::expr conn_rejected = named("connection_rejected", plaintext_on_strict || mtls_on_disable);

  // Actions. Dry-run ALLOW/DENY rules are shadow rules and never decide (IS §2); every CUSTOM rule calls
  // the authorizer, dry-run or not (IS §2, builder.go:392-405).
  auto enforced = [&](model::Action a, const std::vector<z3::expr>& vars) {
    std::vector<z3::expr> xs;
    const auto& rules = rules_of(program_, a);
    for (size_t i = 0; i < rules.size(); ++i)
      if (!rules[i].policy.dry_run) xs.push_back(vars[i]);
    return any_of(c_, xs);
  };
  action_.emplace(model::Action::Custom, named("any_custom", any_of(c_, custom_)));
  action_.emplace(model::Action::Deny, named("any_deny", enforced(model::Action::Deny, deny_)));
  action_.emplace(model::Action::Allow, named("any_allow", enforced(model::Action::Allow, allow_)));
  action_.emplace(model::Action::Audit, named("any_audit", any_of(c_, audit_)));
  const z3::expr custom_any =
      program_.custom_mode == ir::CustomMode::None ? c_.bool_val(false) : action_.at(model::Action::Custom);
  const bool fail_closed = program_.custom_mode == ir::CustomMode::FailClosed;

  // JWT authentication (after CUSTOM): an invalid token, or a valid one that no jwtRule accepts, is
  // rejected (IS §12; evaluate.cpp issuer_accepted).
  z3::expr jwt_invalid = c_.bool_val(false), jwt_not_accepted = c_.bool_val(false);
  if (http_ && program_.has_request_authentication) {
    std::vector<z3::expr> accepted_by;
    for (const auto& j : program_.jwt_issuers) {
      z3::expr iss = j.issuer.empty() ? c_.bool_val(true) : atom(ir::make_atom(Attribute::AuthIssuer, ir::Op::Exact, j.issuer));
      std::vector<z3::expr> auds;
      for (const auto& a : j.audiences)
        if (!a.empty()) auds.push_back(atom(ir::make_atom(Attribute::AuthAudiences, ir::Op::Exact, a)));
      accepted_by.push_back(iss && (j.audiences.empty() ? c_.bool_val(true) : any_of(c_, auds)));
    }
    jwt_invalid = token_invalid_;
    jwt_not_accepted = token_valid_ && !any_of(c_, accepted_by);
  }
  const z3::expr deny_any = action_.at(model::Action::Deny), allow_any = action_.at(model::Action::Allow);
  const z3::expr has_allow = c_.bool_val(program_.has_allow_policy);

  // The chain after CUSTOM (evaluate.cpp after_custom).
  z3::expr rest_rejected = named("rest_rejected", jwt_invalid || jwt_not_accepted);
  z3::expr rest_deny = named("rest_deny", !rest_rejected && (deny_any || (has_allow && !allow_any)));
  z3::expr rest_allow = named("rest_allow", !rest_rejected && !deny_any && (!has_allow || allow_any));
  rest_verdict_.emplace(Verdict::Rejected, rest_rejected);
  rest_verdict_.emplace(Verdict::Deny, rest_deny);
  rest_verdict_.emplace(Verdict::Allow, rest_allow);
  rest_verdict_.emplace(Verdict::Delegated, c_.bool_val(false));

  const z3::expr open = !conn_rejected;
  const z3::expr custom_hit = open && custom_any;
  const z3::expr no_custom = open && !custom_any;
  reason_.emplace(Reason::PlaintextOnStrict, named("reason_plaintext_on_strict", plaintext_on_strict));
  reason_.emplace(Reason::MtlsOnDisable, named("reason_mtls_on_disable", mtls_on_disable));
  reason_.emplace(Reason::CustomMatched, named("reason_custom_matched", fail_closed ? c_.bool_val(false) : custom_hit));
  reason_.emplace(Reason::CustomFailClosed, named("reason_custom_fail_closed", fail_closed ? custom_hit : c_.bool_val(false)));
  reason_.emplace(Reason::InvalidToken, named("reason_invalid_token", no_custom && jwt_invalid));
  reason_.emplace(Reason::IssuerNotAccepted, named("reason_issuer_not_accepted", no_custom && !jwt_invalid && jwt_not_accepted));
  z3::expr authorized = no_custom && !rest_rejected;
  reason_.emplace(Reason::DenyMatched, named("reason_deny_matched", authorized && deny_any));
  reason_.emplace(Reason::NoAllowPolicy, named("reason_no_allow_policy", authorized && !deny_any && !has_allow));
  reason_.emplace(Reason::AllowMatched, named("reason_allow_matched", authorized && !deny_any && has_allow && allow_any));
  reason_.emplace(Reason::NoAllowMatched, named("reason_no_allow_matched", authorized && !deny_any && has_allow && !allow_any));

  verdict_.emplace(Verdict::Rejected, named("verdict_rejected", conn_rejected || (no_custom && rest_rejected)));
  verdict_.emplace(Verdict::Delegated, named("verdict_delegated", fail_closed ? c_.bool_val(false) : custom_hit));
  verdict_.emplace(Verdict::Deny, named("verdict_deny", (fail_closed ? custom_hit : c_.bool_val(false)) || (no_custom && rest_deny)));
  verdict_.emplace(Verdict::Allow, named("verdict_allow", no_custom && rest_allow));
}

const ir::Rule& Encoder::rule(RuleRef r) const { return rules_of(program_, r.action).at(r.index); }

std::optional<RuleRef> Encoder::ref_of(const ir::Rule& r) const {
  for (auto a : {model::Action::Custom, model::Action::Deny, model::Action::Allow, model::Action::Audit}) {
    const auto& rules = rules_of(program_, a);
    if (!rules.empty() && &r >= rules.data() && &r < rules.data() + rules.size())
      return RuleRef{a, static_cast<size_t>(&r - rules.data())};
  }
  return std::nullopt;
}

z3::expr Encoder::rule_match(RuleRef r) const {
  (void)rule(r);  // range check
  switch (r.action) {
    case model::Action::Custom: return custom_[r.index];
    case model::Action::Deny: return deny_[r.index];
    case model::Action::Allow: return allow_[r.index];
    case model::Action::Audit: return audit_[r.index];
  }
  return c_.bool_val(false);
}

z3::expr Encoder::action_match(model::Action a) const { return action_.at(a); }
z3::expr Encoder::verdict(Verdict v) const { return verdict_.at(v); }
z3::expr Encoder::reason(Reason r) const { return reason_.at(r); }
z3::expr Encoder::rest_verdict(Verdict v) const { return rest_verdict_.at(v); }

z3::expr Encoder::token(ir::TokenState t) const {
  switch (t) {
    case ir::TokenState::None: return !token_valid_ && !token_invalid_;
    case ir::TokenState::Valid: return token_valid_;
    case ir::TokenState::Invalid: return token_invalid_;
  }
  return c_.bool_val(false);
}

// The rule evaluate() reports as decided_by: the first matching rule of its list that counts (every
// CUSTOM rule; enforced DENY/ALLOW rules), when that list decided.
z3::expr Encoder::first_match(RuleRef r) {
  const auto& rules = rules_of(program_, r.action);
  const ir::Rule& target = rules.at(r.index);
  const bool counts_dry_run = r.action == model::Action::Custom;
  if (r.action == model::Action::Audit || (!counts_dry_run && target.policy.dry_run)) return c_.bool_val(false);
  std::vector<z3::expr> xs{rule_match(r)};
  for (size_t j = 0; j < r.index; ++j)
    if (counts_dry_run || !rules[j].policy.dry_run) xs.push_back(!rule_match({r.action, j}));
  z3::expr first = all_of(c_, xs);
  switch (r.action) {
    case model::Action::Custom: return first && (reason(Reason::CustomMatched) || reason(Reason::CustomFailClosed));
    case model::Action::Deny: return first && reason(Reason::DenyMatched);
    case model::Action::Allow: return first && reason(Reason::AllowMatched);
    case model::Action::Audit: break;
  }
  return c_.bool_val(false);
}

z3::expr Encoder::decided_by(RuleRef r) {
  auto key = std::make_pair(r.action, r.index);
  auto it = decided_by_.find(key);
  if (it != decided_by_.end()) return it->second;
  z3::expr v = named("decided_by", first_match(r));
  decided_by_.emplace(key, v);
  return v;
}

z3::expr Encoder::condition(const Condition& cond) {
  z3::expr e = c_.bool_val(true);
  switch (cond.kind) {
    case ConditionKind::RuleMatches: e = rule_match(cond.rule); break;
    case ConditionKind::ActionMatches: e = action_match(cond.action); break;
    case ConditionKind::VerdictIs: e = verdict(cond.verdict); break;
    case ConditionKind::ReasonIs: e = reason(cond.reason); break;
    case ConditionKind::DecidedBy: e = decided_by(cond.rule); break;
    case ConditionKind::IfAuthorizerAllows: e = verdict(Verdict::Delegated) && rest_verdict(cond.verdict); break;
    case ConditionKind::Mtls: e = mtls_; break;
    case ConditionKind::Token: e = token(cond.token); break;
    case ConditionKind::AtomHolds: e = atom(cond.atom); break;
    case ConditionKind::Protocol: e = c_.bool_val(program_.protocol == cond.protocol); break;
  }
  return cond.positive ? e : !e;
}

std::vector<z3::expr> Encoder::pin(const ir::Request& request) {
  std::vector<z3::expr> out;
  const ir::Request eff = effective_request(program_, request);
  const ir::Protocol p = program_.protocol;
  auto lit = [](const z3::expr& v, bool value) { return value ? v : !v; };
  out.push_back(lit(mtls_, request.mtls));
  out.push_back(lit(token_valid_, eff.token == ir::TokenState::Valid));
  out.push_back(lit(token_invalid_, eff.token == ir::TokenState::Invalid));
  out.push_back(request.port <= 65535 ? port_ == c_.bv_val(request.port, 16) : c_.bool_val(false));
  for (auto& [k, sa] : strings_) {
    ir::AttributeValue v = ir::attribute_value(eff, sa.attr, sa.key, p);
    out.push_back(lit(sa.defined, v.present));
    for (size_t i = 0; i < sa.atoms.size(); ++i) {
      bool holds = v.present && (sa.domain.set_valued ? str_atom_holds_on_set(sa.atoms[i], v.set)
                                                      : str_atom_holds(sa.atoms[i], v.str));
      out.push_back(lit(sa.vars[i], holds));
    }
  }
  for (auto& [attr, ip] : ips_) {
    ir::AttributeValue v = ir::attribute_value(eff, attr, "", p);
    out.push_back(lit(ip.defined, v.present));
    if (!v.present) continue;
    auto [hi, lo] = halves(v.ip);
    out.push_back(lit(ip.is6, v.ip.v6));
    out.push_back(ip.bits == z3::concat(c_.bv_val(hi, 64), c_.bv_val(lo, 64)));
  }
  return out;
}

namespace {

ir::IpAddress model_ip(ModelReader& m, const IpAttr& ip) {
  ir::IpAddress a;
  a.v6 = m.boolean(ip.is6);
  uint64_t hi = m.u64(ip.bits.extract(127, 64)), lo = m.u64(ip.bits.extract(63, 0));
  for (int i = 7; i >= 0; --i, hi >>= 8) a.bytes[i] = static_cast<uint8_t>(hi & 0xff);
  for (int i = 15; i >= 8; --i, lo >>= 8) a.bytes[i] = static_cast<uint8_t>(lo & 0xff);
  return a;
}

void assign_string(ir::Request& r, Attribute attr, const std::string& key, const std::optional<std::string>& v,
                   const std::vector<std::string>& set) {
  if (!v && set.empty()) return;
  const std::string s = v.value_or("");
  switch (attr) {
    case Attribute::PeerTrustDomain: r.peer_trust_domain = s; break;
    case Attribute::PeerNamespace: r.peer_namespace = s; break;
    case Attribute::PeerServiceAccount: r.peer_service_account = s; break;
    case Attribute::ConnectionSni: r.sni = s; break;
    case Attribute::Method: r.method = s; break;
    case Attribute::Path: r.path = s; break;
    case Attribute::Host: r.host = s; break;
    case Attribute::Header: r.headers[key] = s; break;
    case Attribute::AuthIssuer: r.jwt_issuer = s; break;
    case Attribute::AuthSubject: r.jwt_subject = s; break;
    case Attribute::AuthAudiences: r.audiences = set; break;
    case Attribute::AuthPresenters: r.presenters = set; break;
    case Attribute::AuthClaim: r.claims[key] = set; break;
    case Attribute::Metadata: r.metadata[key] = set; break;
    default: break;
  }
}

}  // namespace

std::vector<z3::expr> Encoder::canonical_order() const {
  std::vector<z3::expr> out{mtls_, token_valid_, token_invalid_};
  for (const auto& [k, sa] : strings_) {  // map order: attribute, key
    out.push_back(sa.defined);
    std::vector<size_t> idx(sa.atoms.size());
    for (size_t i = 0; i < idx.size(); ++i) idx[i] = i;
    std::sort(idx.begin(), idx.end(), [&](size_t a, size_t b) { return sa.atoms[a] < sa.atoms[b]; });
    for (size_t i : idx) out.push_back(sa.vars[i]);
  }
  for (const auto& [attr, ip] : ips_) {
    out.push_back(ip.defined);
    out.push_back(ip.is6);
    for (const auto& [cidr, v] : ip.cidrs) out.push_back(v);
  }
  for (const auto& [port, v] : port_atoms_) out.push_back(v);
  return out;
}

namespace {

ir::IpAddress plus_one(ir::IpAddress a) {
  for (int i = a.v6 ? 15 : 3; i >= 0; --i)
    if (++a.bytes[i] != 0) break;
  return a;
}

// The first address, in an order that depends only on the CIDR atoms, with the given family and CIDR
// truths; nullopt when none of the candidates fits (the model's own address is used then).
std::optional<ir::IpAddress> canonical_ip(bool v6, const std::vector<std::pair<ir::Cidr, bool>>& truths) {
  std::vector<ir::Cidr> inside;
  for (const auto& [c, t] : truths)
    if (t) inside.push_back(c);
  std::stable_sort(inside.begin(), inside.end(),
                   [](const ir::Cidr& a, const ir::Cidr& b) { return a.prefix_len > b.prefix_len; });
  std::vector<ir::IpAddress> candidates;
  for (const auto& c : inside) {
    candidates.push_back(c.base);
    candidates.push_back(plus_one(c.base));
  }
  for (const char* text : {"10.0.0.1", "192.0.2.1", "172.16.0.1", "198.51.100.7", "2001:db8::1", "fd00::1", "::1"})
    candidates.push_back(*ir::parse_ip(text));
  for (const auto& a : candidates) {
    if (a.v6 != v6) continue;
    bool ok = true;
    for (const auto& [c, t] : truths) ok = ok && c.contains(a) == t;
    if (ok) return a;
  }
  return std::nullopt;
}

}  // namespace

ModelRequest Encoder::build_request(ModelReader& m, unsigned timeout_ms) {
  ModelRequest out;
  ir::Request& r = out.request;
  r.mtls = m.boolean(mtls_);
  r.token = m.boolean(token_valid_) ? ir::TokenState::Valid
            : m.boolean(token_invalid_) ? ir::TokenState::Invalid : ir::TokenState::None;
  // The port is fixed for a declared port. For the undeclared-ports program it is chosen concretely from
  // the port atoms' truths (all that the formulas read of it), so that it does not depend on the model.
  if (program_.port != 0) {
    r.port = program_.port;
  } else {
    std::optional<uint32_t> exact;
    for (const auto& [port, v] : port_atoms_)
      if (m.boolean(v)) exact = port;
    if (exact) {
      r.port = *exact;
    } else {
      auto usable = [&](uint32_t p) {
        return !port_atoms_.count(p) && std::find(options_.declared_ports.begin(), options_.declared_ports.end(), p) ==
                                            options_.declared_ports.end();
      };
      r.port = 0;
      for (uint32_t p : {8080u, 8000u, 9000u, 10000u})
        if (!r.port && usable(p)) r.port = p;
      for (uint32_t p = 1024; !r.port && p <= 65535; ++p)
        if (usable(p)) r.port = p;
      if (!r.port) r.port = static_cast<uint32_t>(m.u64(port_));
    }
  }

  for (auto& [k, sa] : strings_) {
    StrAssignment asg;
    asg.defined = m.boolean(sa.defined);
    for (const auto& v : sa.vars) asg.atom_true.push_back(m.boolean(v));
    std::optional<std::string> value;
    std::vector<std::string> elements;
    WitnessStatus status;
    std::string error;
    if (sa.domain.set_valued) {
      SetWitness w = build_set_witness(sa.atoms, asg, sa.domain);
      status = w.status, error = w.error, elements = w.elements;
    } else {
      StringWitness w = build_string_witness(sa.atoms, asg, sa.domain);
      status = w.status, error = w.error, value = w.value;
    }
    const std::string where = std::string(ir::attribute_name(sa.attr)) + (sa.key.empty() ? "" : "[" + sa.key + "]");
    if (status == WitnessStatus::Failed)
      throw InternalError("witness construction for " + where + ": " + error);
    if (status == WitnessStatus::NeedsTheory) {
      // Opaque atoms (or no fresh character): the sequence theory decides these polarities.
      AttributeConstraint full;
      for (bool b : asg.atom_true) full.atom.push_back(b);
      full.defined = asg.defined;
      AttributeSolution s = solve_with_sequence_theory(sa.atoms, sa.domain, full, timeout_ms);
      if (s.answer == SatAnswer::Unknown) {
        out.status = ModelRequest::Status::Unknown;
        out.reason = where + ": " + s.reason;
        return out;
      }
      if (s.answer == SatAnswer::Unsat) {
        // No value has these polarities: a valid lemma (the negation of the conflicting ones).
        std::vector<z3::expr> lits;
        auto lit_of = [&](uint32_t var) {
          bool pol = var < sa.atoms.size() ? asg.atom_true[var] : asg.defined;
          z3::expr x = var < sa.atoms.size() ? sa.vars[var] : sa.defined;
          return pol ? !x : x;
        };
        if (s.core.empty())
          for (uint32_t v = 0; v <= sa.atoms.size(); ++v) lits.push_back(lit_of(v));
        for (uint32_t v : s.core) lits.push_back(lit_of(v));
        out.lemmas.push_back(any_of(c_, lits));
        out.status = ModelRequest::Status::Refine;
        continue;
      }
      value = s.value;
      elements = s.elements;
    }
    assign_string(r, sa.attr, sa.key, value, elements);
  }
  if (out.status == ModelRequest::Status::Refine) return out;

  // Attributes no atom mentions are unconstrained: give them plausible values so the witness reads
  // like a real request (they cannot change any atom's truth, because no atom reads them).
  if (r.mtls) {
    if (!strings_.count({Attribute::PeerTrustDomain, ""})) r.peer_trust_domain = "cluster.local";
    if (!strings_.count({Attribute::PeerNamespace, ""})) r.peer_namespace = "default";
    if (!strings_.count({Attribute::PeerServiceAccount, ""})) r.peer_service_account = "default";
  }
  if (http_ && options_.http_method_always_present && !strings_.count({Attribute::Method, ""})) r.method = "GET";
  if (http_ && !strings_.count({Attribute::Path, ""})) r.path = "/";

  for (auto& [attr, ip] : ips_) {
    if (!m.boolean(ip.defined)) continue;
    // The formulas read the bits only through the CIDR atoms: any address with the same family and the
    // same CIDR truths satisfies them, so a canonical one is chosen (the replay checks it).
    std::vector<std::pair<ir::Cidr, bool>> truths;
    for (const auto& [cidr, v] : ip.cidrs) truths.emplace_back(cidr, m.boolean(v));
    std::optional<ir::IpAddress> chosen = canonical_ip(m.boolean(ip.is6), truths);
    ir::IpAddress a = chosen ? *chosen : model_ip(m, ip);
    if (attr == Attribute::SourceIp) r.source_ip = a;
    if (attr == Attribute::DestinationIp) r.destination_ip = a;
    if (attr == Attribute::RemoteIp) r.remote_ip = a;
  }
  // remote.ip defaults to source.ip: only spell it out when it differs.
  if (r.remote_ip && r.source_ip && *r.remote_ip == *r.source_ip) r.remote_ip.reset();
  return out;
}

size_t Encoder::atom_count() const {
  size_t n = ips_.size();
  for (const auto& [k, sa] : strings_) n += sa.atoms.size();
  return n;
}

}  // namespace meshproof::engine::detail
