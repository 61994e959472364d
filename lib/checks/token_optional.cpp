// token-optional (MP2009): a RequestAuthentication whose workload still allows a request that carries no
// JWT at all. Istio's jwt_authn filter requires "provider OR allow_missing": an invalid token is rejected
// with 401, a missing token passes, and `presence: REQUIRED` is not read by pilot (IS §9, §12). Requiring a
// token takes an ALLOW rule with `requestPrincipals` (or a DENY with `notRequestPrincipals: ["*"]`); a
// RequestAuthentication on its own makes the token optional.
//
// Per HTTP view of every workload the RequestAuthentication applies to: "token == none ∧ verdict ==
// ALLOW" sat → the witness is that request. TCP views carry no JWT at all (no jwt_authn filter on a TCP
// chain, IS §1) and are not considered.
//
// Deliberate exemptions are not findings. Where the author does require a token, the requests they still
// let through without one are the exemptions they wrote next to that requirement (health checks, login
// pages), not the misunderstanding this check is about (realworld corpus: kubeflow, istio.io's
// "disable-jwt-for-healthz"):
//   * a view with an enforced DENY rule one of whose `from` clauses consists only of token conditions
//     that a request without a token satisfies (`notRequestPrincipals`, `request.auth.*` notValues) denies
//     every token-less request its `to`/`when` conditions match; what it lets through is what the rule
//     exempts, so the view is not reported;
//   * the rules of an ALLOW policy that has a rule requiring a token (every `from` clause holds a
//     `requestPrincipals` / `request.auth.*` value condition) are that policy's exemptions: the witness
//     must be allowed by some other rule (query: "none of them matches").
// A token-less request allowed by a rule of another policy is still reported: policies are additive
// (IS §2), and an ALLOW written elsewhere silently undoes the requirement.
#include <map>
#include <set>

#include "checks/check.h"
#include "checks/describe.h"
#include "checks/gap_pass.h"

namespace meshproof::checks {
namespace {

struct TokenFacts {
  std::vector<std::string> workloads;
  std::optional<Witness> example;
  std::string allowed_because;
  std::string unknown;
};

// A clause a request without a token satisfies only through token conditions: every match is a negated
// JWT match (`notRequestPrincipals`, `request.auth.*` notValues), and there is at least one.
bool clause_denies_tokenless(const ir::Clause& c) {
  if (c.matches.empty()) return false;
  for (const ir::Match& m : c.matches)
    if (!m.negated || !gaps::match_on_jwt(m)) return false;
  return true;
}

// The rule matches only requests with a valid token: every principal clause holds a positive JWT match.
bool rule_requires_token(const ir::Rule& r) {
  if (r.principals.empty()) return false;
  for (const ir::Clause& c : r.principals) {
    bool jwt = false;
    for (const ir::Match& m : c.matches)
      if (!m.negated && gaps::match_on_jwt(m)) jwt = true;
    if (!jwt) return false;
  }
  return true;
}

// An enforced DENY rule requires a token on this view (see the file comment).
bool deny_requires_token(const ir::Program& prog) {
  for (const ir::Rule& r : prog.deny) {
    if (r.policy.dry_run) continue;
    for (const ir::Clause& c : r.principals)
      if (clause_denies_tokenless(c)) return true;
  }
  return false;
}

// The enforced ALLOW rules of policies that require a token in another rule: their exemptions.
std::vector<size_t> allow_exemptions(const ir::Program& prog) {
  std::set<const model::AuthorizationPolicy*> token_aware;
  for (const ir::Rule& r : prog.allow)
    if (!r.policy.dry_run && r.policy.policy && rule_requires_token(r)) token_aware.insert(r.policy.policy);
  std::vector<size_t> out;
  for (size_t i = 0; i < prog.allow.size(); ++i)
    if (!prog.allow[i].policy.dry_run && token_aware.count(prog.allow[i].policy.policy)) out.push_back(i);
  return out;
}

class TokenAnalyzer final : public gaps::Analyzer {
 public:
  TokenAnalyzer(const CheckInfo& info, const gaps::Shared& s) : Analyzer(info), s_(s) {}

