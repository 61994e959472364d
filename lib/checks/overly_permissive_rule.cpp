// overly-permissive-rule (MP2006): an enforced ALLOW rule that admits callers its policy never names.
// Three shapes, decided from the rule as written, then confirmed with a witness from Z3:
//   * the split rule: `- from`, `- to`, `- when` written as separate list items are separate rules,
//     OR-ed (IS §4); the rules without `from` allow any caller, while the policy names its callers
//     elsewhere. Any rule without a caller constraint (no principals, namespaces, serviceAccounts,
//     trustDomains, requestPrincipals, identity or JWT `when` key) in a policy that names callers in
//     another rule;
//   * IP ranges as identity: the only caller condition is `ipBlocks` / `remoteIpBlocks` / `source.ip` /
//     `remote.ip`. An address range is not an identity: every pod or node in it, with any identity or
//     none, is allowed (IS §8);
//   * in a regulated namespace, a rule with no caller constraint at all, or whose only condition is "any
//     mesh identity" (`principals: ["*"]` / `namespaces: ["*"]`, nothing else).
// Witness: a request that the rule allows (decided by it where possible) from plaintext (when the port
// accepts it), else from an mTLS identity that no identity value of the policy matches (a copy of the
// program with the policy's identity values as an AUDIT rule, queried "does not match").
#include <map>

#include "checks/check.h"
#include "checks/describe.h"
#include "checks/gap_pass.h"
#include "checks/linkerd_rules.h"

namespace meshproof::checks {
namespace {

bool positive(const model::StrList& l) { return !l.items.empty(); }

bool identity_key(const std::string& k) {
  return k == "source.principal" || k == "source.namespace" || k == "source.serviceAccount" ||
         k == "source.trustDomain" || k.rfind("request.auth.", 0) == 0;
}

bool source_identity(const model::Source& s) {
  return positive(s.principals) || positive(s.namespaces) || positive(s.service_accounts) ||
         positive(s.trust_domains) || positive(s.request_principals);
}

bool source_ip(const model::Source& s) { return positive(s.ip_blocks) || positive(s.remote_ip_blocks); }

bool all_star(const model::StrList& l) {
  if (l.items.empty()) return false;
  for (const auto& v : l.items)
    if (v.value != "*") return false;
  return true;
}

// The caller fields that only exclude (notPrincipals, notNamespaces, ...) and `when` identity keys with
// only notValues: conditions every other caller meets, named in the message instead of "no condition".
std::vector<std::string> excluding_fields(const model::Rule& r) {
  std::vector<std::string> out;
  for (const model::Source& s : r.from) {
    if (positive(s.not_principals)) gaps::add_unique(out, std::string("notPrincipals"));
    if (positive(s.not_namespaces)) gaps::add_unique(out, std::string("notNamespaces"));
    if (positive(s.not_service_accounts)) gaps::add_unique(out, std::string("notServiceAccounts"));
    if (positive(s.not_trust_domains)) gaps::add_unique(out, std::string("notTrustDomains"));
    if (positive(s.not_request_principals)) gaps::add_unique(out, std::string("notRequestPrincipals"));
  }
  for (const model::Condition& c : r.when)
    if (identity_key(c.key.value) && c.values.items.empty() && positive(c.not_values))
      gaps::add_unique(out, "when " + c.key.value + " notValues");
  return out;
}

enum class Shape { Constrained, Open, IpOnly, AnyIdentity };

Shape shape_of(const model::Rule& r) {
  bool when_identity = false, when_ip = false;
  for (const auto& c : r.when) {
    if (c.values.items.empty()) continue;
    if (identity_key(c.key.value)) when_identity = true;
    if (c.key.value == "source.ip" || c.key.value == "remote.ip") when_ip = true;
  }
  bool caller = when_identity;
  if (!caller && !r.from.empty()) {
    caller = true;
    for (const auto& s : r.from)
      if (!source_identity(s)) caller = false;
  }
  if (!caller) {
    bool ip = when_ip;
    if (!ip && !r.from.empty()) {
      ip = true;
      for (const auto& s : r.from)
        if (!source_identity(s) && !source_ip(s)) ip = false;
    }
    return ip ? Shape::IpOnly : Shape::Open;
  }
  // "Any mesh identity" and nothing else.
  if (r.to.empty() && r.when.empty() && !r.from.empty()) {
    for (const auto& s : r.from) {
      bool only_star =
          (all_star(s.principals) && !positive(s.namespaces)) || (all_star(s.namespaces) && !positive(s.principals));
      bool others = positive(s.not_principals) || positive(s.not_namespaces) || positive(s.service_accounts) ||
                    positive(s.not_service_accounts) || positive(s.trust_domains) || positive(s.not_trust_domains) ||
                    positive(s.request_principals) || positive(s.not_request_principals) || source_ip(s) ||
                    positive(s.not_ip_blocks) || positive(s.not_remote_ip_blocks);
      if (!only_star || others) return Shape::Constrained;
    }
    return Shape::AnyIdentity;
  }
  return Shape::Constrained;
}

bool present_only(const ir::Match& m) {
  for (const ir::Term& t : m.terms)
    for (const ir::Atom& a : t.atoms)
      if (a.op != ir::Op::Present) return false;
  return true;
}

enum class Why { Split, Ip, Open, AnyIdentity };

// An ingress gateway pod by the labels Istio's gateway charts give it (`istio: ingressgateway`,
// `app: istio-ingressgateway`). Its callers are clients outside the mesh, which have no mesh identity, so
// an IP allow list is the only caller condition there is (istio.io "Authorization on Ingress Gateway":
// `ipBlocks` / `remoteIpBlocks`, IS §8); the IP-ranges-as-identity shape does not apply to it.
// Also a pod that an Istio Gateway selects (any namespace, as Istio's selector does), a pod running the
// gateway's own istio-proxy container, or a Gateway API gateway pod: whatever its labels, it listens for
// clients from outside.
bool is_ingress_gateway(const mesh::Workload& w, const std::vector<model::Gateway>& gateways) {
  auto istio = w.labels.find("istio");
  if (istio != w.labels.end() && istio->second == "ingressgateway") return true;
  auto app = w.labels.find("app");
  if (app != w.labels.end() && app->second == "istio-ingressgateway") return true;
  if (!w.gateway_name.empty() || (w.decl && w.decl->runs_proxy_as_gateway)) return true;
  return std::any_of(gateways.begin(), gateways.end(), [&](const model::Gateway& g) {
    return !g.selector.empty() && mesh::labels_subset(g.selector, w.labels);
  });
}

struct PermissiveFacts {
  Why why = Why::Open;
  std::vector<std::string> workloads;
  std::optional<Witness> example;
  model::MtlsMode example_mode = model::MtlsMode::Permissive;  // the witness port's effective mTLS mode
  std::string unknown;
};

class PermissiveAnalyzer final : public gaps::Analyzer {
 public:
  PermissiveAnalyzer(const CheckInfo& info, const gaps::Shared& s) : Analyzer(info), s_(s) {}

