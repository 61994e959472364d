// redundant-rule (MP2002): an enforced ALLOW or DENY rule every request of which is also matched by other
// enforced rules of the same action on the same workloads. Rules of one action are OR-ed and policies are
// additive (IS §2, §4), so removing such a rule changes no decision.
//
// Per view (only rules that share a workload class are ever compared): "r matches ∧ no other enforced rule
// of the action matches" unsat, while "r matches" is sat. The covering rules are then found witness by
// witness (a request of r that the cover so far misses; the earliest rule that matches it joins the cover)
// and shrunk greedily (dropping later rules first), so the finding names a small set that covers it. Of rules that
// cover each other (two identical rules), only the later one (in input order, then rule index) is reported: rules are
// decided later-first, and a rule whose cover on some view includes an already reported rule is not reported. When
// every rule of a policy is redundant and all covers are rules of other policies, one finding says the whole policy is
// redundant.
#include <algorithm>
#include <map>
#include <set>

#include "checks/check.h"
#include "checks/describe.h"
#include "checks/gap_pass.h"
#include "checks/linkerd_rules.h"
#include "engine/evaluate.h"

namespace meshproof::checks {
namespace {

struct RedundantFacts {
  bool present = false, matchable = false, uncovered = false;
  std::string unknown;
  std::vector<std::vector<ir::RuleId>> covers;  // one per view where it is covered and matchable
  std::vector<std::string> workloads;
  std::optional<Witness> example;
};

class RedundantAnalyzer final : public gaps::Analyzer {
 public:
  RedundantAnalyzer(const CheckInfo& info, const gaps::Shared& s) : Analyzer(info), s_(s) {}

  void visit(gaps::ClassView& cls) override {
    for (gaps::View& v : cls.views) {
      for (model::Action action : {model::Action::Allow, model::Action::Deny}) {
        const auto& list = action == model::Action::Allow ? v.program().allow : v.program().deny;
        std::vector<size_t> enforced;
        for (size_t i = 0; i < list.size(); ++i)
          if (!list[i].policy.dry_run && list[i].policy.policy && !list[i].from_empty_spec) enforced.push_back(i);
        for (size_t i : enforced) visit_rule(cls, v, action, list, enforced, i);
      }
    }
  }

  // A rule found uncovered somewhere is decided: later classes are not visited for it, nor merged.
  void merge(gaps::Analyzer& later) override {
    gaps::merge_facts(facts_, static_cast<RedundantAnalyzer&>(later).facts_, [](RedundantFacts& f, RedundantFacts& l) {
      if (f.uncovered) return;
      f.present |= l.present;
      f.matchable |= l.matchable;
      f.uncovered = l.uncovered;
      gaps::keep_first(f.unknown, l.unknown);
      for (auto& cover : l.covers) f.covers.push_back(std::move(cover));
      gaps::add_all_unique(f.workloads, l.workloads);
      gaps::keep_first(f.example, l.example);
    });
  }

  void finish(std::vector<Finding>& out) override {
    // Later-first decisions.
    std::vector<ir::RuleId> order;
    for (const auto& [k, f] : facts_) order.push_back(k);
    std::sort(order.begin(), order.end(), [&](const ir::RuleId& a, const ir::RuleId& b) { return later(a, b); });
    std::set<ir::RuleId> reported;
    for (const ir::RuleId& k : order) {
      const RedundantFacts& f = facts_.at(k);
      if (!f.present || !f.matchable || f.uncovered || !f.unknown.empty()) continue;
      bool blocked = false;
      for (const auto& cover : f.covers)
        for (const ir::RuleId& c : cover)
          if (reported.count(c)) blocked = true;
      if (!blocked) reported.insert(k);
    }

    // Whole policies.
    std::set<const model::AuthorizationPolicy*> whole;
    for (const auto& pol : s_.ctx.resources.authorization_policies) {
      if (pol.rules.empty() || pol.dry_run) continue;
      bool all = true, foreign = true;
      size_t counted = 0;
      for (size_t i = 0; i < pol.rules.size() && all; ++i) {
        if (pol.rules[i].is_null) continue;
        ++counted;
        ir::RuleId k{&pol, static_cast<int>(i)};
        if (!reported.count(k)) {
          all = false;
          break;
        }
        for (const auto& cover : facts_.at(k).covers)
          for (const ir::RuleId& c : cover)
            if (c.policy == &pol) foreign = false;
      }
      if (all && foreign && counted > 0) whole.insert(&pol);
    }

    for (const auto& pol : s_.ctx.resources.authorization_policies) {
      if (whole.count(&pol)) {
        report_policy(pol, out);
        continue;
      }
      for (size_t i = 0; i < pol.rules.size(); ++i) {
        ir::RuleId k{&pol, static_cast<int>(i)};
        auto it = facts_.find(k);
        if (it == facts_.end()) continue;
        if (reported.count(k))
          report_rule(k, it->second, out);
        else if (!it->second.unknown.empty() && !it->second.uncovered && it->second.present)
          report_unknown(k, it->second, out);
      }
    }
  }

