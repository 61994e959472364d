// Which AuthorizationPolicies, RequestAuthentications and PeerAuthentications apply to each workload
// (istio-semantics.md §10, §11).
#include <algorithm>
#include <unordered_map>

#include "mesh/resolve_internal.h"

namespace meshproof::mesh::detail {

namespace {

constexpr const char* kGatewayApiGroup = "gateway.networking.k8s.io";

// ShouldAttachPolicy for a Gateway API gateway pod (policyattachment.go:123-201): a targetRef names the
// pod's Gateway when it is kind Gateway of group gateway.networking.k8s.io, its name is the pod's
// gateway-name label, and the policy lives in the pod's namespace (a targetRef namespace, which
// validation rejects anyway, must be empty or that namespace).
template <class P>
bool targets_gateway(const P& p, const Workload& w) {
  if (w.gateway_name.empty() || effective_namespace(p) != w.ns) return false;
  for (const model::TargetRef& t : p.target_refs) {
    if (t.group == kGatewayApiGroup && t.kind == "Gateway" && t.name == w.gateway_name &&
        (t.ns.empty() || t.ns == w.ns))
      return true;
  }
  return false;
}

// Candidates come from the root namespace and the workload's namespace (authorization.go:97-110,
// authentication.go getConfigsForWorkload). Root-namespace policies come first, each group in Istio order.
template <class P>
void applicable(const PolicyIndex<P>& index, const std::string& root, const Workload& w, std::vector<const P*>& applies,
                std::vector<const P*>& ignored) {
  std::vector<const P*> group;
  auto collect = [&](const std::string& ns) {
    group.clear();
    index.selected(ns, w.labels, group);
    for (const P* p : index.targeted(ns)) {
      if (targets_gateway(*p, w))
        group.push_back(p);
      else
        ignored.push_back(p);
    }
    std::sort(group.begin(), group.end(), [&](const P* a, const P* b) { return index.rank(a) < index.rank(b); });
    applies.insert(applies.end(), group.begin(), group.end());
  };
  collect(root);
  if (w.ns != root) collect(w.ns);
}

}  // namespace

void resolve_applicability(const Indexes& idx, Mesh& mesh) {
  const std::string& root = mesh.config.root_namespace;
  for (Workload& w : mesh.workloads) {
    applicable(idx.authz, root, w, w.authorization_policies, w.ignored_target_ref_authorization_policies);
    applicable(idx.request_authn, root, w, w.request_authentications, w.ignored_target_ref_request_authentications);
  }
}

// PeerAuthentication levels (policy_applier.go ComposePeerAuthentication, authentication.go
// addPeerAuthentication): mesh = the oldest selector-less policy in the root namespace; namespace = the
// oldest selector-less policy in the workload's namespace when that is not the root namespace; workload =
// the oldest policy of the workload's (non-root) namespace whose non-empty selector ⊆ the labels.
// Root-namespace policies with a selector are never used.
void resolve_peer_authentication(const Indexes& idx, Mesh& mesh) {
  const std::string& root = mesh.config.root_namespace;
  auto oldest_without_selector = [&](const std::string& ns) -> const model::PeerAuthentication* {
    for (const model::PeerAuthentication* p : idx.peer_authn.all(ns))  // Istio order: first is oldest
      if (p->selector.empty()) return p;
    return nullptr;
  };
  const model::PeerAuthentication* mesh_level = oldest_without_selector(root);
  std::unordered_map<std::string, const model::PeerAuthentication*> namespace_level;
  std::vector<const model::PeerAuthentication*> selected;
  for (Workload& w : mesh.workloads) {
    w.pa_mesh = mesh_level;
    if (w.ns == root) continue;
    auto [it, inserted] = namespace_level.try_emplace(w.ns, nullptr);
    if (inserted) it->second = oldest_without_selector(w.ns);
    w.pa_namespace = it->second;
    selected.clear();
    idx.peer_authn.selected(w.ns, w.labels, selected);
    for (const model::PeerAuthentication* p : selected) {
      if (!p->selector.empty()) {
        w.pa_workload = p;
        break;
      }
    }
  }
}

}  // namespace meshproof::mesh::detail
