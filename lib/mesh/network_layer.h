// The L3/L4 layer under the mesh: whether a connection reaches the destination pod at all, before Istio
// looks at it (docs/semantics.md#networkpolicy-layer). Per direction — the source pod's egress and the
// destination pod's ingress — the admin tiers decide in order: AdminNetworkPolicy (priority, Allow/Deny/Pass),
// then NetworkPolicy (isolation, union of rules), then BaselineAdminNetworkPolicy, then allow. Ports are the
// destination pod's ports after Service DNAT; named ports resolve on the destination pod. Ambient mesh
// traffic crosses the layer on HBONE port 15008 (I3), sidecar traffic on the application port (I2).
// CiliumNetworkPolicy and CiliumClusterwideNetworkPolicy share the NetworkPolicy tier with Kubernetes
// NetworkPolicy, as Cilium's policy repository holds them: any of them selecting the pod isolates it (unless
// enableDefaultDeny says otherwise), their allow rules are one union, and a matching deny rule wins over
// every allow of the tier.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "mesh/enforcement.h"
#include "model/network_policy.h"
#include "model/resources.h"

namespace meshproof::mesh {

// One end of a connection: a pod of the input, or an address outside the cluster.
struct NetEndpoint {
  const model::Workload* pod = nullptr;  // nullptr: outside the cluster
  std::string ns;                        // the pod's namespace
  model::Labels labels;                  // the pod's labels
  model::Labels ns_labels;               // its namespace's labels, with kubernetes.io/metadata.name
  model::Labels cilium_labels;           // the labels Cilium gives the pod's endpoint (docs/semantics.md, Cilium)
  std::optional<model::Cidr> address;    // an outside address when known (a /32 or /128)
  std::string display() const;           // "pod ns/name", "outside address 1.2.3.4", "an unknown outside address"
};

// What the layer decides for one direction, or for the connection (the first direction that denies).
struct NetVerdict {
  bool allowed = true;
  bool decided = false;   // a policy of the layer decided (false: no policy applies, the default allow)
  std::string direction;  // "egress" (of the source) or "ingress" (of the destination)
  model::NetTier tier = model::NetTier::NetworkPolicy;
  // The deciding policy (a denying rule's, or an isolating one) and the matching rule (nullptr: isolation
  // without a match); they point into the NetworkLayer, so they are valid only while it lives.
  const model::NetworkPolicyObject* policy = nullptr;
  const model::NetRule* rule = nullptr;
  std::string policy_name;  // policy->display(), "" when no policy decided: kept after the layer is gone
  Loc loc;                  // the matching rule, else the policy
  uint32_t port = 0;        // the port the layer saw
  std::string protocol = "TCP";
  std::string reason;  // one sentence, for the outputs
  std::string source;  // the connection's source, as NetEndpoint::display() says it
  // Not "" when the verdict rests on something the layer does not model (a Cilium L7 rule on the admitting
  // rule, a toFQDNs peer, ...): the connection is admitted as far as meshproof can tell, but it is not a proof.
  // A denial is never based on such a part.
  std::string unmodelled;
  // A4: AdminNetworkPolicies of equal priority whose first matching rules have different actions (the one
  // the input lists first, then the others): their order is implementation-defined, and `allowed` is true when
  // either order admits. Their display() names; empty without such a tie.
  std::vector<std::string> tie;
};

const char* to_string(model::NetTier tier);

// Whether a rule's peer matches an endpoint: surely, surely not, or not decidable here (a Cilium peer the input
// cannot resolve: toFQDNs, toServices, ... — only ever for an outside address).
enum class NetMatch { No, Yes, Maybe };
NetMatch peer_match(const model::NetworkPolicyObject& policy, const model::NetPeer& peer, const NetEndpoint& e);

class NetworkLayer {
 public:
  // The valid L3/L4 policies of `set` (those the API server rejects do not exist; nullptr: none), which must
  // outlive the layer (app::Input::network_policies); `resources` gives the namespaces' labels.
  NetworkLayer(const model::NetworkPolicySet* set, const model::ResourceSet& resources);
  NetworkLayer(const NetworkLayer&) = delete;
  NetworkLayer& operator=(const NetworkLayer&) = delete;

  bool empty() const { return policies_.empty(); }
  const std::vector<const model::NetworkPolicyObject*>& policies() const { return policies_; }

  NetEndpoint pod(const model::Workload& w) const;
  NetEndpoint outside(std::optional<model::Cidr> address) const;

  // The destination's ingress, the source's egress (a source outside the cluster has no egress policy here),
  // and both: the connection is admitted when both directions are (N3).
  NetVerdict ingress(const NetEndpoint& src, const NetEndpoint& dst, const std::string& protocol, uint32_t port) const;
  NetVerdict egress(const NetEndpoint& src, const NetEndpoint& dst, const std::string& protocol, uint32_t port) const;
  NetVerdict admit(const NetEndpoint& src, const NetEndpoint& dst, const std::string& protocol, uint32_t port) const;

  // Whether some ingress rule of the NetworkPolicies that isolate `dst` admits `port` from some peer (their
  // ports only); true when none isolates it. nullptr `blocking`: not wanted; else the first isolating policy.
  bool ingress_port_open(const NetEndpoint& dst, const std::string& protocol, uint32_t port,
                         const model::NetworkPolicyObject** blocking = nullptr) const;

  // The policies whose subject is the pod and that restrict `direction` ("ingress"/"egress"), in tier order.
  std::vector<const model::NetworkPolicyObject*> selecting(const NetEndpoint& pod, bool ingress) const;

 private:
  model::Labels namespace_labels(const std::string& ns) const;
  std::vector<const model::NetworkPolicyObject*> policies_;  // admin tier by priority, then the rest in input order
  const model::ResourceSet& resources_;
};

// The port the layer sees for a connection to `app_port` of the destination: HBONE 15008 when the
// destination is ambient and the caller speaks mTLS (I3), else the application port (I2).
constexpr uint32_t kHbonePort = 15008;

// The port the layer sees for a connection to `app_port` of a pod of data plane `dst` from a caller of kind
// `caller` (`mtls`: the caller sends mesh mTLS): HBONE 15008 to an ambient pod and from an ambient caller to a
// sidecar pod (I3), else the application port after Service DNAT (I2). `query --from` decides with it.
uint32_t wire_port(DataPlane dst, CallerKind caller, bool mtls, uint32_t app_port);

// One outside address (a /32 or /128) per region of the address space that the CIDRs of the layers' rules
// (ipBlock and its except, AdminNetworkPolicy networks, Cilium fromCIDR/toCIDR) cut out: every outside
// address is decided like the representative of its region, because the layer reads an outside address only
// through those CIDRs and its family (Cilium world-ipv4/world-ipv6). IPv4 always has at least one
// representative; IPv6 ones when a layer names an IPv6 CIDR or a world-ipv4/world-ipv6 entity. Sorted by
// family, then address; deterministic.
std::vector<model::Cidr> outside_representatives(const std::vector<const NetworkLayer*>& layers);

}  // namespace meshproof::mesh
