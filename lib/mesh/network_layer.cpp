// The L3/L4 layer's decision for one connection (mesh/network_layer.h). The tier order is that of the
// network-policy-api reference simulator (docs/semantics.md#networkpolicy-layer, A1–A3); NetworkPolicy
// semantics are N1–N8.
#include "mesh/network_layer.h"

#include <algorithm>

namespace meshproof::mesh {

namespace {

using model::NetAction;
using model::NetRule;
using model::NetTier;
using model::NetworkPolicyObject;

bool netlayer_in_block(const model::IpBlock& block, const NetEndpoint& e) {
  // Pod addresses are not in the input: only a block that covers every address surely holds a pod's; an
  // unknown outside address is likewise only surely inside such a block (docs/semantics.md, N5).
  if (e.pod || !e.address) return block.cidr.covers_everything() && block.except.empty();
  if (!block.cidr.contains(*e.address)) return false;
  return std::none_of(block.except.begin(), block.except.end(),
                      [&](const model::Cidr& x) { return x.contains(*e.address); });
}

bool netlayer_peer_matches(const NetworkPolicyObject& p, const model::NetPeer& peer, const NetEndpoint& e) {
  if (peer.ip_block) return netlayer_in_block(*peer.ip_block, e);
  if (!e.pod) return false;  // pod and namespace selectors select pods only
  if (peer.own_namespace ? e.ns != p.meta.ns : !(peer.namespaces && peer.namespaces->matches(e.ns_labels)))
    return false;
  return !peer.pods || peer.pods->matches(e.labels);
}

// A named port resolves on the destination pod's container ports of the same protocol (N7).
bool netlayer_port_matches(const model::NetPort& item, const NetEndpoint& dst, const std::string& protocol,
                           uint32_t port) {
  if (item.protocol != protocol) return false;
  if (item.any_port) return true;
  if (!item.name.empty()) {
    if (!dst.pod) return false;
    return std::any_of(dst.pod->ports.begin(), dst.pod->ports.end(), [&](const model::ContainerPort& cp) {
      return cp.name == item.name && cp.protocol == protocol && cp.port == port;
    });
  }
  return item.end_port ? port >= item.port && port <= item.end_port : port == item.port;
}

bool netlayer_rule_matches(const NetworkPolicyObject& p, const NetRule& rule, const NetEndpoint& peer,
                           const NetEndpoint& dst, const std::string& protocol, uint32_t port) {
  const bool peer_ok = rule.all_peers || std::any_of(rule.peers.begin(), rule.peers.end(),
                                                     [&](const auto& x) { return netlayer_peer_matches(p, x, peer); });
  if (!peer_ok) return false;
  return rule.all_ports || std::any_of(rule.ports.begin(), rule.ports.end(), [&](const model::NetPort& x) {
           return netlayer_port_matches(x, dst, protocol, port);
         });
}

bool netlayer_subject(const NetworkPolicyObject& p, const NetEndpoint& e) {
  if (!e.pod) return false;
  if (p.tier == NetTier::NetworkPolicy) return p.meta.ns == e.ns && p.pod_selector.matches(e.labels);
  return p.subject_namespaces && p.subject_namespaces->matches(e.ns_labels) && p.pod_selector.matches(e.labels);
}

std::string netlayer_rule_name(const NetworkPolicyObject& p, const NetRule& rule, bool ingress) {
  const auto& rules = ingress ? p.ingress : p.egress;
  const size_t i = static_cast<size_t>(&rule - rules.data());
  std::string s = (ingress ? "ingress[" : "egress[") + std::to_string(i) + "]";
  return rule.name.empty() ? s : s + " \"" + rule.name + "\"";
}

}  // namespace

const char* to_string(NetTier tier) {
  switch (tier) {
    case NetTier::Admin:
      return "AdminNetworkPolicy";
    case NetTier::NetworkPolicy:
      return "NetworkPolicy";
    case NetTier::Baseline:
      return "BaselineAdminNetworkPolicy";
  }
  return "?";
}

std::string NetEndpoint::display() const {
  if (pod) return "pod " + pod->meta.ns + "/" + pod->meta.name;
  return address ? "outside address " + address->text : "an unknown outside address";
}

NetworkLayer::NetworkLayer(const model::NetworkPolicySet* set, const model::ResourceSet& resources)
    : resources_(resources) {
  if (set)
    for (const NetworkPolicyObject& p : set->policies)
      if (p.valid) policies_.push_back(&p);
  // Admin tier first by priority (equal priorities: input order, A4), then NetworkPolicy and baseline.
  std::stable_sort(policies_.begin(), policies_.end(), [](const NetworkPolicyObject* a, const NetworkPolicyObject* b) {
    if (a->tier != b->tier) return a->tier < b->tier;
    return a->tier == NetTier::Admin && a->priority < b->priority;
  });
}

model::Labels NetworkLayer::namespace_labels(const std::string& ns) const {
  model::Labels labels;
  for (const model::Namespace& n : resources_.namespaces)
    if (n.meta.name == ns) labels = n.meta.labels;
  labels["kubernetes.io/metadata.name"] = ns;  // set by the API server on every namespace
  return labels;
}

NetEndpoint NetworkLayer::pod(const model::Workload& w) const {
  return NetEndpoint{&w, w.meta.ns, w.pod_labels, namespace_labels(w.meta.ns), std::nullopt};
}

NetEndpoint NetworkLayer::outside(std::optional<model::Cidr> address) const {
  return NetEndpoint{nullptr, "", {}, {}, std::move(address)};
}

std::vector<const NetworkPolicyObject*> NetworkLayer::selecting(const NetEndpoint& e, bool ingress) const {
  std::vector<const NetworkPolicyObject*> out;
  for (const NetworkPolicyObject* p : policies_) {
    const bool restricts = p->tier == NetTier::NetworkPolicy ? (ingress ? p->isolates_ingress : p->isolates_egress)
                                                             : !(ingress ? p->ingress : p->egress).empty();
    if (restricts && netlayer_subject(*p, e)) out.push_back(p);
  }
  return out;
}

bool NetworkLayer::ingress_port_open(const NetEndpoint& dst, const std::string& protocol, uint32_t port,
                                     const NetworkPolicyObject** blocking) const {
  const NetworkPolicyObject* first = nullptr;
  for (const NetworkPolicyObject* p : selecting(dst, true)) {
    if (p->tier != NetTier::NetworkPolicy) continue;
    if (!first) first = p;
    for (const NetRule& rule : p->ingress)
      if (rule.all_ports || std::any_of(rule.ports.begin(), rule.ports.end(), [&](const model::NetPort& x) {
            return netlayer_port_matches(x, dst, protocol, port);
          }))
        return true;
  }
  if (blocking) *blocking = first;
  return first == nullptr;
}

namespace {

// One direction of one connection: `subject` is the pod whose policies decide, `peer` the other end.
NetVerdict netlayer_decide(const std::vector<const NetworkPolicyObject*>& selecting, const NetEndpoint& peer,
                           const NetEndpoint& dst, const std::string& protocol, uint32_t port, bool ingress) {
  NetVerdict v;
  v.direction = ingress ? "ingress" : "egress";
  v.port = port;
  v.protocol = protocol;
  auto decide = [&](const NetworkPolicyObject* p, const NetRule* rule, bool allowed) {
    v.decided = true;
    v.allowed = allowed;
    v.policy = p;
    v.rule = rule;
    v.policy_name = p->display();
    v.loc = rule ? rule->loc : p->loc;
    v.tier = p->tier;
    v.reason = rule ? p->display() + " " + netlayer_rule_name(*p, *rule, ingress) + " " +
                          (allowed ? "allows" : "denies") + " it"
                    : "no rule of the NetworkPolicies that isolate the pod for " + v.direction + " allows it (" +
                          p->display() + ")";
    return v;
  };
  const NetworkPolicyObject* isolating = nullptr;
  bool passed = false;
  for (const NetworkPolicyObject* p : selecting) {
    if (p->tier == NetTier::Admin && passed) continue;
    if (p->tier == NetTier::Baseline && isolating) break;  // a selecting NetworkPolicy always decides (A3)
    if (p->tier == NetTier::NetworkPolicy && !isolating) isolating = p;
    for (const NetRule& rule : ingress ? p->ingress : p->egress) {
      if (!netlayer_rule_matches(*p, rule, peer, dst, protocol, port)) continue;
      if (rule.action == NetAction::Pass) {
        passed = true;  // skips every further admin rule (A2)
        break;
      }
      return decide(p, &rule, rule.action == NetAction::Allow);
    }
  }
  if (isolating) return decide(isolating, nullptr, false);
  v.reason = "no policy of the layer decides; allowed";
  return v;
}

}  // namespace

NetVerdict NetworkLayer::ingress(const NetEndpoint& src, const NetEndpoint& dst, const std::string& protocol,
                                 uint32_t port) const {
  return netlayer_decide(selecting(dst, true), src, dst, protocol, port, true);
}

NetVerdict NetworkLayer::egress(const NetEndpoint& src, const NetEndpoint& dst, const std::string& protocol,
                                uint32_t port) const {
  return netlayer_decide(selecting(src, false), dst, dst, protocol, port, false);
}

NetVerdict NetworkLayer::admit(const NetEndpoint& src, const NetEndpoint& dst, const std::string& protocol,
                               uint32_t port) const {
  if (src.pod && src.pod == dst.pod) {  // a pod cannot block access to itself (N8)
    NetVerdict v;
    v.port = port;
    v.reason = "a pod's connection to itself is always allowed";
    return v;
  }
  if (src.pod) {
    NetVerdict out = egress(src, dst, protocol, port);
    if (!out.allowed) return out;
  }
  return ingress(src, dst, protocol, port);
}

}  // namespace meshproof::mesh