  void visit(gaps::ClassView& cls) override {
    for (const model::AuthorizationPolicy* p : s_.policies_of(cls)) {
      if (p->action != model::Action::Allow || p->dry_run) continue;
      std::vector<Shape> shapes;
      bool names = false;
      for (const auto& r : p->rules) {
        shapes.push_back(r.is_null ? Shape::Constrained : shape_of(r));
        if (!r.is_null && shapes.back() == Shape::Constrained) names = true;
      }
      const bool regulated = s_.regulated(namespace_of(*p));
      bool ingress = !cls.members.empty();
      for (const mesh::Workload* m : cls.members)
        if (!is_ingress_gateway(*m, s_.ctx.resources.gateways)) ingress = false;
      for (size_t i = 0; i < p->rules.size(); ++i) {
        if (p->rules[i].is_null) continue;
        std::optional<Why> why;
        switch (shapes[i]) {
          case Shape::IpOnly:
            if (!ingress) why = Why::Ip;
            break;
          case Shape::Open:
            // An ingress gateway's callers are clients outside the mesh: "any caller" is its purpose.
            if (names)
              why = Why::Split;
            else if (regulated && !ingress)
              why = Why::Open;
            break;
          case Shape::AnyIdentity:
            if (regulated) why = Why::AnyIdentity;
            break;
          case Shape::Constrained:
            break;
        }
        if (!why) continue;
        ir::RuleId key{p, static_cast<int>(i)};
        PermissiveFacts& f = facts_[key];
        f.why = *why;
        // Plaintext first on every view (no extra engine), then an unnamed mTLS identity.
        bool found = false;
        for (gaps::View& v : cls.views)
          if ((found = witness(cls, v, key, f, /*plaintext=*/true))) break;
        if (!found)
          for (gaps::View& v : cls.views)
            if (witness(cls, v, key, f, /*plaintext=*/false)) break;
      }
    }
  }

