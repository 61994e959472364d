// never-matching-rule (MP2003): a rule that no request can match on any port of any workload its policy
// applies to. Proven per protocol view with Z3 ("rule matches" unsat), or because Istio drops the rule
// there (an ALLOW rule with HTTP-only fields on a TCP port, IS §7). Typical causes, named in the message:
// HTTP-only fields in an ALLOW rule on TCP-only ports (deny-all when it was the only rule, IS §2/§7);
// `ports` that are not ports of the workload; identity fields (principals, namespaces, ...) on DISABLE
// ports, where no request carries a peer identity (IS §8, §11); JWT fields without a RequestAuthentication
// (no validated token exists, IS §12); requestPrincipals without '/', which requires an empty `sub`
// (IS §5); contradictory values (paths ∩ notPaths, two exact values of one attribute).
// A request to a DISABLE port over mTLS is refused before authorization, so "matches" means: matches a
// request the port accepts. Dry-run rules are included (a shadow rule that never matches measures
// nothing). `spec: {}` (the deny-all pattern) is not a rule and is never reported.
#include <map>
#include <set>

#include "checks/check.h"
#include "checks/describe.h"
#include "checks/gap_pass.h"
#include "checks/linkerd_rules.h"
#include "ir/lower_ztunnel.h"

namespace meshproof::checks {
namespace {

bool has_positive_peer(const ir::Rule& r) {
  for (const ir::Clause& c : r.principals)
    for (const ir::Match& m : c.matches)
      if (!m.negated && gaps::match_on_peer(m)) return true;
  return false;
}

bool has_positive_jwt(const ir::Rule& r) {
  for (const ir::Clause& c : r.principals)
    for (const ir::Match& m : c.matches)
      if (!m.negated && gaps::match_on_jwt(m)) return true;
  return false;
}

// The ports of every permission clause, when every clause names some (else empty).
std::vector<uint32_t> rule_ports(const ir::Rule& r) {
  std::vector<uint32_t> out;
  for (const ir::Clause& c : r.permissions) {
    bool clause_has = false;
    for (const ir::Match& m : c.matches) {
      if (m.negated) continue;
      for (const ir::Term& t : m.terms)
        for (const ir::Atom& a : t.atoms)
          if (a.op == ir::Op::PortEq) {
            clause_has = true;
            gaps::add_unique(out, a.port);
          }
    }
    if (!clause_has) return {};
  }
  return out;
}

// requestPrincipals values that lower to `sub == ""` (no '/' and no '*', IS §5).
std::vector<std::string> subjectless_values(const model::Rule& r) {
  std::vector<std::string> out;
  auto scan = [&](const model::StrList& l) {
    for (const model::Str& v : l.items)
      if (v.value.find('/') == std::string::npos && v.value.find('*') == std::string::npos)
        gaps::add_unique(out, v.value);
  };
  for (const model::Source& s : r.from) {
    scan(s.request_principals);
    scan(s.not_request_principals);
  }
  for (const model::Condition& c : r.when)
    if (c.key.value == "request.auth.principal") {
      scan(c.values);
      scan(c.not_values);
    }
  return out;
}

struct NeverMatchingFacts {
  bool present = false;  // lowered into some view
  bool dropped = false;  // absent from some view because Istio drops it
  bool matches = false;  // some view has a request it matches
  // Matches only on the ports a workload does not declare (the "other ports" view), while it matches
  // nothing on every port the workload declares.
  bool matches_undeclared = false;
  bool unsat = false;   // Z3 proved on some view that no request matches it
  std::string unknown;  // an Unknown answer on a view where it was not proven to match
  std::vector<std::pair<std::string, std::vector<std::string>>> why;  // reason → view descriptions
  std::vector<std::string> workloads;
  std::vector<std::string> deny_all;  // "port 5432 (TCP) of X": the ALLOW policies there have no rule left
  void add_why(const std::string& reason, const std::string& view) {
    for (auto& [r, views] : why)
      if (r == reason) {
        gaps::add_unique(views, view);
        return;
      }
    why.push_back({reason, {view}});
  }
};

class NeverMatchingAnalyzer final : public gaps::Analyzer {
 public:
  NeverMatchingAnalyzer(const CheckInfo& info, const gaps::Shared& s) : Analyzer(info), s_(s) {}

