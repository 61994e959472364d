// cilium-l7-under-mtls (MP5003): a CiliumNetworkPolicy or CiliumClusterwideNetworkPolicy puts HTTP rules (or
// another L7 or TLS-interception rule) on the ingress of a port where Istio's sidecar accepts mTLS. Cilium's
// proxy then reads the mesh's mutual-TLS stream, not HTTP requests: Cilium's documentation says that Istio's
// mTLS modes STRICT and PERMISSIVE "are not compatible with Cilium HTTP network policy" and that an HTTP-based
// policy needs PeerAuthentication mode DISABLE (https://docs.cilium.io/en/stable/network/servicemesh/istio/;
// docs/semantics.md#cilium-l7-and-istio-mtls, networkpolicy.md C3 and I7).
#include <algorithm>
#include <optional>
#include <set>

#include "base/text.h"
#include "checks/check.h"
#include "checks/describe.h"
#include "mesh/network_layer.h"

namespace meshproof::checks {
namespace {

// The declared ports of `w` that one toPorts item names (TCP or any protocol; a named port resolves on the
// pod, N7 as Cilium does).
std::vector<const mesh::WorkloadPort*> cilium_l7_ports_of(const mesh::Workload& w, const model::NetPort& item) {
  std::vector<const mesh::WorkloadPort*> out;
  if (item.protocol != "TCP" && item.protocol != "ANY") return out;
  for (const mesh::WorkloadPort& wp : w.ports) {
    bool named = false;
    if (!item.name.empty() && w.decl)
      named = std::any_of(w.decl->ports.begin(), w.decl->ports.end(), [&](const model::ContainerPort& cp) {
        return cp.name == item.name && cp.port == wp.port;
      });
    const bool numbered = item.name.empty() && (item.end_port ? wp.port >= item.port && wp.port <= item.end_port
                                                              : wp.port == item.port);
    if (item.any_port || named || numbered) out.push_back(&wp);
  }
  return out;
}

// One L7 entry on one sidecar pod's ports where mTLS is accepted.
struct CiliumL7Conflict {
  const model::NetworkPolicyObject* policy = nullptr;
  const model::NetL7Ports* entry = nullptr;
  std::vector<std::string> pods;          // "ns/name port N (STRICT by PeerAuthentication ns/x)"
  std::vector<RelatedLocation> deciding;  // the PeerAuthentications that set those modes (once each)
};

std::string cilium_l7_mode_source(const mesh::MtlsDecision& d) {
  if (!d.decided_by) return "Istio's default";
  return "PeerAuthentication " + d.decided_by->meta.ns + "/" + d.decided_by->meta.name;
}

class CiliumL7UnderMtls final : public Check {
 public:
  CiliumL7UnderMtls()
      : Check(CheckInfo{
            "cilium-l7-under-mtls", "MP5003", Severity::Error,
            "A Cilium L7 rule is on a port where Istio's sidecar accepts mTLS, which Cilium's proxy cannot read",
            "A CiliumNetworkPolicy or CiliumClusterwideNetworkPolicy ingress rule carries HTTP rules (or other L7 or "
            "TLS-interception rules) on a port of pods whose Istio sidecar accepts mutual TLS there (PeerAuthentication "
            "STRICT or PERMISSIVE, Istio's default). Mesh clients send that port mTLS, so Cilium's proxy sees an "
            "encrypted stream, not the requests its rules name: Cilium documents STRICT and PERMISSIVE as not "
            "compatible with its HTTP network policy. Decided per selected sidecar pod and declared port from the "
            "policy's endpointSelector and toPorts and the port's effective mTLS mode."}) {}

  std::vector<ResourceRef> subjects(const Context& ctx) const override {
    std::vector<ResourceRef> out;
    const mesh::NetworkLayer layer(ctx.network_policies, ctx.resources);
    for (const model::NetworkPolicyObject* p : layer.policies())
      if (p->cilium) out.push_back(p->ref());
    return out;
  }

