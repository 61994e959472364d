// selector-matches-nothing (MP1003): policies that apply to nothing, and namespace references that
// cannot match, both almost always typos (istioctl analyze reports the same family as IST0127 "no
// matching workloads" and IST0101 "referenced namespace not found", istio-analyzers.md §3).
//
//  - An AuthorizationPolicy, PeerAuthentication or RequestAuthentication whose `selector` matches no
//    declared workload while the input declares workloads in its namespace (a root-namespace policy
//    applies mesh-wide, IS §10, so it is compared with the workloads of every namespace). A policy with
//    targetRefs does not use its selector (IS §10) and is skipped.
//  - A namespace-wide AuthorizationPolicy (no selector or an empty one, no targetRefs) outside the root
//    namespace, in a namespace the input declares, where no declared workload is in the mesh (IST0127's
//    rule: a sidecar, or the ambient redirection annotation).
//  - A PeerAuthentication with a selector in the root namespace: Istio ignores it entirely (IS §11).
//  - A Sidecar whose workloadSelector matches no declared workload of its namespace while the input declares
//    workloads there (IST0101, sidecar.SelectorAnalyzer).
//  - An Istio Gateway whose selector matches no gateway pod while the input declares gateway pods that carry
//    every key of the selector (so it holds the gateway pods the selector is about, and a value differs): its
//    servers configure no proxy (IST0101, gateway.IngressGatewayPortAnalyzer and SecretAnalyzer;
//    docs/semantics.md#gateways, G7).
//  - When the profile declares the namespace list complete (`namespaces: complete`): an AuthorizationPolicy
//    source that names a namespace that does not exist (checks/namespace_refs.h). Without that
//    declaration such a reference is an assumption that `explain` shows, not a finding.
#include <algorithm>
#include <map>
#include <optional>
#include <set>

#include "checks/check.h"
#include "checks/describe.h"
#include "checks/linkerd_rules.h"
#include "checks/namespace_refs.h"

namespace meshproof::checks {
namespace {

// IST0127 counts only pods in the mesh: with a sidecar (util.PodInMesh) or redirected by ambient (the
// pod annotation util.PodInAmbientMode reads).
bool in_mesh(const mesh::Workload& w) {
  if (w.has_proxy()) return true;
  if (!w.decl) return false;
  auto it = w.decl->pod_annotations.find("ambient.istio.io/redirection");
  return it != w.decl->pod_annotations.end() && it->second == "enabled";
}

class SelectorMatchesNothing final : public Check {
 public:
  SelectorMatchesNothing()
      : Check(CheckInfo{
            "selector-matches-nothing", "MP1003", Severity::Warning,
            "A policy selector matches no declared workload, a namespace-wide policy has no workload in its declared "
            "namespace, or a source names a namespace that does not exist",
            "An AuthorizationPolicy, PeerAuthentication or RequestAuthentication whose workload selector matches "
            "no workload of its namespace (every namespace for the root namespace) applies to nothing; a "
            "root-namespace PeerAuthentication with a selector is ignored by Istio; a namespace-wide "
            "AuthorizationPolicy in a declared namespace without workloads in the mesh applies to nothing. When the "
            "profile declares the namespace list complete, an AuthorizationPolicy source that names a namespace "
            "that does not exist matches no caller. These are usually typos that leave the intended workload "
            "unprotected or the intended caller unmatched."}) {}

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

    std::set<std::string> namespaces_in_mesh;
    for (const mesh::Workload* w : all_declared)
      if (in_mesh(*w)) namespaces_in_mesh.insert(w->ns);
    // Unknown namespaces are a mistake only when the input says it declares them all (docs/profiles.md).
    std::optional<KnownNamespaces> known;
    if (ctx.profile.namespaces_complete) known.emplace(ctx.mesh, ctx.resources);
    for (const auto& p : ctx.resources.authorization_policies) {
      if (p.target_refs.empty()) check_selector(ctx, p, p.selector, candidates_for(namespace_of(p)), out);
      if (p.target_refs.empty() && p.selector.empty()) check_namespace_wide(ctx, p, namespaces_in_mesh, out);
      if (known) check_namespace_refs(*known, p, out);
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
    for (const auto& s : ctx.resources.sidecars) {
      auto it = declared.find(namespace_of(s));
      if (it != declared.end()) check_selector(ctx, s, sidecar_selector(s), it->second, out);
    }
    for (const mesh::GatewayInfo& g : ctx.mesh.gateways) check_gateway(g, all_declared, out);
    linkerd::linkerd_references_matching_nothing(ctx, info(), out);
  }

  // Istio's policies as every check lists them, and the Linkerd objects whose references it judges.
  std::vector<ResourceRef> subjects(const Context& ctx) const override {
    std::vector<ResourceRef> out = Check::subjects(ctx);
    linkerd::add_reference_subjects(ctx, out);
    return out;
  }

 private:
  static model::Selector sidecar_selector(const model::Sidecar& s) {
    model::Selector sel;
    sel.present = s.has_workload_selector;
    sel.match_labels = s.workload_selector;
    return sel;
  }