  // On an ambient class, ztunnel does not enforce the policy (policy-level reason) or l7-rule-at-ztunnel
  // reports what ztunnel does with the rule's L7 parts: not a rule that never matches as written.
  static bool ztunnel_reports(const gaps::ClassView& cls, const model::AuthorizationPolicy& p, int index) {
    if (cls.rep->data_plane != mesh::DataPlane::Ambient) return false;
    return !ir::ztunnel_skip_reason(p).empty() || ir::ztunnel_rule_effect(p, index).kind != ir::ZtunnelRuleEffect::None;
  }

  void visit(gaps::ClassView& cls) override {
    for (const model::AuthorizationPolicy* p : s_.policies_of(cls)) {
      for (size_t i = 0; i < p->rules.size(); ++i) {
        if (p->rules[i].is_null) continue;
        ir::RuleId key{p, static_cast<int>(i)};
        if (ztunnel_reports(cls, *p, static_cast<int>(i))) continue;
        NeverMatchingFacts& f = facts_[key];
        if (f.matches) continue;
        for (const std::string& w : gaps::member_names(cls)) gaps::add_unique(f.workloads, w);
        for (gaps::View& v : cls.views) {
          if (f.matches) break;
          visit_view(cls, v, key, f);
        }
      }
    }
  }

  // A rule that matches somewhere is decided: later classes are not visited for it, nor merged.
  void merge(gaps::Analyzer& later) override {
    gaps::merge_facts(facts_, static_cast<NeverMatchingAnalyzer&>(later).facts_,
                      [](NeverMatchingFacts& f, NeverMatchingFacts& l) {
                        if (f.matches) return;
                        f.present |= l.present;
                        f.dropped |= l.dropped;
                        f.matches = l.matches;
                        f.matches_undeclared |= l.matches_undeclared;
                        f.unsat |= l.unsat;
                        gaps::keep_first(f.unknown, l.unknown);
                        for (const auto& [reason, views] : l.why)
                          for (const std::string& view : views) f.add_why(reason, view);
                        gaps::add_all_unique(f.workloads, l.workloads);
                        gaps::add_all_unique(f.deny_all, l.deny_all);
                      });
  }

  void finish(std::vector<Finding>& out) override {
    for (const auto& pol : s_.ctx.resources.authorization_policies) {
      for (size_t i = 0; i < pol.rules.size(); ++i) {
        auto it = facts_.find(ir::RuleId{&pol, static_cast<int>(i)});
        if (it == facts_.end()) continue;
        report(it->first, it->second, out);
      }
    }
  }

 private:
  void visit_view(gaps::ClassView& cls, gaps::View& v, const ir::RuleId& key, NeverMatchingFacts& f) {
    const ir::Program& prog = v.program();
    const std::string where = v.describe();
    auto ref = v.ref(key);
    if (!ref) {
      // Absent: Istio dropped it for this protocol (an ALLOW rule with an HTTP-only or ungeneratable item).
      const ir::LoweredPolicy& lp = s_.lowered(*key.policy, prog.protocol);
      std::string prefix = "rules[" + std::to_string(key.index) + "]";
      for (const ir::Drop& d : lp.drops) {
        if (d.kind != ir::DropKind::RuleDropped) continue;
        if (d.item.compare(0, prefix.size(), prefix) != 0 ||
            (d.item.size() > prefix.size() && d.item[prefix.size()] != '.'))
          continue;
        f.dropped = true;
        f.add_why("Istio drops the rule (" + d.reason + ")", where);
        if (prog.has_allow_policy && prog.allow.empty())
          gaps::add_unique(f.deny_all, where + " of " + gaps::list_text(gaps::member_names(cls), 2));
        break;
      }
      return;
    }
    f.present = true;
    const ir::Rule& rule = *v.rule(key);
    engine::QueryResult r =
        v.find(engine::Query().rule_matches(*ref).reason(engine::Reason::MtlsOnDisable, false).existence_only());
    if (r.answer == engine::SatAnswer::Sat) {
      if (prog.port == 0 && declares_ports(cls))
        f.matches_undeclared = true;
      else
        f.matches = true;
      return;
    }
    if (r.answer == engine::SatAnswer::Unknown) {
      if (f.unknown.empty()) f.unknown = r.reason + " on " + where;
      return;
    }
    f.unsat = true;
    f.add_why(reason_for(cls, v, *ref, rule, key), where);
  }

