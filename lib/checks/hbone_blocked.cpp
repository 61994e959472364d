// hbone-blocked (MP5001): a NetworkPolicy isolates the ingress of ambient pods and none of the rules that
// select them admits TCP port 15008. Ambient's secure overlay tunnels mesh traffic between pods over HBONE on
// port 15008, and "ambient does not and will never bypass Kubernetes NetworkPolicy enforcement": so every
// mesh connection to those pods is dropped, even where the Istio policies allow it
// (https://istio.io/latest/docs/ambient/usage/networkpolicy/; docs/semantics.md#networkpolicy-layer, I3).
#include <map>

#include "base/text.h"
#include "checks/check.h"
#include "checks/describe.h"
#include "mesh/network_layer.h"

namespace meshproof::checks {
namespace {

class HboneBlocked final : public Check {
 public:
  HboneBlocked()
      : Check(CheckInfo{
            "hbone-blocked", "MP5001", Severity::Error,
            "A NetworkPolicy on ambient pods does not admit HBONE port 15008, so mesh traffic to them is dropped",
            "A Kubernetes NetworkPolicy (or a Cilium policy) isolates the ingress of pods in an ambient namespace, "
            "and no rule of the "
            "NetworkPolicies that select them admits TCP port 15008. Ambient tunnels mesh traffic between pods over "
            "HBONE on port 15008, and Istio never bypasses NetworkPolicy: every mesh connection to those pods is "
            "dropped before Istio's authorization sees it. Decided per pod from the NetworkPolicies' podSelector, "
            "policyTypes (as the API server defaults them) and ports."}) {}

  std::vector<ResourceRef> subjects(const Context& ctx) const override {
    std::vector<ResourceRef> out;
    const mesh::NetworkLayer layer(ctx.network_policies, ctx.resources);
    for (const model::NetworkPolicyObject* p : layer.policies())
      if (p->tier == model::NetTier::NetworkPolicy) out.push_back(p->ref());
    return out;
  }

  void run(const Context& ctx, std::vector<Finding>& out) const override {
    const mesh::NetworkLayer layer(ctx.network_policies, ctx.resources);
    if (layer.empty()) return;
    // Per isolating policy, the ambient pods it leaves without 15008 (mesh order: namespace, name).
    std::map<const model::NetworkPolicyObject*, std::vector<std::string>> blocked;
    for (const mesh::Workload& w : ctx.mesh.workloads) {
      if (w.data_plane != mesh::DataPlane::Ambient || !w.decl) continue;
      const mesh::NetEndpoint pod = layer.pod(*w.decl);
      if (layer.ingress_port_open(pod, "TCP", mesh::kHbonePort)) continue;
      for (const model::NetworkPolicyObject* p : layer.selecting(pod, true))  // the isolating ones (Cilium too)
        if (p->tier == model::NetTier::NetworkPolicy && p->isolates_ingress) blocked[p].push_back(w.display());
    }
    for (const model::NetworkPolicyObject* p : layer.policies()) {
      auto it = blocked.find(p);
      if (it == blocked.end()) continue;
      const std::string pods = join(it->second, ", ");
      Finding f = make(p->ref(), p->ingress.empty() ? p->loc : p->ingress.front().loc,
                       p->display() + " isolates the ingress of ambient pods (" + pods +
                           ") and no NetworkPolicy rule that selects them admits TCP port 15008: ambient tunnels "
                           "mesh traffic over HBONE on that port, so every mesh connection to them is dropped "
                           "(docs/semantics.md#networkpolicy-layer)",
                       "add `{port: 15008, protocol: TCP}` to the ports of an ingress rule that admits the mesh "
                       "clients (https://istio.io/latest/docs/ambient/usage/networkpolicy/)",
                       "pods=" + pods);
      f.properties["pods"] = pods;
      out.push_back(std::move(f));
    }
  }
};

}  // namespace

std::unique_ptr<Check> make_hbone_blocked_check() { return std::make_unique<HboneBlocked>(); }

}  // namespace meshproof::checks
