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
// `never-matching-rule`'s. What stops it is found witness by witness (a request of the rule that no cause
// found so far stops; its decision names the next cause), and the witness is a request the rule matches,
// with the decision that stops it.
#include <algorithm>
#include <map>
#include <set>

#include "checks/check.h"
#include "checks/describe.h"
#include "checks/gap_pass.h"
#include "checks/network_blocked_rules.h"

namespace meshproof::checks {
namespace {

// What stops the rule's requests, and the DENY rule that does it when it is one.
struct Cause {
  std::string text;
  std::optional<RelatedLocation> related;
  bool operator==(const Cause& o) const { return text == o.text; }
};

struct UnreachableFacts {
  bool present = false, matchable = false, reachable = false;
  std::string unknown;
  std::vector<Cause> causes;
  std::vector<std::string> workloads;
  std::optional<Witness> example;
  std::string example_explanation;
};

class UnreachableAnalyzer final : public gaps::Analyzer {
 public:
  UnreachableAnalyzer(const CheckInfo& info, const gaps::Shared& s) : Analyzer(info), s_(s) {}

  void visit(gaps::ClassView& cls) override {
    for (const model::AuthorizationPolicy* p : s_.policies_of(cls)) {
      if (p->action != model::Action::Allow || p->dry_run) continue;
      for (size_t i = 0; i < p->rules.size(); ++i) {
        if (p->rules[i].is_null) continue;
        ir::RuleId key{p, static_cast<int>(i)};
        UnreachableFacts& f = facts_[key];
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

  // A rule found reachable somewhere is decided: later classes are not visited for it, nor merged.
  void merge(gaps::Analyzer& later) override {
    gaps::merge_facts(facts_, static_cast<UnreachableAnalyzer&>(later).facts_,
                      [](UnreachableFacts& f, UnreachableFacts& l) {
                        if (f.reachable) return;
                        f.present |= l.present;
                        f.matchable |= l.matchable;
                        f.reachable = l.reachable;
                        gaps::keep_first(f.unknown, l.unknown);
                        gaps::add_all_unique(f.causes, l.causes);
                        gaps::add_all_unique(f.workloads, l.workloads);
                        if (!f.example && l.example) {
                          f.example = std::move(l.example);
                          f.example_explanation = std::move(l.example_explanation);
                        }
                      });
  }

  void finish(std::vector<Finding>& out) override {
    std::set<ir::RuleId> reported;
    for (const auto& pol : s_.ctx.resources.authorization_policies)
      for (size_t i = 0; i < pol.rules.size(); ++i) {
        auto it = facts_.find(ir::RuleId{&pol, static_cast<int>(i)});
        if (it == facts_.end()) continue;
        report(it->first, it->second, out);
        if (it->second.present && !it->second.reachable) reported.insert(it->first);
      }
    // Rules Istio would allow that the NetworkPolicy layer under it never lets through.
    report_network_blocked_allow_rules(s_.ctx, info(), reported, out);
  }

 private:
  // True when the rule matches some request on this view (so the view counts for the verdict).
  bool visit_view(gaps::View& v, const ir::RuleId& key, UnreachableFacts& f) {
    auto ref = v.ref(key);
    if (!ref) return false;
    f.present = true;
    const ir::Program& prog = v.program();
    auto note_unknown = [&](const engine::QueryResult& r) {
      if (f.unknown.empty()) f.unknown = r.reason + " on " + v.describe() + " of " + prog.workload;
    };
    switch (reachable(v, *ref)) {
      case engine::SatAnswer::Sat:
        f.reachable = true;
        return true;
      case engine::SatAnswer::Unknown:
        note_unknown(last_);
        return false;
      case engine::SatAnswer::Unsat:
        break;
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
    find_causes(v, *ref, f);
    return true;
  }

  // Sat: some request of the rule is allowed on this view, or delegated to the external authorizer and
  // allowed if it allows; Unsat: none is; Unknown: the answer that was unknown is in last_.
  engine::SatAnswer reachable(gaps::View& v, engine::RuleRef ref) {
    last_ = v.find(engine::Query().rule_matches(ref).verdict(engine::Verdict::Allow).existence_only());
    if (last_.answer != engine::SatAnswer::Unsat || v.program().custom_mode != ir::CustomMode::Delegate)
      return last_.answer;
    last_ = v.find(engine::Query().rule_matches(ref).if_authorizer_allows(engine::Verdict::Allow).existence_only());
    return last_.answer;
  }

  // Who stops the rule's requests, witness by witness: ask for a request of the rule that none of the
  // causes found so far stops, read the cause off its decision, exclude it, repeat until unsat (one query
  // per cause).
  void find_causes(gaps::View& v, engine::RuleRef ref, UnreachableFacts& f) {
    const ir::Program& p = v.program();
    std::vector<engine::Reason> reasons;
    std::vector<size_t> denies;
    for (size_t round = 0; round < p.deny.size() + 8; ++round) {
      engine::Query q;
      q.rule_matches(ref).reason(engine::Reason::MtlsOnDisable, false);
      for (engine::Reason r : reasons) q.reason(r, false);
      for (size_t j : denies) q.decided_by(engine::RuleRef{model::Action::Deny, j}, false);
      auto r = v.find(q);
      if (r.answer != engine::SatAnswer::Sat) break;  // Unsat: every cause found; Unknown: the ones found so far
      const engine::Decision& d = *r.decision;
      std::optional<engine::RuleRef> deny;
      if (d.reason == engine::Reason::DenyMatched && d.decided_by) deny = v.ref(d.decided_by->id());
      if (!deny || deny->action != model::Action::Deny) {
        if (std::find(reasons.begin(), reasons.end(), d.reason) != reasons.end()) break;  // no progress
        reasons.push_back(d.reason);
        gaps::add_unique(f.causes, Cause{reason_text(v, d.reason), std::nullopt});
        continue;
      }
      denies.push_back(deny->index);
      add_deny_cause(v, p.deny[deny->index], f);
    }
  }

  static std::string reason_text(const gaps::View& v, engine::Reason r) {
    const ir::Program& prog = v.program();
    const std::string mode_by = prog.mtls_decided_by.empty() ? "" : " (" + prog.mtls_decided_by + ")";
    switch (r) {
      case engine::Reason::PlaintextOnStrict:
        return "STRICT mTLS on " + v.describe() + mode_by +
               " refuses its plaintext requests before authorization (docs/semantics.md#effective-mtls)";
      case engine::Reason::InvalidToken:
        return "JWT authentication rejects its requests' invalid tokens (docs/semantics.md#request-authentication)";
      case engine::Reason::IssuerNotAccepted:
        return "JWT authentication rejects tokens whose issuer or audience no jwtRule of the workload's "
               "RequestAuthentication accepts (docs/semantics.md#request-authentication)";
      case engine::Reason::CustomFailClosed:
        return "a CUSTOM rule that Istio enforces as DENY matches them first (" + prog.custom_reason + ")";
      case engine::Reason::CustomMatched:
        return "a CUSTOM rule sends them to the external authorizer, and the rest of the chain denies them even "
               "if it allows";
      default:
        return std::string("the decision step \"") + engine::to_string(r) + "\"";
    }
  }

  static void add_deny_cause(const gaps::View& v, const ir::Rule& dr, UnreachableFacts& f) {
    ir::RuleId dk = dr.id();
    std::string text = "DENY " + (dk.policy ? gaps::rule_text(dk) : dr.display()) + " matches them first";
    for (const ir::Drop& drop : dr.drops)
      if (drop.kind == ir::DropKind::ClauseWidened || drop.kind == ir::DropKind::ItemDropped) {
        text += " (on " + v.describe() + " it is widened: " + drop.reason + ")";
        break;
      }
    std::optional<RelatedLocation> related;
    if (dk.policy) related = RelatedLocation{"denies the rule's requests first", dk.policy->ref(), gaps::rule_loc(dk)};
    gaps::add_unique(f.causes, Cause{std::move(text), std::move(related)});
  }

  static std::vector<std::string> cause_texts(const UnreachableFacts& f) {
    std::vector<std::string> out;
    for (const Cause& c : f.causes) out.push_back(c.text);
    return out;
  }

  void report(const ir::RuleId& key, const UnreachableFacts& f, std::vector<Finding>& out) const {
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
    std::string msg =
        subject + " can never allow a request on " + gaps::list_text(f.workloads, 3) +
        ": every request it matches is stopped before ALLOW is evaluated, by: " +
        (f.causes.empty() ? std::string("by an earlier step of the decision") : join(cause_texts(f), "; ")) +
        " (docs/semantics.md#decision-order: CUSTOM and DENY run before ALLOW); proven by Z3 (no request "
        "matches the rule and "
        "is allowed)";
    if (f.example) msg += "; e.g. " + gaps::witness_summary(*f.example) + " matches it and is " + f.example->decision;
    Finding fnd = make_finding(
        info(), p.ref(), gaps::rule_loc(key), std::move(msg),
        "remove the rule if this access is no longer wanted; otherwise narrow the DENY rule (or CUSTOM rule, or "
        "mTLS/JWT setting) that stops it so that it no longer matches the callers this rule names",
        rule_key);
    fnd.witness = f.example;
    for (const Cause& c : f.causes)
      if (c.related) fnd.related.push_back(*c.related);
    fnd.properties["rule"] = std::to_string(key.index);
    fnd.properties["workloads"] = join(f.workloads, "; ");
    fnd.properties["proof"] = "unsat";
    out.push_back(std::move(fnd));
  }

  const gaps::Shared& s_;
  std::map<ir::RuleId, UnreachableFacts> facts_;
  engine::QueryResult last_;  // the last answer of reachable()
};

class UnreachableAllowRule final : public gaps::SymbolicCheck {
 public:
  UnreachableAllowRule()
      : SymbolicCheck(CheckInfo{
            "unreachable-allow-rule", "MP2001", Severity::Warning,
            "An ALLOW rule matches requests, but every one of them is denied or rejected before ALLOW is evaluated",
            "Proves with Z3, on every port of every workload the policy applies to, that no request matched by the "
            "ALLOW rule is allowed: each is rejected by STRICT mTLS (plaintext) or JWT authentication, denied by a "
            "DENY rule or a fail-closed CUSTOM rule, all of which Istio evaluates before ALLOW. The rule is dead "
            "configuration that suggests an access which does not exist; usually a later DENY fence made it "
            "unreachable. The finding names the shadowing rules."}) {}
  std::unique_ptr<gaps::Analyzer> analyzer(const gaps::Shared& s) const override {
    return std::make_unique<UnreachableAnalyzer>(info(), s);
  }
  std::vector<ResourceRef> subjects(const Context& ctx) const override {
    return policies_with_action(ctx, {model::Action::Allow});
  }
};

}  // namespace

std::unique_ptr<Check> make_unreachable_allow_rule_check() { return std::make_unique<UnreachableAllowRule>(); }

}  // namespace meshproof::checks