  void visit(gaps::ClassView& cls) override {
    if (cls.views.empty()) return;
    for (const model::RequestAuthentication* ra : cls.rep->request_authentications) {
      if (ra->jwt_rules.empty()) continue;
      TokenFacts& f = facts_[ra];
      for (gaps::View& v : cls.views) {
        const ir::Program& prog = v.program();
        if (prog.protocol != ir::Protocol::Http || !prog.has_request_authentication) continue;
        if (deny_requires_token(prog)) continue;  // what gets through is the DENY rule's exemptions
        engine::Query q;
        q.token(ir::TokenState::None).verdict(engine::Verdict::Allow);
        for (size_t i : allow_exemptions(prog)) q.rule_matches(engine::RuleRef{model::Action::Allow, i}, false);
        if (f.example) q.existence_only();  // only the first witness is shown; the rest only list workloads
        auto r = v.find(q);
        if (r.answer == engine::SatAnswer::Unknown) {
          if (f.unknown.empty()) f.unknown = r.reason + " on " + v.describe() + " of " + prog.workload;
          continue;
        }
        if (r.answer != engine::SatAnswer::Sat) continue;
        for (const std::string& w : gaps::member_names(cls)) gaps::add_unique(f.workloads, w);
        if (!f.example) {
          f.example = gaps::witness_of(s_, prog, r);
          f.allowed_because = r.decision->explanation;
        }
        break;
      }
    }
  }

  void merge(gaps::Analyzer& later) override {
    gaps::merge_facts(facts_, static_cast<TokenAnalyzer&>(later).facts_, [](TokenFacts& f, TokenFacts& l) {
      gaps::add_all_unique(f.workloads, l.workloads);
      if (!f.example && l.example) {
        f.example = std::move(l.example);
        f.allowed_because = std::move(l.allowed_because);
      }
      gaps::keep_first(f.unknown, l.unknown);
    });
  }

  void finish(std::vector<Finding>& out) override {
    for (const auto& ra : s_.ctx.resources.request_authentications) {
      auto it = facts_.find(&ra);
      if (it == facts_.end()) continue;
      const TokenFacts& f = it->second;
      const std::string subject = "RequestAuthentication " + namespace_of(ra) + "/" + ra.meta.name;
      if (!f.example) {
        if (!f.unknown.empty()) {
          Finding n = gaps::inconclusive_finding(info(), ra.ref(), ra.loc, subject,
                                                 "a request without a token is allowed", f.unknown, "token");
          out.push_back(std::move(n));
        }
        continue;
      }
      std::string msg = subject + " validates tokens for " + gaps::list_text(f.workloads, 3) +
                        ", but a request without any token is still allowed there: a RequestAuthentication only "
                        "rejects invalid tokens, and no ALLOW rule that admits this request requires "
                        "requestPrincipals (docs/semantics.md#request-authentication); e.g. " +
                        gaps::witness_summary(*f.example) + " without a token is " + f.example->decision + " (" +
                        f.allowed_because + ")";
      Finding fnd = make_finding(
          info(), ra.ref(), ra.loc, std::move(msg),
          "require a token where it is needed: add `requestPrincipals: [\"*\"]` (or ISSUER/*) to the `from` of the "
          "ALLOW rules for those requests, or add a DENY rule with `notRequestPrincipals: [\"*\"]` for the paths "
          "that must not be reached without one",
          "token");
      fnd.witness = f.example;
      fnd.properties["workloads"] = join(f.workloads, "; ");
      out.push_back(std::move(fnd));
    }
  }

 private:
  const gaps::Shared& s_;
  std::map<const model::RequestAuthentication*, TokenFacts> facts_;
};

class TokenOptional final : public gaps::SymbolicCheck {
 public:
  TokenOptional()
      : SymbolicCheck(CheckInfo{
            "token-optional", "MP2009", Severity::Warning,
            "A RequestAuthentication validates tokens, but requests without any token are still allowed",
            "A RequestAuthentication only rejects invalid tokens: a request without a token passes authentication "
            "(presence: REQUIRED is not enforced by Istio). Unless an ALLOW rule requires requestPrincipals (or a "
            "DENY "
            "rule denies notRequestPrincipals: [\"*\"]), the token is optional. Reported with a request without a "
            "token that Istio allows."}) {}
  std::unique_ptr<gaps::Analyzer> analyzer(const gaps::Shared& s) const override {
    return std::make_unique<TokenAnalyzer>(info(), s);
  }
  std::vector<ResourceRef> subjects(const Context& ctx) const override {
    std::vector<ResourceRef> s;
    for (const auto& ra : ctx.resources.request_authentications) s.push_back(ra.ref());
    return s;
  }
};

}  // namespace

std::unique_ptr<Check> make_token_optional_check() { return std::make_unique<TokenOptional>(); }

}  // namespace meshproof::checks