  static bool declares_ports(const gaps::ClassView& cls) {
    for (const gaps::View& v : cls.views)
      if (v.program().port != 0) return true;
    return false;
  }

  // "15432 is the port of Service data/db, which forwards to workload port 5432", for each `ports` value
  // that is a Service port of the workload rather than one of its own ports ("" when none is).
  static std::string service_port_note(const gaps::ClassView& cls, const std::vector<uint32_t>& ports) {
    std::vector<std::string> notes;
    for (uint32_t p : ports)
      for (const mesh::WorkloadPort& wp : cls.rep->ports)
        for (const std::string& svc : wp.services) {  // "ns/name:port"
          const size_t colon = svc.rfind(':');
          if (wp.port == p || svc.substr(colon + 1) != std::to_string(p)) continue;
          gaps::add_unique(notes, std::to_string(p) + " is the port of Service " + svc.substr(0, colon) +
                                      ", which forwards to workload port " + std::to_string(wp.port));
        }
    return join(notes, "; ");
  }

  // Why a rule cannot match on a view (the proof is the unsat answer; this only names the likely cause).
  std::string reason_for(const gaps::ClassView& cls, gaps::View& v, engine::RuleRef ref, const ir::Rule& rule,
                         const ir::RuleId& key) {
    const ir::Program& prog = v.program();
    const model::Rule& written = key.policy->rules[key.index];
    if (prog.mtls == model::MtlsMode::Disable && has_positive_peer(rule)) {
      auto any = v.find(engine::Query().rule_matches(ref).existence_only());
      if (any.answer == engine::SatAnswer::Sat)
        return "the port accepts only plaintext (mTLS mode DISABLE" +
               (prog.mtls_decided_by.empty() ? std::string() : ", " + prog.mtls_decided_by) +
               ") and the rule requires a peer identity, which only mTLS connections carry "
               "(docs/semantics.md#peer-identity, #effective-mtls)";
    }
    std::vector<uint32_t> ports = rule_ports(rule);
    if (!ports.empty() && std::find(ports.begin(), ports.end(), prog.port) == ports.end()) {
      std::vector<std::string> ps;
      for (uint32_t p : ports) ps.push_back(std::to_string(p));
      const std::string service_ports = service_port_note(cls, ports);
      const bool when_only = ports_field(written) != "`ports`";
      return "its " + ports_field(written) + " (" + join(ps) + (when_only ? ") does" : ") do") +
             " not include the port" +
             (service_ports.empty() ? "" : ": " + service_ports + ", and `ports` matches workload ports");
    }
    // Causes that hold whatever else is configured come first, so that the help never suggests a fix
    // that leaves the rule dead (a RequestAuthentication does not help a requestPrincipal without '/').
    std::vector<std::string> causes = excluding_stars(written, prog.protocol == ir::Protocol::Http);
    for (const std::string& v : subjectless_values(written))
      causes.push_back("requestPrincipals value \"" + v +
                       "\" has no '/', so Istio requires the token's `sub` to be empty, which no token has "
                       "(docs/semantics.md#value-matching)");
    // A value no request carries is the cause only when nothing above already excludes the requests.
    if (const std::string unmatchable = unmatchable_values(v, key); !unmatchable.empty() && causes.empty())
      causes.push_back(unmatchable);
    if (has_positive_jwt(rule) && prog.protocol == ir::Protocol::Http && !prog.has_request_authentication)
      causes.push_back(
          "it requires a JWT, but no RequestAuthentication applies to the workload, so no request carries a "
          "validated token (docs/semantics.md#request-authentication)");
    if (causes.empty()) return "its conditions contradict each other";
    return join(causes, "; and ");
  }

  // The field a rule names its ports with: `ports` in `to`, else a `when` on destination.port.
  static std::string ports_field(const model::Rule& r) {
    for (const model::Operation& op : r.to)
      if (!op.ports.items.empty()) return "`ports`";
    return "`destination.port` condition";
  }

