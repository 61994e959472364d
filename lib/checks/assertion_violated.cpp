// assertion-violated (MP2012): a user invariant from `check --assert FILE` (docs/assertions.md) that the
// policies do not satisfy. Each assertion is proven symbolically over every port view of its target
// workload (the programs of the workload's class): the request it describes is an IR rule appended as an
// AUDIT rule to a copy of each program (AUDIT never changes a decision), and one query asks for a
// counterexample:
//   deny  R: R ∧ verdict == ALLOW                       (a request it says is denied, allowed)
//   allow R: R ∧ verdict != ALLOW                       (a request it says is allowed, not allowed)
//   only  P: ¬(caller ∈ P) ∧ verdict == ALLOW            (a caller outside the list, plaintext included, allowed)
// Unspecified attributes range over every value. A counterexample is the finding's witness. Unknown is
// reported as a note of this check; an `allow` whose request no view can carry (e.g. HTTP fields on a
// TCP-only workload) is reported as a note too, since it holds only vacuously.
#include <map>

#include "checks/assertions.h"
#include "checks/check.h"
#include "checks/describe.h"
#include "checks/gap_pass.h"

namespace meshproof::checks {
namespace {

struct Outcome {
  bool violated = false, satisfiable = false;
  std::optional<Witness> witness;
  std::string explanation;
  std::string view;
  std::string unknown;
};

class AssertionAnalyzer final : public gaps::Analyzer {
 public:
  AssertionAnalyzer(const CheckInfo& info, const gaps::Shared& s) : Analyzer(info), s_(s) {
    if (s.ctx.options.assertions) set_ = s.ctx.options.assertions.get();
  }

  void visit(gaps::ClassView& cls) override {
    if (!set_) return;
    for (const Assertion& a : set_->assertions) {
      const mesh::Workload* target = s_.ctx.mesh.find(a.to_ns, a.to_name);
      if (!target || target->class_id != cls.class_id) continue;
      Outcome& o = outcomes_[a.index];
      auto& views = cls.views.empty() ? cls.unenforced : cls.views;
      for (gaps::View& v : views) {
        if (o.violated) break;
        prove(a, *target, v, o);
      }
    }
  }

  // An assertion's target is one workload, so one class and one chunk decide it; this merge is what the
  // visits would do if two did (a violation ends them).
  void merge(gaps::Analyzer& later) override {
    gaps::merge_facts(outcomes_, static_cast<AssertionAnalyzer&>(later).outcomes_, [](Outcome& o, Outcome& l) {
      if (o.violated) return;
      o.satisfiable |= l.satisfiable;
      gaps::keep_first(o.unknown, l.unknown);
      if (!l.violated) return;
      o.violated = true;
      o.witness = std::move(l.witness);
      o.explanation = std::move(l.explanation);
      o.view = std::move(l.view);
    });
  }

  void finish(std::vector<Finding>& out) override {
    if (!set_) return;
    for (const Assertion& a : set_->assertions) {
      const mesh::Workload* target = s_.ctx.mesh.find(a.to_ns, a.to_name);
      if (!target) continue;  // the CLI rejects unknown targets before analysis (resolve_assertions)
      auto it = outcomes_.find(a.index);
      Outcome o = it == outcomes_.end() ? Outcome{} : it->second;
      report(a, *target, o, out);
    }
  }

 private:
  void prove(const Assertion& a, const mesh::Workload& target, gaps::View& v, Outcome& o) {
    const ir::Program& prog = v.program();
    std::optional<uint32_t> pin_port;
    if (a.port) {
      bool declared = false;
      for (const auto& p : target.ports)
        if (p.port == *a.port) declared = true;
      if (declared ? prog.port != *a.port : prog.port != 0) return;
      if (!declared) pin_port = *a.port;
    }
    if (a.kind != AssertionKind::Only && a.request.has_http() && prog.protocol != ir::Protocol::Http) return;

    auto aug = v.augmented({assertion_rule(a)});
    aug.program->workload = target.display();  // the witness names the asserted workload, not the class's
    engine::RuleRef spec{model::Action::Audit, aug.first_index};
    engine::Query q;
    if (pin_port) q.atom(ir::make_port_atom(*pin_port));
    if (a.kind == AssertionKind::Only) {
      q.rule_matches(spec, false).verdict(engine::Verdict::Allow);
    } else {
      q.rule_matches(spec);
      if (a.from.plaintext) q.mtls(false);
      AssertionToken t = a.request.token;
      if (t == AssertionToken::Default)
        t = a.kind == AssertionKind::Deny ? AssertionToken::Any
                                          : (a.request.has_jwt() ? AssertionToken::Valid : AssertionToken::None);
      if (a.request.has_jwt() && t == AssertionToken::Any) t = AssertionToken::Valid;
      if (t == AssertionToken::None) q.token(ir::TokenState::None);
      if (t == AssertionToken::Valid) q.token(ir::TokenState::Valid);
      if (t == AssertionToken::Invalid) q.token(ir::TokenState::Invalid);
      if (a.kind == AssertionKind::Allow) {
        // Vacuity: does the view carry such a request at all?
        engine::Query any = q;
        auto r = run(*aug.engine, any);
        if (r.answer == engine::SatAnswer::Unknown) {
          if (o.unknown.empty()) o.unknown = r.reason + " on " + v.describe();
          return;
        }
        if (r.answer != engine::SatAnswer::Sat) return;
        o.satisfiable = true;
      }
      q.verdict(engine::Verdict::Allow, a.kind == AssertionKind::Deny);
    }
    auto r = run(*aug.engine, q);
    if (r.answer == engine::SatAnswer::Unknown) {
      if (o.unknown.empty()) o.unknown = r.reason + " on " + v.describe();
      return;
    }
    if (r.answer != engine::SatAnswer::Sat) return;
    o.violated = true;
    o.witness = gaps::witness_of(s_, *aug.program, r);
    o.explanation = r.decision->explanation;
    o.view = v.describe();
  }