  // A Gateway that selects no gateway pod, among declared gateway pods that carry its selector's keys.
  void check_gateway(const mesh::GatewayInfo& g, const std::vector<const mesh::Workload*>& all,
                     std::vector<Finding>& out) const {
    const model::Gateway& gw = *g.gateway;
    if (!g.pods.empty() || gw.selector.empty()) return;
    std::vector<const mesh::Workload*> candidates;
    for (const mesh::Workload* w : all) {
      bool keys = mesh::is_istio_gateway_pod(*w);
      for (const auto& [k, v] : gw.selector) keys = keys && w->labels.count(k);
      if (keys) candidates.push_back(w);
    }
    if (candidates.empty()) return;  // the input holds none of the pods the selector is about
    std::string message = "Gateway " + namespace_of(gw) + "/" + gw.meta.name + " selects {" + labels_text(gw.selector) +
                          "}, but no gateway pod in the input has these labels (gateway pods with " +
                          "these keys: " + describe_workload(*candidates[0]) +
                          (candidates.size() > 1 ? " and " + std::to_string(candidates.size() - 1) + " more" : "") +
                          "); its servers configure no proxy and serve nothing (docs/semantics.md#gateways)";
    std::string hint = label_hint(gw.selector, candidates);
    if (!hint.empty()) message += "; did you mean " + hint + "?";
    Finding f = make(gw.ref(), gw.selector_loc.known() ? gw.selector_loc : gw.loc, std::move(message),
                     "correct spec.selector to the labels of the gateway pods (e.g. istio: ingressgateway)",
                     "gateway-selector");
    f.properties["reason"] = "no-matching-gateway-pod";
    f.properties["selector"] = labels_text(gw.selector);
    f.properties["namespace"] = namespace_of(gw);
    out.push_back(std::move(f));
  }

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

  // IST0127 for a namespace-wide policy (authz.AuthorizationPoliciesAnalyzer): outside the root namespace, a
  // policy without selector applies to the pods of its namespace, and reports when there are none in the
  // mesh. Judged only in a namespace the input declares: manifest repositories often hold policies without
  // the workloads they protect (DESIGN.md §3), but a repository that declares the namespace declares what
  // runs in it.
  void check_namespace_wide(const Context& ctx, const model::AuthorizationPolicy& p,
                            const std::set<std::string>& namespaces_in_mesh, std::vector<Finding>& out) const {
    const std::string ns = namespace_of(p);
    if (ns == ctx.mesh.config.root_namespace || namespaces_in_mesh.count(ns)) return;
    auto it = ctx.mesh.namespaces.find(ns);
    if (it == ctx.mesh.namespaces.end() || !it->second.decl) return;
    std::vector<std::string> outside;  // declared workloads of the namespace without a proxy
    for (const mesh::Workload& w : ctx.mesh.workloads)
      if (w.origin == mesh::WorkloadOrigin::Declared && w.ns == ns) outside.push_back(describe_workload(w));
    std::string message = resource_text(p) + " applies to every workload in namespace " + ns +
                          ", but the input declares no workload there that is in the mesh" +
                          (outside.empty() ? std::string() : " (without a sidecar: " + join(outside) + ")") +
                          "; the policy applies to no workload and has no effect";
    std::string help = "deploy the workloads it is meant for into namespace " + ns +
                       " (and add them to the input), or delete the policy; istioctl analyze reports this as IST0127";
    Finding f = make(p.ref(), p.loc, std::move(message), std::move(help), "namespace-wide");
    f.properties["reason"] = "no-workload-in-namespace";
    f.properties["namespace"] = ns;
    out.push_back(std::move(f));
  }

  void check_namespace_refs(const KnownNamespaces& known, const model::AuthorizationPolicy& p,
                            std::vector<Finding>& out) const {
    const std::vector<std::string>& declared = known.declared();
    for (const NamespaceRef& ref : namespace_refs(p)) {
      if (known.covers(ref)) continue;
      std::string message = resource_text(p) + " names namespace \"" + ref.ns + "\" in " + ref.field;
      if (!ref.pattern) message += " (\"" + ref.value->value + "\")";
      message += ", but the input declares no such Namespace (declared: " + join(declared) + "); " +
                 (ref.negated ? "this exclusion excludes no caller" : "this value matches no caller");
      std::string hint = ref.ns.find('*') == std::string::npos ? closest(ref.ns, declared) : "";
      if (!hint.empty()) message += "; did you mean \"" + hint + "\"?";
      std::string help = hint.empty() ? "correct the namespace name, or add its Namespace to the input if it "
                                        "exists in the cluster"
                                      : "correct the namespace name to \"" + hint + "\", or add a Namespace \"" +
                                            ref.ns + "\" to the input if it exists in the cluster";
      const Loc loc = ref.value->loc.known() ? ref.value->loc : p.loc;
      Finding f = make(p.ref(), loc, std::move(message), std::move(help),
                       "namespace-ref:" + ref.field + "=" + ref.value->value);
      f.properties["reason"] = "namespace-not-declared";
      f.properties["namespace"] = ref.ns;
      f.properties["field"] = ref.field;
      out.push_back(std::move(f));
    }
  }
};

}  // namespace

std::unique_ptr<Check> make_selector_matches_nothing_check() { return std::make_unique<SelectorMatchesNothing>(); }

}  // namespace meshproof::checks