  // `notX: ["*"]` values: each excludes every request that carries X. On HTTP every request has a method,
  // path and host (Envoy requires them); identities and tokens exist only when the rule also asks for one
  // (else the rule would match the requests without them and not be here).
  static std::vector<std::string> excluding_stars(const model::Rule& r, bool http) {
    std::vector<std::string> out;
    auto star = [](const model::StrList& l) {
      return std::any_of(l.items.begin(), l.items.end(), [](const model::Str& v) { return v.value == "*"; });
    };
    auto add = [&](const char* field, const std::string& what) {
      gaps::add_unique(out, std::string("`") + field + ": [\"*\"]` excludes every request that has " + what);
    };
    for (const model::Source& s : r.from) {
      if (star(s.not_principals)) add("notPrincipals", "a peer identity, and the rule requires one");
      if (star(s.not_namespaces)) add("notNamespaces", "a peer identity, and the rule requires one");
      if (star(s.not_request_principals)) add("notRequestPrincipals", "a token, and the rule requires one");
    }
    for (const model::Operation& op : r.to) {
      if (star(op.not_methods) && http) add("notMethods", "a method, and every HTTP request has one");
      if (star(op.not_paths) && http) add("notPaths", "a path, and every HTTP request has one");
      if (star(op.not_hosts) && http) add("notHosts", "a host, and every HTTP request has one");
    }
    return out;
  }

  // The lowering's notes on values of this rule that no request can carry (a principal not shaped
  // TD/ns/NAMESPACE/sa/ACCOUNT, ...), joined; "" when there is none.
  std::string unmatchable_values(gaps::View& v, const ir::RuleId& key) const {
    const ir::LoweredPolicy& lp = s_.lowered(*key.policy, v.program().protocol);
    const std::string prefix = "rules[" + std::to_string(key.index) + "].";
    std::vector<std::string> reasons;
    for (const ir::Drop& d : lp.drops)
      // A `not*` value no request carries excludes nothing: it is never why a rule matches nothing.
      if (d.kind == ir::DropKind::ValueUnmatchable && d.item.compare(0, prefix.size(), prefix) == 0 &&
          d.item.find(".not") == std::string::npos && d.item.find("notValues") == std::string::npos)
        gaps::add_unique(reasons, d.reason);
    return join(reasons, "; ");
  }