 private:
  // a is decided before b: later in the input first.
  bool later(const ir::RuleId& a, const ir::RuleId& b) const {
    size_t oa = s_.order_of(a.policy), ob = s_.order_of(b.policy);
    if (oa != ob) return oa > ob;
    return a.index > b.index;
  }

  // The example shown: a request the rule matches that also reaches authorization (not refused first by
  // the port's mTLS mode or by JWT validation), so that it shows the rule and its cover deciding; `any`
  // when there is none.
  // (Canonical witnesses depend only on the program and the query, so `any` is asked only when needed.)
  static engine::QueryResult example_request(gaps::View& v, engine::RuleRef me) {
    engine::Query q;
    q.rule_matches(me);
    for (engine::Reason r : {engine::Reason::PlaintextOnStrict, engine::Reason::MtlsOnDisable,
                             engine::Reason::InvalidToken, engine::Reason::IssuerNotAccepted})
      q.reason(r, false);
    auto reached = v.find(q);
    if (reached.answer == engine::SatAnswer::Sat) return reached;
    engine::Query any;
    any.rule_matches(me);
    return v.find(any);
  }

  // A cover round decided without a witness: `covered` when the requests of r the cover misses (query
  // `missed`) are none, or `pick`, the rule the round adds, when it does not depend on the witness: the
  // earliest rule k outside the cover that matches some missed request, when it matches every one of them.
  // Then each missed request is matched by k and by no earlier rule, so whatever witness the solver would
  // show, the round would pick k. Both are existence questions (Query::existence_only), which the atom
  // algebra usually answers without a solver (engine/rule_cover.h). Neither: the round needs the witness.
  struct RoundPick {
    bool covered = false;
    std::optional<size_t> pick;
  };
  static RoundPick round_without_witness(gaps::View& v, const engine::Query& missed, model::Action action,
                                         const std::vector<size_t>& others, const std::vector<size_t>& cover) {
    RoundPick out;
    auto answer = [&](engine::Query q) {
      auto r = v.find_without_solver(q.existence_only());
      return r ? r->answer : engine::SatAnswer::Unknown;
    };
    const engine::SatAnswer any = answer(missed);
    if (any == engine::SatAnswer::Unsat) out.covered = true;
    if (any != engine::SatAnswer::Sat) return out;
    for (size_t k : others) {
      if (std::find(cover.begin(), cover.end(), k) != cover.end()) continue;
      const engine::SatAnswer meets = answer(engine::Query(missed).rule_matches(engine::RuleRef{action, k}));
      if (meets == engine::SatAnswer::Unknown) return out;
      if (meets == engine::SatAnswer::Unsat) continue;
      if (answer(engine::Query(missed).rule_matches(engine::RuleRef{action, k}, false)) == engine::SatAnswer::Unsat)
        out.pick = k;
      return out;
    }
    return out;
  }

