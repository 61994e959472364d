// deny-widened-on-tcp (MP2004): a DENY, AUDIT or CUSTOM rule with HTTP-only items (methods, paths, hosts,
// requestPrincipals, request.headers / request.auth.* `when` keys) on a TCP port. Istio's TCP filter chain
// cannot evaluate them; for these actions it drops the item and keeps the rest of the rule, and a `from` /
// `to` / `when` left with no item matches everything (IS §7; goldens tcp/deny-both-http-tcp). So a DENY
// meant for `DELETE` requests denies every connection to a database port. Istio's admission warning only
// covers `from`/`to` (not `when`), so a header-only DENY widens silently (IS §7, §9).
//
// Per declared TCP port (Service port name / appProtocol; not sniffed ports, see visit()) where the rule lost HTTP-only
// items (ir::DropKind::ItemDropped): witness = a connection that the widened rule denies (DENY: decided by the rule),
// logs (AUDIT) or sends to the external authorizer (CUSTOM); "every connection" is claimed only when "the rule does not
// match" is unsat on the accepted connections.
#include <map>

#include "checks/check.h"
#include "checks/describe.h"
#include "checks/gap_pass.h"

namespace meshproof::checks {
namespace {

struct WidenedFacts {
  std::vector<std::string> items;      // dropped HTTP-only items ("rules[0].to[0].operation.methods")
  bool when_only = true;               // every dropped item came from `when`
  std::vector<std::string> all_views;  // "port 5432 (TCP) of StatefulSet bank-data/ledger-db"
  std::vector<std::string> some_views;
  std::vector<std::string> workloads;
  std::optional<Witness> example;
  std::string unknown;
  // CUSTOM only: on some view the provider is unknown or invalid, so Istio enforces the rule as DENY
  // (IS §2 "Fails closed"); the program's reason for the first such view.
  std::string fail_closed;
};

bool http_only_drop(const ir::Drop& d) {
  return d.kind == ir::DropKind::ItemDropped && d.reason.find("HTTP-only") != std::string::npos;
}

class WidenedAnalyzer final : public gaps::Analyzer {
 public:
  WidenedAnalyzer(const CheckInfo& info, const gaps::Shared& s) : Analyzer(info), s_(s) {}

  void visit(gaps::ClassView& cls) override {
    for (const model::AuthorizationPolicy* p : s_.policies_of(cls)) {
      if (p->action == model::Action::Allow) continue;
      if (p->dry_run && p->action == model::Action::Deny) continue;  // shadow rules deny nothing
      for (size_t i = 0; i < p->rules.size(); ++i) {
        if (p->rules[i].is_null) continue;
        ir::RuleId key{p, static_cast<int>(i)};
        for (gaps::View& v : cls.views) {
          // Declared TCP ports only. The non-HTTP traffic of a sniffed port (and of undeclared ports, which
          // are sniffed) is widened the same way, but it is rare on an HTTP port and Istio's admission
          // warning already says it; reporting it would flag every HTTP-only DENY of every workload.
          if (!v.is_tcp() || v.program().sniffed) continue;
          const ir::Rule* rule = v.rule(key);
          if (!rule) continue;
          std::vector<const ir::Drop*> drops;
          for (const ir::Drop& d : rule->drops)
            if (http_only_drop(d)) drops.push_back(&d);
          if (drops.empty()) continue;
          visit_view(cls, v, key, drops);
        }
      }
    }
  }

