// selector-matches-nothing (MP1003): policies that apply to nothing, and namespace references that
// cannot match, both almost always typos (istioctl analyze reports the same family as IST0127 "no
// matching workloads" and IST0101 "referenced namespace not found", istio-analyzers.md §3).
//
//  - An AuthorizationPolicy, PeerAuthentication or RequestAuthentication whose `selector` matches no
//    declared workload while the input declares workloads in its namespace (a root-namespace policy
//    applies mesh-wide, IS §10, so it is compared with the workloads of every namespace). A policy with
//    targetRefs does not use its selector (IS §10) and is skipped.
//  - A PeerAuthentication with a selector in the root namespace: Istio ignores it entirely (IS §11).
//  - When the input declares Namespace objects: an AuthorizationPolicy source that names a namespace no
//    declared Namespace matches (`namespaces`, `principals` .../ns/NS/..., `serviceAccounts` NS/SA,
//    their not* forms and the matching `when` keys). Namespaces every cluster has (the root namespace,
//    default, kube-system, kube-public, kube-node-lease) always count as declared, and so does every
//    namespace an object of the input lives in (it must exist for that object to be created).
#include <algorithm>
#include <map>
#include <set>

#include "checks/check.h"
#include "checks/describe.h"
#include "ir/ir.h"

namespace meshproof::checks {
namespace {

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> parts;
  size_t start = 0;
  while (true) {
    size_t pos = s.find(sep, start);
    parts.push_back(s.substr(start, pos == std::string::npos ? std::string::npos : pos - start));
    if (pos == std::string::npos) break;
    start = pos + 1;
  }
  return parts;
}

// How a source value names a namespace.
enum class RefKind { NamespacePattern, Principal, ServiceAccount };

// The namespace a value refers to, or "" when it names none (or names it only through a wildcard that
// the principal/service-account forms do not resolve).
std::string referenced_namespace(RefKind kind, const std::string& value) {
  switch (kind) {
    case RefKind::NamespacePattern:
      return value;
    case RefKind::Principal: {
      // <trust-domain>/ns/<namespace>/sa/<service-account>
      auto parts = split(value, '/');
      if (parts.size() == 5 && parts[1] == "ns" && parts[3] == "sa" && !parts[2].empty() &&
          parts[2].find('*') == std::string::npos)
        return parts[2];
      return "";
    }
    case RefKind::ServiceAccount: {
      // "<namespace>/<sa>", or "<sa>" in the policy's own namespace.
      auto parts = split(value, '/');
      if (parts.size() == 2 && !parts[0].empty()) return parts[0];
      return "";
    }
  }
  return "";
}

// Every namespace that some object of the input names in metadata.namespace, sorted.
std::vector<std::string> namespaces_with_objects(const model::ResourceSet& rs) {
  std::set<std::string> out;
  auto add = [&](const auto& objects) {
    for (const auto& o : objects)
      if (!o.meta.ns.empty()) out.insert(o.meta.ns);
  };
  add(rs.service_accounts);
  add(rs.workloads);
  add(rs.services);
  add(rs.peer_authentications);
  add(rs.authorization_policies);
  add(rs.request_authentications);
  add(rs.gateways);
  add(rs.virtual_services);
  add(rs.destination_rules);
  add(rs.service_entries);
  add(rs.sidecars);
  add(rs.telemetries);
  return {out.begin(), out.end()};
}

class SelectorMatchesNothing final : public Check {
 public:
  SelectorMatchesNothing()
      : Check(CheckInfo{
            "selector-matches-nothing", "MP1003", Severity::Warning,
            "A policy selector matches no declared workload, or a source names a namespace that is not declared",
            "An AuthorizationPolicy, PeerAuthentication or RequestAuthentication whose workload selector matches "
            "no workload of its namespace (every namespace for the root namespace) applies to nothing; a "
            "root-namespace PeerAuthentication with a selector is ignored by Istio. An AuthorizationPolicy source "
            "that names a namespace the input does not declare matches no caller. Both are usually typos that "
            "leave the intended workload unprotected or the intended caller unmatched."}) {}

  void run(const Context& ctx, std::vector<Finding>& out) const override {
    std::map<std::string, std::vector<const mesh::Workload*>> declared;
    std::vector<const mesh::Workload*> all_declared;
    for (const mesh::Workload& w : ctx.mesh.workloads) {
      if (w.origin != mesh::WorkloadOrigin::Declared) continue;
      declared[w.ns].push_back(&w);
      all_declared.push_back(&w);
    }
    auto candidates_for = [&](const std::string& ns) -> const std::vector<const mesh::Workload*>& {
      static const std::vector<const mesh::Workload*> kNone;
      if (ns == ctx.mesh.config.root_namespace) return all_declared;
      auto it = declared.find(ns);
      return it == declared.end() ? kNone : it->second;
    };

    const KnownNamespaces known = ctx.mesh.namespaces_declared ? known_namespaces(ctx) : KnownNamespaces{};
    for (const auto& p : ctx.resources.authorization_policies) {
      if (p.target_refs.empty()) check_selector(ctx, p, p.selector, candidates_for(namespace_of(p)), out);
      if (ctx.mesh.namespaces_declared) check_namespace_refs(known, p, out);
    }
    for (const auto& p : ctx.resources.peer_authentications) {
      if (namespace_of(p) == ctx.mesh.config.root_namespace && p.selector.present && !p.selector.empty()) {
        report_ignored_root_selector(ctx, p, out);
        continue;
      }
      check_selector(ctx, p, p.selector, candidates_for(namespace_of(p)), out);
    }
    for (const auto& p : ctx.resources.request_authentications)
      if (p.target_refs.empty()) check_selector(ctx, p, p.selector, candidates_for(namespace_of(p)), out);
  }