  void report(const ir::RuleId& key, const NeverMatchingFacts& f, std::vector<Finding>& out) const {
    if (f.matches || (!f.present && !f.dropped)) return;
    const model::AuthorizationPolicy& p = *key.policy;
    const std::string subject = rule_text_of(key);
    const std::string workloads = gaps::list_text(f.workloads, 3);
    if (!f.unknown.empty()) {
      Finding n = gaps::inconclusive_finding(info(), p.ref(), gaps::rule_loc(key), subject,
                                             "it can match any request on " + workloads, f.unknown,
                                             "rule=" + std::to_string(key.index));
      n.properties["rule"] = std::to_string(key.index);
      out.push_back(std::move(n));
      return;
    }
    const char* effect = p.action == model::Action::Allow   ? "allows nothing"
                         : p.action == model::Action::Deny  ? "denies nothing"
                         : p.action == model::Action::Audit ? "audits nothing"
                                                            : "sends nothing to the external authorizer";
    std::string msg = subject +
                      (f.matches_undeclared ? " matches no request on any port that " + workloads + " declares"
                                            : " can never match a request on " + workloads) +
                      ", so it " + effect + (f.matches_undeclared ? " there: " : ": ");
    std::vector<std::string> parts;
    bool dropped_reason = false, ports_reason = false, disable_reason = false, jwt_reason = false, sub_reason = false,
         value_reason = false, star_reason = false;
    for (const auto& [reason, views] : f.why) {
      parts.push_back("on " + gaps::list_text(views, 4) + ", " + reason);
      if (reason.rfind("Istio drops", 0) == 0) dropped_reason = true;
      if (reason.find("do not include the port") != std::string::npos) ports_reason = true;
      if (reason.find("excludes every request") != std::string::npos) star_reason = true;
      if (reason.find("DISABLE") != std::string::npos) disable_reason = true;
      if (reason.find("RequestAuthentication") != std::string::npos) jwt_reason = true;
      if (reason.find("no '/'") != std::string::npos) sub_reason = true;
      if (reason.find("cannot match") != std::string::npos || reason.find("is not `name`") != std::string::npos)
        value_reason = true;
    }
    msg += join(parts, "; ");
    if (f.unsat) msg += " (proven by Z3: the rule's condition is unsatisfiable there)";
    if (f.matches_undeclared)
      msg +=
          "; it can match only on ports the workload does not declare, which its callers do not reach through "
          "a Service";
    if (!f.deny_all.empty())
      msg += "; with its rules dropped no ALLOW rule is left on " + gaps::list_text(f.deny_all, 3) +
             ", so this policy now denies every connection there (docs/semantics.md#http-only-on-tcp)";
    std::vector<std::string> fixes;
    if (dropped_reason)
      fixes.push_back(
          "keep HTTP-only fields (methods, paths, hosts, requestPrincipals, request.* keys) out of "
          "rules for TCP ports: write a separate rule with only `ports` and identity fields for them");
    if (ports_reason) fixes.push_back("list ports the workload actually serves (its container/target ports)");
    if (disable_reason)
      fixes.push_back(
          "make the port STRICT or PERMISSIVE, or match plaintext callers by `ipBlocks` instead of "
          "identity");
    if (sub_reason) fixes.push_back("write requestPrincipals as ISSUER/SUBJECT (or ISSUER/* for any subject)");
    if (jwt_reason) fixes.push_back("add a RequestAuthentication for the workload, or drop the JWT condition");
    if (star_reason) fixes.push_back("remove the `not...: [\"*\"]` value (or the rule): it excludes every request");
    if (value_reason)
      fixes.push_back(
          "write principals as TRUST_DOMAIN/ns/NAMESPACE/sa/ACCOUNT, namespaces as plain names and "
          "serviceAccounts as NAME or NAMESPACE/NAME");
    if (fixes.empty()) fixes.push_back("remove the rule, or fix the conditions that exclude each other");
    Finding fnd = make_finding(info(), p.ref(), gaps::rule_loc(key), std::move(msg), join(fixes, "; "),
                               "rule=" + std::to_string(key.index));
    fnd.properties["rule"] = std::to_string(key.index);
    fnd.properties["workloads"] = join(f.workloads, "; ");
    fnd.properties["proof"] = f.unsat ? "unsat" : "dropped";
    if (f.matches_undeclared) fnd.properties["scope"] = "declared ports";
    out.push_back(std::move(fnd));
  }

  static std::string rule_text_of(const ir::RuleId& k) {
    return std::string(model::to_string(k.policy->action)) + " " + gaps::rule_text(k);
  }

  const gaps::Shared& s_;
  std::map<ir::RuleId, NeverMatchingFacts> facts_;
};

class NeverMatchingRule final : public gaps::SymbolicCheck {
 public:
  NeverMatchingRule()
      : SymbolicCheck(CheckInfo{
            "never-matching-rule", "MP2003", Severity::Warning,
            "A policy rule can never match any request on the workloads it applies to",
            "Proves with Z3, per port and protocol of every workload the policy applies to, that no request the "
            "port accepts can match the rule, or finds that Istio drops the rule there (an ALLOW rule with "
            "HTTP-only fields on a TCP port). Such a rule allows (or denies) nothing, which is rarely what its "
            "author meant: `ports` that are not the workload's, identity fields on plaintext-only ports, JWT "
            "fields without a RequestAuthentication, requestPrincipals without '/', contradictory values."}) {}
  std::unique_ptr<gaps::Analyzer> analyzer(const gaps::Shared& s) const override {
    return std::make_unique<NeverMatchingAnalyzer>(info(), s);
  }
  // Istio's rules through the shared pass, then Linkerd's authorizations (checks/linkerd_rules.h).
  void run(const Context& ctx, std::vector<Finding>& out) const override {
    SymbolicCheck::run(ctx, out);
    linkerd::never_matching_authorizations(ctx, info(), out);
  }
  std::vector<ResourceRef> subjects(const Context& ctx) const override {
    std::vector<ResourceRef> out = policies_with_action(ctx, {});
    linkerd::add_authorization_subjects(ctx, out);
    return out;
  }
};

}  // namespace

std::unique_ptr<Check> make_never_matching_rule_check() { return std::make_unique<NeverMatchingRule>(); }

}  // namespace meshproof::checks
