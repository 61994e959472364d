// egress-gateway-bypass (MP5002): an egress gateway that Gateways route external traffic through, while mesh
// workloads can still reach outside addresses directly, because no NetworkPolicy restricts their egress.
// Istio cannot make traffic go through an egress gateway by itself: a workload (or a compromised one) that
// dials the external address goes around it unless the L3/L4 layer forbids that; Istio's egress-gateway task
// says so ("Additional security considerations",
// https://istio.io/latest/docs/tasks/traffic-management/egress/egress-gateway/; istio/istio#52619;
// docs/semantics.md#networkpolicy-layer).
#include "base/text.h"
#include "checks/check.h"
#include "checks/describe.h"
#include "checks/gap_findings.h"
#include "mesh/network_layer.h"

namespace meshproof::checks {
namespace {

bool egress_gateway_pod(const mesh::Workload& w) {
  auto it = w.labels.find("istio");
  return mesh::is_istio_gateway_pod(w) && it != w.labels.end() && it->second == "egressgateway";
}

class EgressGatewayBypass final : public Check {
 public:
  EgressGatewayBypass()
      : Check(CheckInfo{
            "egress-gateway-bypass", "MP5002", Severity::Warning,
            "Workloads can go around the egress gateway: no NetworkPolicy forces their external traffic through it",
            "An egress gateway pod that a Gateway configures, while mesh workloads may open connections to "
            "addresses outside the cluster directly: no NetworkPolicy (or AdminNetworkPolicy) isolates their egress "
            "so that only the gateway may leave. Routing rules send cooperative traffic through the gateway, but a "
            "workload that dials the external address itself bypasses it and its policies; only the L3/L4 layer "
            "can enforce the egress path. Decided per workload with the NetworkPolicy layer's egress verdict for an "
            "unknown outside address on TCP 443."}) {}

  std::vector<ResourceRef> subjects(const Context& ctx) const override {
    std::vector<ResourceRef> out;
    for (const mesh::Workload& w : ctx.mesh.workloads)
      if (w.decl && egress_gateway_pod(w)) out.push_back(w.ref());
    return out;
  }

  void run(const Context& ctx, std::vector<Finding>& out) const override {
    std::vector<const mesh::Workload*> gateways;
    for (const mesh::GatewayInfo& g : ctx.mesh.gateways)
      for (size_t i : g.pods)
        if (egress_gateway_pod(ctx.mesh.workloads[i]) &&
            std::find(gateways.begin(), gateways.end(), &ctx.mesh.workloads[i]) == gateways.end())
          gateways.push_back(&ctx.mesh.workloads[i]);
    if (gateways.empty()) return;
    const mesh::NetworkLayer layer(ctx.network_policies, ctx.resources);
    const mesh::NetEndpoint outside = layer.outside(std::nullopt);
    std::vector<std::string> bypassing;
    for (const mesh::Workload& w : ctx.mesh.workloads) {
      if (!w.decl || !w.has_proxy() || mesh::is_istio_gateway_pod(w) || !w.gateway_name.empty()) continue;
      if (layer.egress(layer.pod(*w.decl), outside, "TCP", 443).allowed) bypassing.push_back(w.display());
    }
    if (bypassing.empty()) return;
    for (const mesh::Workload* g : gateways) {
      Finding f = make(g->ref(), g->decl->loc,
                       "egress gateway " + g->display() + " can be bypassed: " + gaps::list_text(bypassing, 4) +
                           " may connect to outside addresses directly, since no NetworkPolicy restricts their "
                           "egress to the gateway (docs/semantics.md#networkpolicy-layer)",
                       "add NetworkPolicies that deny the workloads' egress except to the egress gateway, DNS and "
                       "in-cluster peers (https://istio.io/latest/docs/tasks/traffic-management/egress/"
                       "egress-gateway/)",
                       "gateway=" + g->display());
      f.properties["workloads"] = join(bypassing, "; ");
      out.push_back(std::move(f));
    }
  }
};

}  // namespace

std::unique_ptr<Check> make_egress_gateway_bypass_check() { return std::make_unique<EgressGatewayBypass>(); }

}  // namespace meshproof::checks