  void merge(gaps::Analyzer& later) override {
    gaps::merge_facts(facts_, static_cast<WidenedAnalyzer&>(later).facts_, [](WidenedFacts& f, WidenedFacts& l) {
      gaps::add_all_unique(f.items, l.items);
      f.when_only = f.when_only && l.when_only;
      gaps::add_all_unique(f.all_views, l.all_views);
      gaps::add_all_unique(f.some_views, l.some_views);
      gaps::add_all_unique(f.workloads, l.workloads);
      gaps::keep_first(f.example, l.example);
      gaps::keep_first(f.unknown, l.unknown);
      gaps::keep_first(f.fail_closed, l.fail_closed);
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
  void visit_view(gaps::ClassView& cls, gaps::View& v, const ir::RuleId& key,
                  const std::vector<const ir::Drop*>& drops) {
    WidenedFacts& f = facts_[key];
    auto ref = *v.ref(key);
    const ir::Program& prog = v.program();
    const std::string where = v.describe() + " of " + gaps::list_text(gaps::member_names(cls), 2);

    // A connection the widened rule acts on.
    engine::QueryResult hit;
    switch (key.policy->action) {
      case model::Action::Deny:
        hit = v.find(engine::Query().decided_by(ref).verdict(engine::Verdict::Deny));
        if (hit.answer == engine::SatAnswer::Unsat)
          hit = v.find(engine::Query().rule_matches(ref).verdict(engine::Verdict::Deny));
        break;
      case model::Action::Custom:
        hit = v.find(engine::Query().decided_by(ref));
        break;
      default:  // AUDIT: logged on every accepted connection it matches
        hit = v.find(engine::Query()
                         .rule_matches(ref)
                         .reason(engine::Reason::PlaintextOnStrict, false)
                         .reason(engine::Reason::MtlsOnDisable, false));
        break;
    }
    if (hit.answer == engine::SatAnswer::Unknown) {
      if (f.unknown.empty()) f.unknown = hit.reason + " on " + where;
      return;
    }
    if (hit.answer != engine::SatAnswer::Sat) return;  // the widened rule decides nothing here

    for (const ir::Drop* d : drops) {
      gaps::add_unique(f.items, d->item);
      if (d->item.find(".when[") == std::string::npos) f.when_only = false;
    }
    if (!f.example) f.example = gaps::witness_of(s_, prog, hit);
    if (key.policy->action == model::Action::Custom && prog.custom_mode == ir::CustomMode::FailClosed &&
        f.fail_closed.empty())
      f.fail_closed = prog.custom_reason.empty() ? "its provider cannot be used" : prog.custom_reason;
    for (const std::string& w : gaps::member_names(cls)) gaps::add_unique(f.workloads, w);

    auto miss = v.find(engine::Query()
                           .rule_matches(ref, false)
                           .reason(engine::Reason::PlaintextOnStrict, false)
                           .reason(engine::Reason::MtlsOnDisable, false));
    if (miss.answer == engine::SatAnswer::Unsat)
      gaps::add_unique(f.all_views, where);
    else
      gaps::add_unique(f.some_views, where);
  }

  void report(const ir::RuleId& key, const WidenedFacts& f, std::vector<Finding>& out) const {
    const model::AuthorizationPolicy& p = *key.policy;
    const std::string act = model::to_string(p.action);
    const std::string subject = act + " " + gaps::rule_text(key);
    const std::string rule_key = "rule=" + std::to_string(key.index);
    if (f.all_views.empty() && f.some_views.empty()) {
      if (!f.unknown.empty()) {
        Finding n =
            gaps::inconclusive_finding(info(), p.ref(), gaps::rule_loc(key), subject,
                                       "its widened form on TCP ports matches any connection", f.unknown, rule_key);
        n.properties["rule"] = std::to_string(key.index);
        out.push_back(std::move(n));
      }
      return;
    }
    // A CUSTOM rule whose provider fails closed is enforced as DENY (IS §2), so it denies, not delegates.
    const char* verb = p.action == model::Action::Deny || !f.fail_closed.empty() ? "denies"
                       : p.action == model::Action::Audit                        ? "audits"
                                                                                 : "sends to the external authorizer";
    std::string msg = subject + " uses HTTP-only items (" + gaps::list_text(f.items, 3) +
                      ") that Istio drops on a TCP filter chain, keeping the rest of the rule "
                      "(docs/semantics.md#http-only-on-tcp): it " +
                      verb;
    std::vector<std::string> parts;
    if (!f.all_views.empty()) parts.push_back(" every connection on " + gaps::list_text(f.all_views, 3));
    if (!f.some_views.empty())
      parts.push_back(std::string(parts.empty() ? " " : " and ") +
                      "every connection its remaining conditions match on " + gaps::list_text(f.some_views, 3));
    msg += join(parts, "") + ", not only the requests the HTTP conditions describe";
    if (!f.fail_closed.empty()) msg += "; the CUSTOM rule is enforced as a DENY, Istio fails closed: " + f.fail_closed;
    if (f.when_only)
      msg +=
          "; Istio's admission warning ignores `when`, so this widening is silent (docs/semantics.md#http-only-on-tcp, "
          "#validation)";
    if (f.example) {
      msg += "; e.g. " + gaps::witness_summary(*f.example) + " is " + f.example->decision;
      const std::string self = p.meta.ns + "/" + p.meta.name + " rule " + std::to_string(key.index);
      if (!f.example->decided_by.empty() && f.example->decided_by != self)
        msg += " (" + f.example->decided_by + " matches it first)";
    }
    std::string help =
        p.action == model::Action::Deny
            ? "add `ports:` with the HTTP ports to the rule's `to` (a port condition survives on TCP and keeps the "
              "rule off other ports), or give the policy a selector that leaves out the TCP workloads"
            : "add `ports:` with the HTTP ports to the rule's `to`, or give the policy a selector that leaves out "
              "the TCP workloads";
    Finding fnd = make_finding(info(), p.ref(), gaps::rule_loc(key), std::move(msg), std::move(help), rule_key);
    fnd.witness = f.example;
    fnd.properties["rule"] = std::to_string(key.index);
    fnd.properties["dropped"] = join(f.items, "; ");
    fnd.properties["workloads"] = join(f.workloads, "; ");
    fnd.properties["matches_every_connection"] = f.all_views.empty() ? "false" : "true";
    out.push_back(std::move(fnd));
  }

  const gaps::Shared& s_;
  std::map<ir::RuleId, WidenedFacts> facts_;
};

class DenyWidenedOnTcp final : public gaps::SymbolicCheck {
 public:
  DenyWidenedOnTcp()
      : SymbolicCheck(CheckInfo{
            "deny-widened-on-tcp", "MP2004", Severity::Warning,
            "A DENY/AUDIT/CUSTOM rule loses its HTTP-only conditions on a TCP port and matches far more "
            "connections",
            "On a TCP filter chain Istio drops HTTP-only fields and `when` keys from DENY, AUDIT and CUSTOM rules "
            "instead of dropping the rule; what is left may match every connection. A DENY written for one HTTP "
            "method or header then blocks a whole database or cache port. Reported with a connection that the "
            "widened rule denies, including the `when`-only case that Istio's own admission warning misses."}) {}
  std::unique_ptr<gaps::Analyzer> analyzer(const gaps::Shared& s) const override {
    return std::make_unique<WidenedAnalyzer>(info(), s);
  }
  std::vector<ResourceRef> subjects(const Context& ctx) const override {
    return policies_with_action(ctx, {model::Action::Deny, model::Action::Audit, model::Action::Custom});
  }
};

}  // namespace

std::unique_ptr<Check> make_deny_widened_on_tcp_check() { return std::make_unique<DenyWidenedOnTcp>(); }

}  // namespace meshproof::checks