  // engine::InternalError (a bug in meshproof) is not caught: it reaches main (DESIGN.md §10).
  static engine::QueryResult run(engine::Engine& e, const engine::Query& q) { return e.find(q); }

  std::string claim(const Assertion& a) const {
    std::string to = a.to_ns + "/" + a.to_name + (a.port ? " port " + std::to_string(*a.port) : "");
    if (a.kind == AssertionKind::Only) {
      std::vector<std::string> who;
      for (const auto& p : a.principals) who.push_back(p);
      for (const auto& n : a.namespaces) who.push_back("namespace " + n);
      return "only " + (who.empty() ? std::string("no caller") : join(who)) + " may reach " + to;
    }
    std::string from = !a.from.principal.empty() ? a.from.principal
                       : !a.from.ns.empty()      ? "namespace " + a.from.ns
                       : a.from.plaintext        ? std::string("plaintext callers")
                                                 : std::string("any caller");
    std::string req;
    if (!a.request.method.empty()) req += " " + a.request.method;
    if (!a.request.path.empty()) req += " " + a.request.path;
    return std::string(a.kind == AssertionKind::Deny ? "deny" : "allow") + req + " from " + from + " to " + to;
  }

  void report(const Assertion& a, const mesh::Workload& target, const Outcome& o, std::vector<Finding>& out) const {
    const std::string key = "assert=" + (a.name.empty() ? std::to_string(a.index) : a.name);
    const std::string subject = a.label() + " (" + claim(a) + ")";
    if (o.violated) {
      std::string msg = subject + " does not hold: on " + o.view + " of " + describe_workload(target) + ", " +
                        gaps::witness_summary(*o.witness) + " is " + o.witness->decision + " (" + o.explanation + ")";
      Finding f = make_finding(info(), target.ref(), a.loc, std::move(msg),
                               "change the policies so that the assertion holds (the witness names the deciding "
                               "rule), or correct the assertion if the access is intended",
                               key);
      f.witness = o.witness;
      f.properties["assertion"] = a.label();
      f.properties["kind"] = to_string(a.kind);
      f.properties["workload"] = target.display();
      out.push_back(std::move(f));
      return;
    }
    if (!o.unknown.empty()) {
      Finding n = gaps::inconclusive_finding(info(), target.ref(), a.loc, subject, "it holds", o.unknown, key);
      n.properties["assertion"] = a.label();
      out.push_back(std::move(n));
      return;
    }
    if (a.kind == AssertionKind::Allow && !o.satisfiable) {
      Finding n =
          make_finding(info(), target.ref(), a.loc,
                       subject + " holds only vacuously: no port of " + describe_workload(target) +
                           " can carry the request it describes (e.g. HTTP fields on TCP ports, a token where no "
                           "RequestAuthentication applies, a port the workload does not serve)",
                       "check the assertion's port and request fields against the workload", key + "/vacuous");
      n.severity = Severity::Note;
      n.properties["assertion"] = a.label();
      n.properties["vacuous"] = "true";
      out.push_back(std::move(n));
    }
  }

  const gaps::Shared& s_;
  const AssertionSet* set_ = nullptr;
  std::map<size_t, Outcome> outcomes_;
};

class AssertionViolated final : public gaps::SymbolicCheck {
 public:
  AssertionViolated()
      : SymbolicCheck(CheckInfo{
            "assertion-violated", "MP2012", Severity::Error,
            "A user assertion (check --assert FILE) does not hold: a counterexample request is shown",
            "Proves the invariants of an assertions file (deny R, allow R, only these principals may reach W) over "
            "every port and protocol of the target workload with Z3. A violated assertion is reported with the "
            "request that violates it and the rule that decides it; an undecided proof is reported as a note."}) {}
  std::unique_ptr<gaps::Analyzer> analyzer(const gaps::Shared& s) const override {
    return std::make_unique<AssertionAnalyzer>(info(), s);
  }
  // Without `check --assert` there is nothing to prove, and the check does not start the shared pass.
  void run(const Context& ctx, std::vector<Finding>& out) const override {
    if (ctx.options.assertions) SymbolicCheck::run(ctx, out);
  }
  std::vector<ResourceRef> subjects(const Context& ctx) const override {
    std::vector<ResourceRef> s;
    if (!ctx.options.assertions) return s;
    for (const Assertion& a : ctx.options.assertions->assertions)
      if (const mesh::Workload* w = ctx.mesh.find(a.to_ns, a.to_name)) s.push_back(w->ref());
    return s;
  }
};

}  // namespace

std::unique_ptr<Check> make_assertion_violated_check() { return std::make_unique<AssertionViolated>(); }

}  // namespace meshproof::checks
