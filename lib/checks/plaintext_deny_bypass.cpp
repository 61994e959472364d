// plaintext-deny-bypass (MP2005): a DENY rule keyed on the caller's identity (principals, namespaces,
// serviceAccounts, trustDomains, `when` source.principal/namespace/serviceAccount/trustDomain) on a port
// that accepts plaintext (PERMISSIVE or DISABLE). Identity comes from the peer's mTLS certificate; a
// plaintext connection has none, so the positive identity matcher is false and the DENY does not match it
// (IS §8). The callers the author meant to deny get through by not using mTLS (a pod without a sidecar,
// or a client that skips the mesh).
//
// Witness: the rule with its positive identity matches removed (what the author meant to deny, minus
// "and it has that identity") is appended to a copy of the program as an AUDIT rule (AUDIT never changes a
// decision), and one query asks for a plaintext request that matches it and is ALLOWED end to end. So the
// finding is only reported where the bypass is real: when ALLOW policies that all require an identity
// stop plaintext anyway, there is no finding (samples/README.md).
#include <algorithm>
#include <map>
#include <set>

#include "checks/check.h"
#include "checks/describe.h"
#include "checks/gap_pass.h"

namespace meshproof::checks {
namespace {

// The positive identity matches of a rule's principal clauses, as field names.
std::vector<std::string> identity_fields(const ir::Rule& r) {
  std::vector<std::string> out;
  for (const ir::Clause& c : r.principals)
    for (const ir::Match& m : c.matches)
      if (!m.negated && gaps::match_on_peer(m)) gaps::add_unique(out, m.field);
  return out;
}

ir::Rule strip_identity(const ir::Rule& r) {
  ir::Rule s = r;
  for (ir::Clause& c : s.principals)
    c.matches.erase(std::remove_if(c.matches.begin(), c.matches.end(),
                                   [](const ir::Match& m) { return !m.negated && gaps::match_on_peer(m); }),
                    c.matches.end());
  return s;
}

struct BypassFacts {
  std::vector<std::string> fields;
  std::vector<std::string> workloads;
  std::optional<Witness> example;
  std::string example_view, example_workload, mode, mode_by, allowed_because;
  std::string unknown;
  bool found = false;
};

class BypassAnalyzer final : public gaps::Analyzer {
 public:
  BypassAnalyzer(const CheckInfo& info, const gaps::Shared& s) : Analyzer(info), s_(s) {}

  void visit(gaps::ClassView& cls) override {
    std::set<ir::RuleId> done_here;  // rules already proven bypassable on this class
    for (gaps::View& v : cls.views) {
      const ir::Program& prog = v.program();
      if (prog.mtls == model::MtlsMode::Strict) continue;
      std::vector<size_t> candidates;
      for (size_t j = 0; j < prog.deny.size(); ++j) {
        const ir::Rule& r = prog.deny[j];
        if (r.policy.dry_run || !r.policy.policy) continue;
        if (identity_fields(r).empty() || done_here.count(r.id())) continue;
        candidates.push_back(j);
      }
      if (candidates.empty()) continue;
      std::vector<ir::Rule> stripped;
      for (size_t j : candidates) stripped.push_back(strip_identity(prog.deny[j]));
      std::optional<gaps::View::Augmented> aug;
      for (size_t c = 0; c < candidates.size(); ++c) {
        const ir::Rule& r = prog.deny[candidates[c]];
        ir::RuleId key = r.id();
        BypassFacts& f = facts_[key];
        for (const std::string& fld : identity_fields(r)) gaps::add_unique(f.fields, fld);
        if (!aug) aug = v.augmented(stripped);
        engine::RuleRef meant{model::Action::Audit, aug->first_index + c};
        engine::QueryResult res =
            aug->engine->find(engine::Query().rule_matches(meant).mtls(false).verdict(engine::Verdict::Allow));
        if (res.answer == engine::SatAnswer::Unknown) {
          if (f.unknown.empty()) f.unknown = res.reason + " on " + v.describe() + " of " + prog.workload;
          continue;
        }
        if (res.answer != engine::SatAnswer::Sat) continue;
        done_here.insert(key);
        for (const std::string& w : gaps::member_names(cls)) gaps::add_unique(f.workloads, w);
        if (f.found) continue;
        f.found = true;
        f.example = gaps::witness_of(s_, *aug->program, res);
        f.example_view = v.describe();
        f.example_workload = gaps::list_text(gaps::member_names(cls), 2);
        f.mode = model::to_string(prog.mtls);
        f.mode_by = prog.mtls_decided_by;
        f.allowed_because = res.decision->explanation;
      }
    }
  }