 private:
  void check_selector(const Context& ctx, const model::ResourceBase& policy, const model::Selector& sel,
                      const std::vector<const mesh::Workload*>& candidates, std::vector<Finding>& out) const {
    if (!sel.present || sel.empty()) return;  // namespace- or mesh-wide: applies to every workload
    // Pods of a Kubernetes Gateway are deployed by Istio from the Gateway resource, so a manifest repo
    // never declares them; selecting them by their gateway-name label is normal.
    if (sel.match_labels.count("gateway.networking.k8s.io/gateway-name")) return;
    if (candidates.empty()) return;  // the input holds no workloads here to compare with
    for (const mesh::Workload* w : candidates)
      if (sel.matches(w->labels)) return;

    const std::string ns = namespace_of(policy);
    const bool root = ns == ctx.mesh.config.root_namespace;
    const std::string scope =
        root ? "any namespace (it is in the root namespace " + ns + ", so it applies mesh-wide)" : "namespace " + ns;
    std::vector<std::string> shown;
    for (size_t i = 0; i < candidates.size() && i < 3; ++i)
      shown.push_back(candidates[i]->display() + " {" + labels_text(candidates[i]->labels) + "}");
    if (candidates.size() > 3) shown.push_back("and " + std::to_string(candidates.size() - 3) + " more");

    std::string message = resource_text(policy) + " selects {" + labels_text(sel.match_labels) +
                          "}, but no workload in " + scope + " has these labels (declared: " + join(shown) +
                          "); the policy applies to no workload and has no effect";
    std::string hint = label_hint(sel.match_labels, candidates);
    if (!hint.empty()) message += "; did you mean " + hint + "?";
    std::string help =
        "correct spec.selector.matchLabels to the pod-template labels of the workload it is "
        "meant for, or delete the policy if that workload is gone";
    Finding f =
        make(policy.ref(), sel.loc.known() ? sel.loc : policy.loc, std::move(message), std::move(help), "selector");
    f.properties["reason"] = "no-matching-workload";
    f.properties["selector"] = labels_text(sel.match_labels);
    f.properties["namespace"] = ns;
    out.push_back(std::move(f));
  }

  // The first selector label whose value is a near miss of some candidate's value ("app=payments").
  static std::string label_hint(const model::Labels& selector, const std::vector<const mesh::Workload*>& candidates) {
    for (const auto& [k, v] : selector) {
      std::set<std::string> values;
      for (const mesh::Workload* w : candidates) {
        auto it = w->labels.find(k);
        if (it != w->labels.end()) values.insert(it->second);
      }
      if (values.count(v)) continue;
      std::string best = closest(v, std::vector<std::string>(values.begin(), values.end()));
      if (!best.empty()) return k + "=" + best;
    }
    return "";
  }

  void report_ignored_root_selector(const Context& ctx, const model::PeerAuthentication& p,
                                    std::vector<Finding>& out) const {
    const std::string ns = namespace_of(p);
    std::string message = resource_text(p) + " has a selector {" + labels_text(p.selector.match_labels) +
                          "} in the root namespace " + ns +
                          "; Istio ignores a root-namespace PeerAuthentication with a selector, so it applies to "
                          "no workload and has no effect";
    std::string help =
        "move the PeerAuthentication into the namespace of the workloads it selects, or remove "
        "the selector to make it the mesh-wide policy";
    Finding f = make(p.ref(), p.selector.loc.known() ? p.selector.loc : p.loc, std::move(message), std::move(help),
                     "root-selector");
    f.properties["reason"] = "root-namespace-selector-ignored";
    f.properties["selector"] = labels_text(p.selector.match_labels);
    f.properties["namespace"] = ns;
    out.push_back(std::move(f));
  }