  void run(const Context& ctx, std::vector<Finding>& out) const override {
    const mesh::NetworkLayer layer(ctx.network_policies, ctx.resources);
    if (layer.empty()) return;
    std::vector<CiliumL7Conflict> conflicts;
    std::optional<std::vector<SidecarPod>> pods;  // computed once, when some policy has an L7 entry
    for (const model::NetworkPolicyObject* p : layer.policies())
      if (p->cilium)
        for (const model::NetRule& rule : p->ingress)
          for (const model::NetL7Ports& entry : rule.l7) {
            if (!pods) pods = sidecar_pods(ctx, layer);
            collect(*pods, *p, entry, conflicts);
          }
    for (const CiliumL7Conflict& c : conflicts) out.push_back(finding(c));
  }

 private:
  // A declared sidecar pod and the policies that select it for ingress. Ambient pods receive mesh traffic on
  // HBONE 15008 (hbone-blocked judges that port); pods without a sidecar accept plaintext, which Cilium's proxy
  // reads.
  struct SidecarPod {
    const mesh::Workload* workload;
    std::vector<const model::NetworkPolicyObject*> selecting;
  };

  static std::vector<SidecarPod> sidecar_pods(const Context& ctx, const mesh::NetworkLayer& layer) {
    std::vector<SidecarPod> out;
    for (const mesh::Workload& w : ctx.mesh.workloads)
      if (w.data_plane == mesh::DataPlane::Sidecar && w.decl)
        out.push_back(SidecarPod{&w, layer.selecting(layer.pod(*w.decl), true)});
    return out;
  }

  static void collect(const std::vector<SidecarPod>& pods, const model::NetworkPolicyObject& p,
                      const model::NetL7Ports& entry, std::vector<CiliumL7Conflict>& out) {
    CiliumL7Conflict c{&p, &entry, {}, {}};
    for (const SidecarPod& pod : pods) {
      if (std::find(pod.selecting.begin(), pod.selecting.end(), &p) == pod.selecting.end()) continue;
      const mesh::Workload& w = *pod.workload;
      std::set<uint32_t> seen;
      for (const model::NetPort& item : entry.ports)
        for (const mesh::WorkloadPort* wp : cilium_l7_ports_of(w, item)) {
          const mesh::MtlsDecision& d = w.mtls_for(wp->port);
          if (d.no_sidecar || d.mode == model::MtlsMode::Disable || !seen.insert(wp->port).second) continue;
          c.pods.push_back(w.display() + " port " + std::to_string(wp->port) + " (" + model::to_string(d.mode) +
                           " by " + cilium_l7_mode_source(d) + ")");
          if (d.decided_by) add_deciding(*d.decided_by, c.deciding);
        }
    }
    if (!c.pods.empty()) out.push_back(std::move(c));
  }

  static void add_deciding(const model::PeerAuthentication& pa, std::vector<RelatedLocation>& out) {
    const ResourceRef ref = pa.ref();
    for (const RelatedLocation& r : out)
      if (r.resource.ns == ref.ns && r.resource.name == ref.name) return;
    out.push_back(RelatedLocation{"sets the port's mTLS mode", ref, pa.mode_loc.known() ? pa.mode_loc : ref.loc});
  }

  Finding finding(const CiliumL7Conflict& c) const {
    const std::string pods = join(c.pods, ", ");
    Finding f = make(c.policy->ref(), c.entry->loc,
                     c.policy->display() + " puts " + c.entry->what + " on ports where the sidecar accepts mTLS: " + pods +
                         ". Mesh clients send mTLS there, so Cilium's proxy sees an encrypted stream, not the requests "
                         "its rules name; Cilium documents STRICT and PERMISSIVE as not compatible with its HTTP "
                         "policy (docs/semantics.md#cilium-l7-and-istio-mtls)",
                     "enforce the L7 rules in Istio instead (an AuthorizationPolicy with `to.operation` on the "
                     "sidecar), and keep only ports in the Cilium rule; or, where Istio's mTLS is not wanted, set "
                     "PeerAuthentication mode DISABLE on these ports "
                     "(https://docs.cilium.io/en/stable/network/servicemesh/istio/)",
                     "pods=" + pods);
    f.properties["pods"] = pods;
    f.properties["l7"] = c.entry->what;
    f.related = c.deciding;
    return f;
  }
};

}  // namespace

std::unique_ptr<Check> make_cilium_l7_under_mtls_check() { return std::make_unique<CiliumL7UnderMtls>(); }

}  // namespace meshproof::checks
