// unreachable-allow-rule (MP2001): an enforced ALLOW rule that matches requests, but none of them is ever
// allowed, on every workload and port view its policy applies to. Istio decides in filter order (IS §1,
// §2): the connection (a STRICT port refuses plaintext, IS §11), CUSTOM, JWT authentication (an invalid
// token or an issuer no jwtRule accepts is refused, IS §12), DENY, and only then ALLOW. So a rule is
// reachable iff some request matches it and is ALLOWED, or is DELEGATED to the external authorizer and
// would be ALLOWED if the authorizer allows (a CUSTOM match does not by itself make a rule unreachable:
// the chain goes on after an allowing authorizer, IS §1).
//
// Per view: "rule matches ∧ verdict == ALLOW" unsat, and "rule matches ∧ DELEGATED ∧ the rest of the chain
// ALLOWs" unsat, while "rule matches" (on a request the port accepts) is sat. Views where the rule is
// absent (dropped on TCP) or cannot match at all do not count either way; a rule that can match nowhere is
// `never-matching-rule`'s. The rules that shadow it are found with one query each ("rule matches ∧
// decided by DENY rule j" sat), and the witness is a request the rule matches, with the decision that
// stops it.
#include <map>

#include "checks/check.h"
#include "checks/describe.h"
#include "checks/gap_support.h"

namespace meshproof::checks {
namespace {

const CheckInfo& info() {
  static const CheckInfo i{
      "unreachable-allow-rule", "MP2001", Severity::Warning,
      "An ALLOW rule matches requests, but every one of them is denied or rejected before ALLOW is evaluated",
      "Proves with Z3, on every port of every workload the policy applies to, that no request matched by the "
      "ALLOW rule is allowed: each is rejected by STRICT mTLS (plaintext) or JWT authentication, denied by a "
      "DENY rule or a fail-closed CUSTOM rule, all of which Istio evaluates before ALLOW. The rule is dead "
      "configuration that suggests an access which does not exist; usually a later DENY fence made it "
      "unreachable. The finding names the shadowing rules."};
  return i;
}

struct Facts {
  bool present = false, matchable = false, reachable = false;
  std::string unknown;
  std::vector<std::string> causes;
  std::vector<RelatedLocation> related;
  std::vector<std::string> workloads;
  std::optional<Witness> example;
  std::string example_explanation;
};

class UnreachableAnalyzer final : public gaps::Analyzer {
 public:
  explicit UnreachableAnalyzer(const gaps::Shared& s) : s_(s) {}

  void visit(gaps::ClassView& cls) override {
    for (const model::AuthorizationPolicy* p : s_.policies_of(cls)) {
      if (p->action != model::Action::Allow || p->dry_run) continue;
      for (size_t i = 0; i < p->rules.size(); ++i) {
        if (p->rules[i].is_null) continue;
        gaps::RuleKey key{p, static_cast<int>(i)};
        Facts& f = facts_[key];
        if (f.reachable) continue;
        bool matched_here = false;
        for (gaps::View& v : cls.views) {
          if (f.reachable) break;
          matched_here |= visit_view(v, key, f);
        }
        if (matched_here)
          for (const std::string& w : gaps::member_names(cls)) gaps::add_unique(f.workloads, w);
      }
    }
  }

  void finish(std::vector<Finding>& out) override {
    for (const auto& pol : s_.ctx.resources.authorization_policies)
      for (size_t i = 0; i < pol.rules.size(); ++i) {
        auto it = facts_.find(gaps::RuleKey{&pol, static_cast<int>(i)});
        if (it != facts_.end()) report(it->first, it->second, out);
      }
  }