  // The namespaces a policy may name (computed once per run: the input's objects are many).
  struct KnownNamespaces {
    std::vector<std::string> all;       // sorted, unique
    std::vector<std::string> declared;  // the declared Namespaces, sorted (std::map order), for hints
  };
  static KnownNamespaces known_namespaces(const Context& ctx) {
    KnownNamespaces k;
    for (const auto& [name, info] : ctx.mesh.namespaces)
      if (info.decl) k.declared.push_back(name);
    k.all = k.declared;
    // A namespace that an object of the input lives in exists: the API server refuses to create a
    // namespaced object in a namespace that does not exist ("namespaces \"x\" not found"), so a policy
    // naming the namespace of, say, its own Deployments is not a typo even when the input declares other
    // Namespaces but not that one (kustomize trees often leave the Namespace object to another layer).
    for (const std::string& ns : namespaces_with_objects(ctx.resources)) k.all.push_back(ns);
    for (const std::string& always :
         {ctx.mesh.config.root_namespace, std::string("default"), std::string("kube-system"),
          std::string("kube-public"), std::string("kube-node-lease")})
      k.all.push_back(always);
    std::sort(k.all.begin(), k.all.end());
    k.all.erase(std::unique(k.all.begin(), k.all.end()), k.all.end());
    return k;
  }

  void check_namespace_refs(const KnownNamespaces& k, const model::AuthorizationPolicy& p,
                            std::vector<Finding>& out) const {
    const std::vector<std::string>& known = k.all;
    const std::vector<std::string>& declared_list = k.declared;
    auto check_value = [&](RefKind kind, bool negated, const model::Str& value, const std::string& field) {
      std::string ns = referenced_namespace(kind, value.value);
      if (ns.empty()) return;
      // Istio turns every `*` of a `namespaces` value into `.*` and matches the whole name (IS §5).
      bool found =
          kind == RefKind::NamespacePattern
              ? std::any_of(known.begin(), known.end(), [&](const std::string& k) { return ir::glob_match(ns, k); })
              : std::binary_search(known.begin(), known.end(), ns);
      if (found) return;
      std::string message = resource_text(p) + " names namespace \"" + ns + "\" in " + field;
      if (kind != RefKind::NamespacePattern) message += " (\"" + value.value + "\")";
      message += ", but the input declares no such Namespace (declared: " + join(declared_list) + "); " +
                 (negated ? "this exclusion excludes no caller" : "this value matches no caller");
      std::string hint = ns.find('*') == std::string::npos ? closest(ns, declared_list) : "";
      if (!hint.empty()) message += "; did you mean \"" + hint + "\"?";
      std::string help = hint.empty() ? "correct the namespace name, or add its Namespace to the input if it "
                                        "exists in the cluster"
                                      : "correct the namespace name to \"" + hint + "\", or add a Namespace \"" + ns +
                                            "\" to the input if it exists in the cluster";
      Finding f = make(p.ref(), value.loc.known() ? value.loc : p.loc, std::move(message), std::move(help),
                       "namespace-ref:" + field + "=" + value.value);
      f.properties["reason"] = "namespace-not-declared";
      f.properties["namespace"] = ns;
      f.properties["field"] = field;
      out.push_back(std::move(f));
    };
    auto check_list = [&](RefKind kind, bool negated, const model::StrList& list, const std::string& prefix) {
      for (size_t k = 0; k < list.items.size(); ++k)
        check_value(kind, negated, list.items[k], prefix + "[" + std::to_string(k) + "]");
    };

    for (size_t i = 0; i < p.rules.size(); ++i) {
      const model::Rule& rule = p.rules[i];
      const std::string rp = "spec.rules[" + std::to_string(i) + "]";
      for (size_t j = 0; j < rule.from.size(); ++j) {
        const model::Source& s = rule.from[j];
        const std::string sp = rp + ".from[" + std::to_string(j) + "].source.";
        check_list(RefKind::NamespacePattern, false, s.namespaces, sp + "namespaces");
        check_list(RefKind::NamespacePattern, true, s.not_namespaces, sp + "notNamespaces");
        check_list(RefKind::Principal, false, s.principals, sp + "principals");
        check_list(RefKind::Principal, true, s.not_principals, sp + "notPrincipals");
        check_list(RefKind::ServiceAccount, false, s.service_accounts, sp + "serviceAccounts");
        check_list(RefKind::ServiceAccount, true, s.not_service_accounts, sp + "notServiceAccounts");
      }
      for (size_t c = 0; c < rule.when.size(); ++c) {
        const model::Condition& cond = rule.when[c];
        RefKind kind;
        if (cond.key.value == "source.namespace")
          kind = RefKind::NamespacePattern;
        else if (cond.key.value == "source.principal")
          kind = RefKind::Principal;
        else if (cond.key.value == "source.serviceAccount")
          kind = RefKind::ServiceAccount;
        else
          continue;
        const std::string cp = rp + ".when[" + std::to_string(c) + "]";
        check_list(kind, false, cond.values, cp + ".values");
        check_list(kind, true, cond.not_values, cp + ".notValues");
      }
    }
  }
};

}  // namespace

std::unique_ptr<Check> make_selector_matches_nothing_check() { return std::make_unique<SelectorMatchesNothing>(); }

}  // namespace meshproof::checks