  void visit_rule(gaps::ClassView& cls, gaps::View& v, model::Action action, const std::vector<ir::Rule>& list,
                  const std::vector<size_t>& enforced, size_t i) {
    ir::RuleId key = list[i].id();
    RedundantFacts& f = facts_[key];
    if (f.uncovered) return;
    f.present = true;
    engine::RuleRef me{action, i};
    const std::string where = v.describe() + " of " + v.program().workload;

    engine::Query q;
    q.rule_matches(me);
    for (size_t j : enforced)
      if (j != i) q.rule_matches(engine::RuleRef{action, j}, false);
    auto alone = v.find(q.existence_only());
    if (alone.answer == engine::SatAnswer::Sat) {
      f.uncovered = true;
      return;
    }
    if (alone.answer == engine::SatAnswer::Unknown) {
      if (f.unknown.empty()) f.unknown = alone.reason + " on " + where;
      return;
    }
    // Whether r can match here at all; the example shown is asked for separately (example_request).
    engine::Query matches;
    matches.rule_matches(me);
    matches.existence_only();
    auto any = v.find(matches);
    if (any.answer == engine::SatAnswer::Unknown) {  // never silent: an unknown is reported as inconclusive
      if (f.unknown.empty()) f.unknown = any.reason + " on " + where;
      return;
    }
    if (any.answer != engine::SatAnswer::Sat) return;  // cannot match here: nothing to cover
    if (!f.example) {
      auto example = example_request(v, me);
      if (example.answer != engine::SatAnswer::Sat) {  // a limit while making the witness canonical
        if (f.unknown.empty()) f.unknown = example.reason + " on " + where;
        return;
      }
      f.example = gaps::witness_of(s_, v.program(), example);
    }
    f.matchable = true;
    for (const std::string& w : gaps::member_names(cls)) gaps::add_unique(f.workloads, w);

    // The covering rules, witness-driven: ask for a request of r that none of the cover so far matches,
    // add the earliest other rule that matches it (evaluated concretely), repeat until unsat. One query per
    // covering rule instead of one per rule of the program. A round whose pick does not depend on the
    // witness is decided without one (round_without_witness).
    const ir::Program& prog = v.program();
    std::vector<size_t> others;
    for (size_t j : enforced)
      if (j != i) others.push_back(j);
    std::sort(others.begin(), others.end(), [&](size_t a, size_t b) { return later(list[b].id(), list[a].id()); });
    std::vector<size_t> cover;
    for (size_t round = 0; round <= others.size(); ++round) {
      engine::Query q;
      q.rule_matches(me);
      for (size_t k : cover) q.rule_matches(engine::RuleRef{action, k}, false);
      const RoundPick quick = round_without_witness(v, q, action, others, cover);
      if (quick.covered) break;
      if (quick.pick) {
        cover.push_back(*quick.pick);
        continue;
      }
      auto r = v.find(q);
      if (r.answer == engine::SatAnswer::Unsat) break;
      if (r.answer == engine::SatAnswer::Unknown) {  // keep every rule: a larger cover is still a cover
        cover = others;
        break;
      }
      const ir::Request seen = engine::effective_request(prog, *r.request);
      std::optional<size_t> pick;
      for (size_t j : others)
        if (std::find(cover.begin(), cover.end(), j) == cover.end() &&
            engine::eval_rule(list[j], seen, prog.protocol)) {
          pick = j;
          break;
        }
      if (!pick) {  // cannot happen after the unsat "covered" answer; stay safe
        cover = others;
        break;
      }
      cover.push_back(*pick);
    }
    // Shrink: drop later rules the rest still covers.
    std::vector<size_t> by_lateness = cover;
    std::sort(by_lateness.begin(), by_lateness.end(),
              [&](size_t a, size_t b) { return later(list[a].id(), list[b].id()); });
    for (size_t j : by_lateness) {
      if (cover.size() <= 1) break;
      engine::Query without;
      without.rule_matches(me);
      for (size_t k : cover)
        if (k != j) without.rule_matches(engine::RuleRef{action, k}, false);
      if (v.find(without.existence_only()).answer == engine::SatAnswer::Unsat)
        cover.erase(std::find(cover.begin(), cover.end(), j));
    }
    std::vector<ir::RuleId> keys;
    for (size_t j : cover) keys.push_back(list[j].id());
    std::sort(keys.begin(), keys.end(), [&](const ir::RuleId& a, const ir::RuleId& b) { return later(b, a); });
    f.covers.push_back(std::move(keys));
  }

  std::vector<ir::RuleId> all_covers(const RedundantFacts& f) const {
    std::vector<ir::RuleId> out;
    for (const auto& c : f.covers)
      for (const ir::RuleId& k : c) gaps::add_unique(out, k);
    std::sort(out.begin(), out.end(), [&](const ir::RuleId& a, const ir::RuleId& b) { return later(b, a); });
    return out;
  }

  std::string cover_text(const ir::RuleId& self, const ir::RuleId& c) const {
    if (c.policy == self.policy) return "rules[" + std::to_string(c.index) + "] of the same policy";
    return gaps::rule_text(c);
  }

  void report_rule(const ir::RuleId& k, const RedundantFacts& f, std::vector<Finding>& out) const {
    const model::AuthorizationPolicy& p = *k.policy;
    std::vector<std::string> names;
    std::vector<RelatedLocation> related;
    for (const ir::RuleId& c : all_covers(f)) {
      names.push_back(cover_text(k, c));
      related.push_back({"also matches every request of the redundant rule", c.policy->ref(), gaps::rule_loc(c)});
    }
    const char* act = p.action == model::Action::Allow ? "ALLOW" : "DENY";
    std::string msg = std::string(act) + " " + gaps::rule_text(k) + " is redundant on " +
                      gaps::list_text(f.workloads, 3) + ": every request it matches is also matched by " +
                      gaps::list_text(names, 4) +
                      ", and rules of one action are OR-ed (docs/semantics.md#decision-order, #rule-shape), so "
                      "removing it changes no decision; "
                      "proven by Z3 (no request matches it and none of those)";
    if (f.example) msg += "; e.g. " + gaps::witness_summary(*f.example) + " matches both";
    Finding fnd = make_finding(info(), p.ref(), gaps::rule_loc(k), std::move(msg),
                               "delete the rule; if it was meant to " +
                                   std::string(p.action == model::Action::Allow ? "allow" : "deny") +
                                   " something the other rules do not, fix the condition that makes it a copy",
                               "rule=" + std::to_string(k.index));
    fnd.witness = f.example;
    fnd.related = std::move(related);
    fnd.properties["rule"] = std::to_string(k.index);
    fnd.properties["covered_by"] = join(names, "; ");
    fnd.properties["workloads"] = join(f.workloads, "; ");
    out.push_back(std::move(fnd));
  }

