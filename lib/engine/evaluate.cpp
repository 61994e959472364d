// The concrete evaluator. Each function mirrors one level of the IR (ir/ir.h) and one step of Istio's
// decision (IS §1 filter order, §2 decision). Keep it boring: it is the specification.
#include "engine/evaluate.h"

#include <algorithm>

#include "base/text.h"
#include "model/regex.h"

namespace meshproof::engine {

using ir::Atom;
using ir::AttributeKind;
using ir::Op;
using ir::Protocol;
using ir::Request;

const char* to_string(Verdict v) {
  switch (v) {
    case Verdict::Allow:
      return "ALLOW";
    case Verdict::Deny:
      return "DENY";
    case Verdict::Delegated:
      return "DELEGATED";
    case Verdict::Rejected:
      return "REJECTED";
  }
  return "?";
}

const char* to_string(Reason r) {
  switch (r) {
    case Reason::PlaintextOnStrict:
      return "plaintext-on-strict";
    case Reason::MtlsOnDisable:
      return "mtls-on-disable";
    case Reason::PathRejected:
      return "path-rejected";
    case Reason::InvalidToken:
      return "invalid-token";
    case Reason::IssuerNotAccepted:
      return "issuer-not-accepted";
    case Reason::CustomMatched:
      return "custom-matched";
    case Reason::CustomFailClosed:
      return "custom-fail-closed";
    case Reason::DenyMatched:
      return "deny-matched";
    case Reason::NoAllowPolicy:
      return "no-allow-policy";
    case Reason::AllowMatched:
      return "allow-matched";
    case Reason::NoAllowMatched:
      return "no-allow-matched";
    case Reason::NoSidecar:
      return "no-sidecar";
  }
  return "?";
}

// ---- string predicates ----
// Op::Glob is ir::glob_match (ir/ir.h), the one definition lowering folds constants with too.

namespace {

// Envoy's uri_template pchar set (kLiteral): unreserved, '%', sub-delims without '*' and '=', ':', '@'.
bool template_literal_char(char c) {
  if (std::isalnum(static_cast<unsigned char>(c))) return true;
  switch (c) {
    case '-':
    case '.':
    case '_':
    case '~':
    case '%':
    case '!':
    case '$':
    case '&':
    case '\'':
    case '(':
    case ')':
    case '+':
    case ',':
    case ';':
    case ':':
    case '@':
      return true;
    default:
      return false;
  }
}

bool template_match_from(const std::string& t, size_t ti, const std::string& s, size_t si) {
  if (ti == t.size()) return si == s.size();
  if (t[ti] == '*') {
    bool text_glob = ti + 1 < t.size() && t[ti + 1] == '*';
    size_t next = ti + (text_glob ? 2 : 1);
    // `*` needs at least one character; `**` may be empty. Try every length (paths are short).
    size_t k = si;
    if (text_glob && template_match_from(t, next, s, si)) return true;
    while (k < s.size() && (template_literal_char(s[k]) || (text_glob && s[k] == '/'))) {
      ++k;
      if (template_match_from(t, next, s, k)) return true;
    }
    return false;
  }
  return si < s.size() && s[si] == t[ti] && template_match_from(t, ti + 1, s, si + 1);
}

}  // namespace

bool path_template_match(const std::string& tmpl, const std::string& path) {
  return template_match_from(tmpl, 0, path, 0);
}

namespace {

bool string_op(const Atom& a, const std::string& s) {
  switch (a.op) {
    case Op::Exact:
      return s == a.value;
    case Op::Prefix:
      return s.size() >= a.value.size() && s.compare(0, a.value.size(), a.value) == 0;
    case Op::Suffix:
      return s.size() >= a.value.size() && s.compare(s.size() - a.value.size(), a.value.size(), a.value) == 0;
    case Op::Present:
      return true;
    case Op::Glob:
      return glob_match(a.value, s);
    case Op::PathTemplate:
      return path_template_match(a.value, s);
    case Op::Regex:
      return model::regex_full_match(a.value, s);
    default:
      return false;  // Cidr/PortEq on a string attribute: ill-formed, never true
  }
}

}  // namespace

// ---- IR levels ----

bool eval_atom(const Atom& atom, const Request& request, Protocol p) {
  ir::AttributeValue v = ir::attribute_value(request, atom.attr, atom.key, p);
  if (!v.present) return false;  // every atom implies presence (DESIGN.md §6)
  switch (ir::attribute_kind(atom.attr)) {
    case AttributeKind::String: {
      if (atom.attr == ir::Attribute::Host) {
        // `hosts` match ignoring case (IS §5); atom values are lower case, compare both lowered.
        Atom a = atom;
        a.value = ascii_lower(atom.value);
        return string_op(a, v.str);
      }
      return string_op(atom, v.str);
    }
    case AttributeKind::Set:
      // Istio's value matcher is OR(list-contains v, equals v) (IS §5): some element satisfies it.
      return std::any_of(v.set.begin(), v.set.end(), [&](const std::string& s) { return string_op(atom, s); });
    case AttributeKind::Ip:
      return atom.op == Op::Cidr && atom.cidr.contains(v.ip);
    case AttributeKind::Port:
      return atom.op == Op::PortEq && atom.port == v.port;
  }
  return false;
}

bool eval_term(const ir::Term& term, const Request& request, Protocol p) {
  if (term.is_false) return false;
  for (const auto& a : term.atoms)
    if (!eval_atom(a, request, p)) return false;
  return true;
}

bool eval_match(const ir::Match& match, const Request& request, Protocol p) {
  bool any = false;
  for (const auto& t : match.terms)
    if (eval_term(t, request, p)) {
      any = true;
      break;
    }
  return match.negated ? !any : any;
}

bool eval_clause(const ir::Clause& clause, const Request& request, Protocol p) {
  for (const auto& m : clause.matches)
    if (!eval_match(m, request, p)) return false;
  return true;
}

bool eval_rule(const ir::Rule& rule, const Request& request, Protocol p) {
  auto any_clause = [&](const std::vector<ir::Clause>& cs) {
    for (const auto& c : cs)
      if (eval_clause(c, request, p)) return true;
    return false;
  };
  return any_clause(rule.principals) && any_clause(rule.permissions);
}

// ---- decision ----

Request effective_request(const ir::Program& program, const Request& request) {
  Request r = request;
  bool drop_token = program.protocol == Protocol::Tcp || !program.has_request_authentication;
  if (program.protocol == Protocol::Http) {
    // The filters see the normalized path; the `:path` pseudo-header keeps its query (request.cpp).
    ir::NormalizedPath np = ir::normalize_path(request.path, program.path_normalization);
    r.path = np.rejected ? std::string() : np.url_path;
    r.query = np.rejected ? std::string() : np.query;
  }
  if (program.protocol == Protocol::Tcp) {
    r.method.clear();
    r.path.clear();
    r.query.clear();
    r.host.clear();
    r.headers.clear();
  }
  if (drop_token) {
    r.token = ir::TokenState::None;
    r.jwt_issuer.clear();
    r.jwt_subject.clear();
    r.audiences.clear();
    r.presenters.clear();
    r.claims.clear();
  }
  return r;
}

namespace {

const ir::Rule* first_match(const std::vector<ir::Rule>& rules, const Request& r, Protocol p, bool enforced_only) {
  for (const auto& rule : rules) {
    if (enforced_only && rule.policy.dry_run) continue;
    if (eval_rule(rule, r, p)) return &rule;
  }
  return nullptr;
}

bool issuer_accepted(const ir::Program& program, const Request& r) {
  for (const auto& j : program.jwt_issuers) {
    if (!j.issuer.empty() && j.issuer != r.jwt_issuer) continue;
    if (j.audiences.empty()) return true;
    for (const auto& a : r.audiences)
      if (std::find(j.audiences.begin(), j.audiences.end(), a) != j.audiences.end()) return true;
  }
  return false;
}

struct Outcome {
  Verdict verdict;
  Reason reason;
  const ir::Rule* rule = nullptr;
  std::string explanation;
};

// The part of the chain after CUSTOM: jwt_authn, then RBAC DENY, then RBAC ALLOW (IS §1, §2, §12).
Outcome after_custom(const ir::Program& program, const Request& original, const Request& r) {
  Protocol p = program.protocol;
  if (p == Protocol::Http && program.has_request_authentication) {
    if (original.token == ir::TokenState::Invalid)
      return {Verdict::Rejected, Reason::InvalidToken, nullptr,
              "the JWT fails verification and a RequestAuthentication applies: rejected with 401 before "
              "authorization"};
    if (original.token == ir::TokenState::Valid && !issuer_accepted(program, original))
      return {Verdict::Rejected, Reason::IssuerNotAccepted, nullptr,
              "no applicable RequestAuthentication accepts a token from issuer \"" + original.jwt_issuer +
                  "\" (with these audiences): rejected with 401 before authorization"};
  }
  if (const ir::Rule* d = first_match(program.deny, r, p, true))
    return {Verdict::Deny, Reason::DenyMatched, d, "DENY rule " + d->display() + " matches"};
  if (!program.has_allow_policy)
    return {Verdict::Allow, Reason::NoAllowPolicy, nullptr,
            "no ALLOW policy applies to this workload, so anything not denied is allowed"};
  if (const ir::Rule* a = first_match(program.allow, r, p, true))
    return {Verdict::Allow, Reason::AllowMatched, a, "ALLOW rule " + a->display() + " matches"};
  return {Verdict::Deny, Reason::NoAllowMatched, nullptr,
          "ALLOW policies apply to this workload but no ALLOW rule matches"};
}

}  // namespace

Decision evaluate(const ir::Program& program, const Request& request) {
  Decision d;
  if (!program.enforced) {
    d.verdict = Verdict::Allow;
    d.reason = Reason::NoSidecar;
    d.explanation = "the workload runs without a sidecar: Istio enforces neither mTLS nor authorization";
    return d;
  }
  // 1. Connection: the mTLS mode of the port decides before any filter (IS §11).
  if (program.mtls == model::MtlsMode::Strict && !request.mtls) {
    d.verdict = Verdict::Rejected;
    d.reason = Reason::PlaintextOnStrict;
    d.explanation = "port " + std::to_string(program.port) + " is STRICT" +
                    (program.mtls_decided_by.empty() ? "" : " (" + program.mtls_decided_by + ")") +
                    ": the plaintext connection is refused before authorization";
    return d;
  }
  if (program.mtls == model::MtlsMode::Disable && request.mtls) {
    d.verdict = Verdict::Rejected;
    d.reason = Reason::MtlsOnDisable;
    d.explanation = "port " + std::to_string(program.port) + " is DISABLE" +
                    (program.mtls_decided_by.empty() ? "" : " (" + program.mtls_decided_by + ")") +
                    ": it accepts plaintext only, so the mTLS connection is not accepted";
    return d;
  }
  // 2. The connection manager answers a path it refuses before any filter (ir/path.h).
  if (program.protocol == Protocol::Http) {
    ir::NormalizedPath np = ir::normalize_path(request.path, program.path_normalization);
    if (np.rejected) {
      d.verdict = Verdict::Rejected;
      d.reason = Reason::PathRejected;
      d.explanation = "the path \"" + request.path + "\" is refused: " + np.reason;
      return d;
    }
  }
  const Request r = effective_request(program, request);
  const Protocol p = program.protocol;

  // Rules that match without deciding: AUDIT (RBAC LOG) and dry-run ALLOW/DENY (shadow rules).
  for (const auto& rule : program.audit)
    if (eval_rule(rule, r, p)) d.audit_matches.push_back(&rule);
  for (const auto* list : {&program.deny, &program.allow})
    for (const auto& rule : *list)
      if (rule.policy.dry_run && eval_rule(rule, r, p)) d.dry_run_matches.push_back(&rule);

  // 3. CUSTOM runs first in the chain, before jwt_authn (IS §1).
  if (program.custom_mode != ir::CustomMode::None) {
    if (const ir::Rule* c = first_match(program.custom, r, p, false)) {
      if (program.custom_mode == ir::CustomMode::FailClosed) {
        d.verdict = Verdict::Deny;
        d.reason = Reason::CustomFailClosed;
        d.decided_by = c;
        d.explanation =
            "CUSTOM rule " + c->display() + " matches and Istio enforces it as DENY: " + program.custom_reason;
        return d;
      }
      Outcome rest = after_custom(program, request, r);
      d.verdict = Verdict::Delegated;
      d.reason = Reason::CustomMatched;
      d.decided_by = c;
      d.explanation = "CUSTOM rule " + c->display() + " matches: the external authorizer \"" + c->policy.provider +
                      "\" decides; if it allows, " + to_string(rest.verdict) + " (" + rest.explanation + ")";
      d.if_authorizer_allows = rest.verdict;
      d.if_authorizer_allows_reason = rest.reason;
      d.if_authorizer_allows_rule = rest.rule;
      return d;
    }
  }
  Outcome o = after_custom(program, request, r);
  d.verdict = o.verdict;
  d.reason = o.reason;
  d.decided_by = o.rule;
  d.explanation = o.explanation;
  return d;
}

}  // namespace meshproof::engine