 private:
  // True when the rule matches some request on this view (so the view counts for the verdict).
  bool visit_view(gaps::View& v, const gaps::RuleKey& key, Facts& f) {
    auto ref = v.ref(key);
    if (!ref) return false;
    f.present = true;
    const ir::Program& prog = v.program();
    const std::string where = v.describe();
    auto note_unknown = [&](const engine::QueryResult& r) {
      if (f.unknown.empty()) f.unknown = r.reason + " on " + where + " of " + prog.workload;
    };

    auto allowed = v.find(engine::Query().rule_matches(*ref).verdict(engine::Verdict::Allow));
    if (allowed.answer == engine::SatAnswer::Sat) {
      f.reachable = true;
      return true;
    }
    if (allowed.answer == engine::SatAnswer::Unknown) {
      note_unknown(allowed);
      return false;
    }
    if (prog.custom_mode == ir::CustomMode::Delegate) {
      auto delegated = v.find(engine::Query().rule_matches(*ref).if_authorizer_allows(engine::Verdict::Allow));
      if (delegated.answer == engine::SatAnswer::Sat) {
        f.reachable = true;
        return true;
      }
      if (delegated.answer == engine::SatAnswer::Unknown) {
        note_unknown(delegated);
        return false;
      }
    }
    auto matches = v.find(engine::Query().rule_matches(*ref).reason(engine::Reason::MtlsOnDisable, false));
    if (matches.answer == engine::SatAnswer::Unknown) {
      note_unknown(matches);
      return false;
    }
    if (matches.answer == engine::SatAnswer::Unsat) return false;  // cannot match here at all
    f.matchable = true;
    if (!f.example) {
      f.example = gaps::witness_of(s_, prog, matches);
      f.example_explanation = matches.decision->explanation;
    }

    // Who stops it. Reasons decided before DENY first, then each DENY rule.
    struct ReasonCause {
      engine::Reason reason;
      std::string text;
    };
    const std::string mode_by = prog.mtls_decided_by.empty() ? "" : " (" + prog.mtls_decided_by + ")";
    std::vector<ReasonCause> reasons = {
        {engine::Reason::PlaintextOnStrict,
         "STRICT mTLS on " + where + mode_by + " refuses its plaintext requests before authorization (IS §11)"},
        {engine::Reason::InvalidToken, "JWT authentication rejects its requests' invalid tokens (IS §12)"},
        {engine::Reason::IssuerNotAccepted,
         "JWT authentication rejects its tokens: no jwtRule of the workload's RequestAuthentication accepts "
         "their issuer or audience (IS §12)"},
        {engine::Reason::CustomFailClosed,
         "a CUSTOM rule Istio enforces as DENY matches them first (" + prog.custom_reason + ")"},
        {engine::Reason::CustomMatched,
         "a CUSTOM rule sends them to the external authorizer, and the rest of the chain denies them even if it "
         "allows"},
    };
    for (const ReasonCause& rc : reasons) {
      auto r = v.find(engine::Query().rule_matches(*ref).reason(rc.reason));
      if (r.answer == engine::SatAnswer::Sat) gaps::add_unique(f.causes, rc.text);
    }
    const ir::Program& p = v.program();
    for (size_t j = 0; j < p.deny.size(); ++j) {
      if (p.deny[j].policy.dry_run) continue;
      engine::RuleRef dj{model::Action::Deny, j};
      auto r = v.find(engine::Query().rule_matches(*ref).decided_by(dj));
      if (r.answer != engine::SatAnswer::Sat) continue;
      const ir::Rule& d = p.deny[j];
      gaps::RuleKey dk = gaps::key_of(d);
      std::string text = "DENY " + (dk.policy ? gaps::rule_text(dk) : d.display()) + " matches them first";
      if (d.drops.size() > 0)
        for (const ir::Drop& drop : d.drops)
          if (drop.kind == ir::DropKind::ClauseWidened || drop.kind == ir::DropKind::ItemDropped) {
            text += " (on " + where + " it is widened: " + drop.reason + ")";
            break;
          }
      if (std::find(f.causes.begin(), f.causes.end(), text) == f.causes.end()) {
        f.causes.push_back(text);
        if (dk.policy) f.related.push_back({"denies the rule's requests first", dk.policy->ref(), gaps::rule_loc(dk)});
      }
    }
    return true;
  }

  void report(const gaps::RuleKey& key, const Facts& f, std::vector<Finding>& out) const {
    if (!f.present || f.reachable) return;
    const model::AuthorizationPolicy& p = *key.policy;
    const std::string subject = "ALLOW " + gaps::rule_text(key);
    const std::string rule_key = "rule=" + std::to_string(key.index);
    if (!f.unknown.empty()) {
      Finding n = gaps::inconclusive_finding(info(), p.ref(), gaps::rule_loc(key), subject,
                                             "any request it matches is allowed", f.unknown, rule_key);
      n.properties["rule"] = std::to_string(key.index);
      out.push_back(std::move(n));
      return;
    }
    if (!f.matchable) return;  // never-matching-rule's finding
    std::string msg = subject + " can never allow a request on " + gaps::list_text(f.workloads, 3) +
                      ": every request it matches is stopped before ALLOW is evaluated, by: " +
                      (f.causes.empty() ? std::string("by an earlier step of the decision") : join(f.causes, "; ")) +
                      " (IS §2: CUSTOM and DENY run before ALLOW); proven by Z3 (no request matches the rule and "
                      "is allowed)";
    if (f.example) msg += "; e.g. " + gaps::witness_summary(*f.example) + " matches it and is " + f.example->decision;
    Finding fnd = gaps::make_finding(
        info(), p.ref(), gaps::rule_loc(key), std::move(msg),
        "remove the rule if this access is no longer wanted; otherwise narrow the DENY rule (or CUSTOM rule, or "
        "mTLS/JWT setting) that stops it so that it no longer matches the callers this rule names",
        rule_key);
    fnd.witness = f.example;
    fnd.related = f.related;
    fnd.properties["rule"] = std::to_string(key.index);
    fnd.properties["workloads"] = join(f.workloads, "; ");
    fnd.properties["proof"] = "unsat";
    out.push_back(std::move(fnd));
  }

  const gaps::Shared& s_;
  std::map<gaps::RuleKey, Facts> facts_;
};

class UnreachableAllowRule final : public Check {
 public:
  const CheckInfo& info() const override { return checks::info(); }
  void run(const Context& ctx, std::vector<Finding>& out) const override {
    const auto& f = gaps::findings_of(ctx, info().name);
    out.insert(out.end(), f.begin(), f.end());
  }
  std::vector<ResourceRef> subjects(const Context& ctx) const override {
    std::vector<ResourceRef> s;
    for (const auto& p : ctx.resources.authorization_policies)
      if (p.action == model::Action::Allow) s.push_back(p.ref());
    return s;
  }
};

}  // namespace

namespace gaps {
std::unique_ptr<Analyzer> make_unreachable_allow_rule_analyzer(const Shared& s) {
  return std::make_unique<UnreachableAnalyzer>(s);
}
}  // namespace gaps

std::unique_ptr<Check> make_unreachable_allow_rule_check() { return std::make_unique<UnreachableAllowRule>(); }

}  // namespace meshproof::checks