  void report_policy(const model::AuthorizationPolicy& p, std::vector<Finding>& out) const {
    std::vector<std::string> names, workloads;
    std::vector<RelatedLocation> related;
    std::optional<Witness> example;
    for (size_t i = 0; i < p.rules.size(); ++i) {
      if (p.rules[i].is_null) continue;
      const RedundantFacts& f = facts_.at(ir::RuleId{&p, static_cast<int>(i)});
      for (const std::string& w : f.workloads) gaps::add_unique(workloads, w);
      if (!example) example = f.example;
      for (const ir::RuleId& c : all_covers(f)) {
        std::string t = gaps::rule_text(c);
        if (std::find(names.begin(), names.end(), t) != names.end()) continue;
        names.push_back(t);
        related.push_back({"covers rules of the redundant policy", c.policy->ref(), gaps::rule_loc(c)});
      }
    }
    const char* act = p.action == model::Action::Allow ? "ALLOW" : "DENY";
    std::string msg = std::string(act) + " AuthorizationPolicy " + namespace_of(p) + "/" + p.meta.name +
                      " is redundant on " + gaps::list_text(workloads, 3) +
                      ": every request any of its rules matches is also matched by " + gaps::list_text(names, 4) +
                      " of other policies, and policies of one action are additive (docs/semantics.md#decision-order), "
                      "so removing it changes "
                      "no decision; proven by Z3";
    Finding fnd = make_finding(info(), p.ref(), p.loc, std::move(msg),
                               "delete the policy, or narrow the other policies if this one was meant to be "
                               "the only grant",
                               "policy");
    fnd.witness = example;
    fnd.related = std::move(related);
    fnd.properties["covered_by"] = join(names, "; ");
    fnd.properties["workloads"] = join(workloads, "; ");
    out.push_back(std::move(fnd));
  }

  void report_unknown(const ir::RuleId& k, const RedundantFacts& f, std::vector<Finding>& out) const {
    Finding n = gaps::inconclusive_finding(info(), k.policy->ref(), gaps::rule_loc(k),
                                           std::string(model::to_string(k.policy->action)) + " " + gaps::rule_text(k),
                                           "other rules of the same action match every request it matches", f.unknown,
                                           "rule=" + std::to_string(k.index));
    n.properties["rule"] = std::to_string(k.index);
    out.push_back(std::move(n));
  }

  const gaps::Shared& s_;
  std::map<ir::RuleId, RedundantFacts> facts_;
};

class RedundantRule final : public gaps::SymbolicCheck {
 public:
  RedundantRule()
      : SymbolicCheck(CheckInfo{
            "redundant-rule", "MP2002", Severity::Note,
            "An ALLOW or DENY rule (or a whole policy) adds nothing: other rules of the same action match all its "
            "requests",
            "Proves with Z3, on every port of every workload the rule applies to, that every request the rule "
            "matches "
            "is also matched by other enforced rules of the same action. Rules and policies of one action are "
            "OR-ed, "
            "so the rule changes no decision; it is usually a copy written in another form (from.namespaces vs "
            "when source.namespace), and a reviewer who narrows one copy later leaves the other allowing or "
            "denying "
            "the old set."}) {}
  // Istio's rules through the shared pass, then Linkerd's authorizations (checks/linkerd_rules.h).
  void run(const Context& ctx, std::vector<Finding>& out) const override {
    SymbolicCheck::run(ctx, out);
    linkerd::redundant_authorizations(ctx, info(), out);
  }
  std::unique_ptr<gaps::Analyzer> analyzer(const gaps::Shared& s) const override {
    return std::make_unique<RedundantAnalyzer>(info(), s);
  }
  std::vector<ResourceRef> subjects(const Context& ctx) const override {
    std::vector<ResourceRef> out = policies_with_action(ctx, {model::Action::Allow, model::Action::Deny});
    linkerd::add_authorization_subjects(ctx, out);
    return out;
  }
};

}  // namespace

std::unique_ptr<Check> make_redundant_rule_check() { return std::make_unique<RedundantRule>(); }

}  // namespace meshproof::checks