  void merge(gaps::Analyzer& later) override {
    gaps::merge_facts(facts_, static_cast<BypassAnalyzer&>(later).facts_, [](BypassFacts& f, BypassFacts& l) {
      gaps::add_all_unique(f.fields, l.fields);
      gaps::add_all_unique(f.workloads, l.workloads);
      gaps::keep_first(f.unknown, l.unknown);
      if (f.found || !l.found) return;
      f.found = true;
      f.example = std::move(l.example);
      f.example_view = std::move(l.example_view);
      f.example_workload = std::move(l.example_workload);
      f.mode = std::move(l.mode);
      f.mode_by = std::move(l.mode_by);
      f.allowed_because = std::move(l.allowed_because);
    });
  }

  void finish(std::vector<Finding>& out) override {
    for (const auto& pol : s_.ctx.resources.authorization_policies)
      for (size_t i = 0; i < pol.rules.size(); ++i) {
        auto it = facts_.find(ir::RuleId{&pol, static_cast<int>(i)});
        if (it != facts_.end()) report(it->first, it->second, out);
      }
  }

 private:
  void report(const ir::RuleId& key, const BypassFacts& f, std::vector<Finding>& out) const {
    const model::AuthorizationPolicy& p = *key.policy;
    const std::string subject = "DENY " + gaps::rule_text(key);
    const std::string rule_key = "rule=" + std::to_string(key.index);
    if (!f.found) {
      if (!f.unknown.empty()) {
        Finding n =
            gaps::inconclusive_finding(info(), p.ref(), gaps::rule_loc(key), subject,
                                       "plaintext requests it was meant to deny are allowed", f.unknown, rule_key);
        n.properties["rule"] = std::to_string(key.index);
        out.push_back(std::move(n));
      }
      return;
    }
    std::string msg =
        subject + " matches on the caller's identity (" + join(f.fields) +
        "), which only an mTLS connection carries, but " + f.example_view + " of " + f.example_workload +
        " accepts plaintext (mTLS mode " + f.mode +
        (f.mode_by.empty() ? std::string(", Istio's default") : ", set by " + f.mode_by) +
        "): a plaintext request has no identity, so the rule does not match it (docs/semantics.md#peer-identity)";
    if (f.example)
      msg += "; e.g. " + gaps::witness_summary(*f.example) +
             " — a request the rule would deny if it carried one of "
             "the named identities — is " +
             f.example->decision + " (" + f.allowed_because + ")";
    if (f.workloads.size() > 1) msg += "; plaintext gets through the same way on " + gaps::list_text(f.workloads, 4);
    Finding fnd = make_finding(
        info(), p.ref(), gaps::rule_loc(key), std::move(msg),
        "make the workload's mTLS mode STRICT (PeerAuthentication) so that plaintext is refused, or add a DENY "
        "rule with `notPrincipals: [\"*\"]` (it matches exactly the connections without a peer identity) for "
        "the same operations",
        rule_key);
    fnd.witness = f.example;
    fnd.properties["rule"] = std::to_string(key.index);
    fnd.properties["identity_fields"] = join(f.fields, "; ");
    fnd.properties["workloads"] = join(f.workloads, "; ");
    fnd.properties["mode"] = f.mode;
    out.push_back(std::move(fnd));
  }

  const gaps::Shared& s_;
  std::map<ir::RuleId, BypassFacts> facts_;
};

class PlaintextDenyBypass final : public gaps::SymbolicCheck {
 public:
  PlaintextDenyBypass()
      : SymbolicCheck(CheckInfo{
            "plaintext-deny-bypass", "MP2005", Severity::Error,
            "A DENY rule keyed on caller identity does not stop plaintext requests on a port that accepts them",
            "principals, namespaces, serviceAccounts and trustDomains are read from the peer's mTLS certificate. "
            "On "
            "a PERMISSIVE or DISABLE port a plaintext connection has no identity, so a DENY rule that names "
            "identities does not match it, and the callers it was written to stop get through by connecting "
            "without "
            "mTLS. Reported with a plaintext request that the rule was meant to deny and that Istio allows."}) {}
  std::unique_ptr<gaps::Analyzer> analyzer(const gaps::Shared& s) const override {
    return std::make_unique<BypassAnalyzer>(info(), s);
  }
  std::vector<ResourceRef> subjects(const Context& ctx) const override {
    return policies_with_action(ctx, {model::Action::Deny});
  }
};

}  // namespace

std::unique_ptr<Check> make_plaintext_deny_bypass_check() { return std::make_unique<PlaintextDenyBypass>(); }

}  // namespace meshproof::checks