  // `why` follows from the rule and its policy alone, so both chunks agree on it.
  void merge(gaps::Analyzer& later) override {
    gaps::merge_facts(facts_, static_cast<PermissiveAnalyzer&>(later).facts_,
                      [](PermissiveFacts& f, PermissiveFacts& l) {
                        gaps::add_all_unique(f.workloads, l.workloads);
                        if (!f.example && l.example) {
                          f.example = std::move(l.example);
                          f.example_mode = l.example_mode;
                        }
                        gaps::keep_first(f.unknown, l.unknown);
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
  // Finds an allowed request from an unnamed caller on this view; true when found.
  bool witness(gaps::ClassView& cls, gaps::View& v, const ir::RuleId& key, PermissiveFacts& f, bool plaintext) {
    auto ref = v.ref(key);
    if (!ref) return false;
    const ir::Program& prog = v.program();
    auto note_unknown = [&](const engine::QueryResult& r) {
      if (f.unknown.empty()) f.unknown = r.reason + " on " + v.describe() + " of " + prog.workload;
    };
    auto found = [&](const ir::Program& program, const engine::QueryResult& r) {
      for (const std::string& w : gaps::member_names(cls)) gaps::add_unique(f.workloads, w);
      if (!f.example) {
        f.example = gaps::witness_of(s_, program, r);
        f.example_mode = program.mtls;
      }
      return true;
    };

    if (plaintext) {
      if (prog.mtls == model::MtlsMode::Strict || f.why == Why::AnyIdentity) return false;
      auto r = v.find(engine::Query().decided_by(*ref).verdict(engine::Verdict::Allow).mtls(false));
      if (r.answer == engine::SatAnswer::Unsat)
        r = v.find(engine::Query().rule_matches(*ref).verdict(engine::Verdict::Allow).mtls(false));
      if (r.answer == engine::SatAnswer::Sat) return found(prog, r);
      if (r.answer == engine::SatAnswer::Unknown) note_unknown(r);
      return false;
    }
    if (prog.mtls == model::MtlsMode::Disable) return false;

    // An mTLS caller whose identity no identity value of the policy matches.
    ir::Rule named;
    named.policy.ns = key.policy->meta.ns;
    named.policy.name = key.policy->meta.name + " (identities it names)";
    for (size_t i = 0; i < key.policy->rules.size(); ++i) {
      const ir::Rule* r = v.rule(ir::RuleId{key.policy, static_cast<int>(i)});
      if (!r) continue;
      for (const ir::Clause& c : r->principals)
        for (const ir::Match& m : c.matches)
          if (!m.negated && gaps::match_on_peer(m) && !present_only(m)) {
            ir::Clause one;
            one.kind = ir::ClauseKind::Principal;
            one.matches.push_back(m);
            named.principals.push_back(std::move(one));
          }
    }
    ir::Clause any;
    any.kind = ir::ClauseKind::Permission;
    named.permissions.push_back(std::move(any));
    auto run = [&](engine::Engine& e, std::optional<engine::RuleRef> not_named, bool decided) {
      engine::Query q;
      if (decided)
        q.decided_by(*ref);
      else
        q.rule_matches(*ref);
      q.verdict(engine::Verdict::Allow).mtls(true);
      if (not_named) q.rule_matches(*not_named, false);
      return e.find(q);
    };
    if (named.principals.empty()) {
      auto r = run(v.engine(), std::nullopt, true);
      if (r.answer == engine::SatAnswer::Unsat) r = run(v.engine(), std::nullopt, false);
      if (r.answer == engine::SatAnswer::Sat) return found(prog, r);
      if (r.answer == engine::SatAnswer::Unknown) note_unknown(r);
      return false;
    }
    auto aug = v.augmented({named});
    engine::RuleRef nn{model::Action::Audit, aug.first_index};
    auto r = run(*aug.engine, nn, true);
    if (r.answer == engine::SatAnswer::Unsat) r = run(*aug.engine, nn, false);
    if (r.answer == engine::SatAnswer::Sat) return found(*aug.program, r);
    if (r.answer == engine::SatAnswer::Unknown) note_unknown(r);
    return false;
  }

  // What the rule asks of its callers, and who that lets in, from the rule's own fields and the witness:
  // plaintext callers are named only when the witness is one (STRICT ports refuse them before authorization).
  static std::string open_text(const model::Rule& rule, const PermissiveFacts& f) {
    const std::vector<std::string> excluding = excluding_fields(rule);
    const std::string who = "any caller" + caller_text(f);
    if (excluding.empty())
      return " has no caller condition (no principals, namespaces, serviceAccounts or requestPrincipals), so it "
             "allows " +
             who;
    return " only excludes some callers (" + join(excluding) + "), so it allows " + who + " that is not excluded";
  }

  // Which callers reach the witness's port: the mTLS mode decides whether they have an identity.
  static std::string caller_text(const PermissiveFacts& f) {
    if (f.example->mtls) return " with a mesh identity (plaintext is refused on these ports)";
    if (f.example_mode == model::MtlsMode::Disable)
      return " (the port accepts only plaintext, mTLS DISABLE, so no caller is authenticated)";
    return ", with any mesh identity or none (plaintext)";
  }

  void report(const ir::RuleId& key, const PermissiveFacts& f, std::vector<Finding>& out) const {
    const model::AuthorizationPolicy& p = *key.policy;
    const std::string subject = "ALLOW " + gaps::rule_text(key);
    const std::string rule_key = "rule=" + std::to_string(key.index);
    if (!f.example) {
      if (!f.unknown.empty()) {
        Finding n = gaps::inconclusive_finding(info(), p.ref(), gaps::rule_loc(key), subject,
                                               "it allows callers the policy does not name", f.unknown, rule_key);
        n.properties["rule"] = std::to_string(key.index);
        out.push_back(std::move(n));
      }
      return;
    }
    std::string msg, help, kind;
    switch (f.why) {
      case Why::Split:
        kind = "split-rule";
        msg = subject + open_text(p.rules[key.index], f) +
              ", while the policy names its callers in other rules: `- from`, `- to` and `- when` written as "
              "separate list items are separate rules, OR-ed, not one rule with AND-ed parts "
              "(docs/semantics.md#rule-shape)";
        help =
            "merge the parts into one rule (`from`, `to` and `when` keys of the same list item), so that every "
            "condition must hold";
        break;
      case Why::Ip:
        kind = "ip-as-identity";
        msg = subject +
              " admits callers by IP range only: an address range is not an identity, so every pod or "
              "node in it is allowed as a caller" +
              caller_text(f) + " (docs/semantics.md#peer-identity)";
        help =
            "name the callers by `principals` (or `namespaces`), which come from their mTLS certificates; keep "
            "`ipBlocks` only as an extra condition in the same `from` entry";
        break;
      case Why::Open:
        kind = "any-caller";
        msg = subject + open_text(p.rules[key.index], f) + ", in regulated namespace " + namespace_of(p);
        help = "add a `from` with the principals (or namespaces) that need this access";
        break;
      case Why::AnyIdentity:
        kind = "any-identity";
        msg = subject + " allows every workload with a mesh identity (`*`) to do anything, in regulated namespace " +
              namespace_of(p);
        help = "list the principals that need access, and restrict the operations with `to`";
        break;
    }
    msg += "; on " + gaps::list_text(f.workloads, 3) + ", e.g. " + gaps::witness_summary(*f.example) + " is " +
           f.example->decision;
    if (!f.example->decided_by.empty()) msg += " by " + f.example->decided_by;
    Finding fnd = make_finding(info(), p.ref(), gaps::rule_loc(key), std::move(msg), std::move(help), rule_key);
    fnd.witness = f.example;
    fnd.properties["rule"] = std::to_string(key.index);
    fnd.properties["kind"] = kind;
    fnd.properties["workloads"] = join(f.workloads, "; ");
    out.push_back(std::move(fnd));
  }

  const gaps::Shared& s_;
  std::map<ir::RuleId, PermissiveFacts> facts_;
};

class OverlyPermissiveRule final : public gaps::SymbolicCheck {
 public:
  OverlyPermissiveRule()
      : SymbolicCheck(CheckInfo{
            "overly-permissive-rule", "MP2006", Severity::Error,
            "An ALLOW rule admits callers the policy never names: a split rule, IP ranges as identity, or any "
            "caller",
            "Finds ALLOW rules without a caller constraint in policies that name their callers elsewhere (the "
            "`- from` / `- to` / `- when` split that turns one rule into three OR-ed rules), rules whose only "
            "caller "
            "condition is an IP range, and in regulated namespaces rules that allow any caller or any mesh "
            "identity. "
            "Each finding carries a request from an unnamed identity, or plaintext, that Istio allows."}) {}
  // Istio's rules through the shared pass, then Linkerd's authorizations (checks/linkerd_rules.h).
  void run(const Context& ctx, std::vector<Finding>& out) const override {
    SymbolicCheck::run(ctx, out);
    linkerd::overly_permissive_authorizations(ctx, info(), out);
  }
  std::unique_ptr<gaps::Analyzer> analyzer(const gaps::Shared& s) const override {
    return std::make_unique<PermissiveAnalyzer>(info(), s);
  }
  std::vector<ResourceRef> subjects(const Context& ctx) const override {
    std::vector<ResourceRef> out = policies_with_action(ctx, {model::Action::Allow});
    linkerd::add_authorization_subjects(ctx, out);
    return out;
  }
};

}  // namespace

std::unique_ptr<Check> make_overly_permissive_rule_check() { return std::make_unique<OverlyPermissiveRule>(); }

}  // namespace meshproof::checks
