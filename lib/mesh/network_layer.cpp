// The L3/L4 layer's decision for one connection (mesh/network_layer.h). The tier order is that of the
// network-policy-api reference simulator (docs/semantics.md#networkpolicy-layer, A1–A3); NetworkPolicy
// semantics are N1–N8.
#include "mesh/network_layer.h"

#include <arpa/inet.h>

#include <algorithm>
#include <array>
#include <optional>
#include <set>
#include <utility>

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

NetMatch netlayer_bool(bool b) { return b ? NetMatch::Yes : NetMatch::No; }

// Cilium entities (cilium-doc language.rst "Entities based"): pods are in `cluster`; outside addresses are
// `world`; `all` is both. host, remote-node, kube-apiserver, ingress, init, health, unmanaged and none are
// neither a pod of the input nor an outside caller meshproof models.
NetMatch netlayer_entity(const std::string& entity, const NetEndpoint& e) {
  if (entity == "all") return NetMatch::Yes;
  if (e.pod) return netlayer_bool(entity == "cluster");
  if (entity == "world") return NetMatch::Yes;
  if (entity == "world-ipv4" || entity == "world-ipv6") {
    if (!e.address) return NetMatch::Maybe;
    return netlayer_bool((e.address->bits == 32) == (entity == "world-ipv4"));
  }
  return NetMatch::No;
}

NetMatch netlayer_cilium_peer(const model::NetPeer& peer, const NetEndpoint& e) {
  if (!peer.unmodelled.empty()) return e.pod ? NetMatch::No : NetMatch::Maybe;  // outside peers only
  if (!peer.entity.empty()) return netlayer_entity(peer.entity, e);
  // CIDR rules never select endpoints Cilium manages (cilium-doc language.rst "IP/CIDR based").
  if (peer.ip_block) return e.pod ? NetMatch::No : netlayer_bool(netlayer_in_block(*peer.ip_block, e));
  if (peer.pods) return e.pod ? netlayer_bool(peer.pods->matches(e.cilium_labels)) : NetMatch::No;
  return NetMatch::No;  // a peer the CRD rejected in part
}

NetMatch netlayer_peer_matches(const NetworkPolicyObject& p, const model::NetPeer& peer, const NetEndpoint& e) {
  if (peer.cilium) return netlayer_cilium_peer(peer, e);
  if (!peer.unmodelled.empty()) return e.pod ? NetMatch::No : NetMatch::Maybe;  // ClusterNetworkPolicy domainNames
  if (peer.ip_block) return netlayer_bool(netlayer_in_block(*peer.ip_block, e));
  if (!e.pod) return NetMatch::No;  // pod and namespace selectors select pods only
  if (peer.own_namespace ? e.ns != p.meta.ns : !(peer.namespaces && peer.namespaces->matches(e.ns_labels)))
    return NetMatch::No;
  return netlayer_bool(!peer.pods || peer.pods->matches(e.labels));
}

// A named port resolves on the destination pod's container ports of the same protocol (N7).
bool netlayer_port_matches(const model::NetPort& item, const NetEndpoint& dst, const std::string& protocol,
                           uint32_t port) {
  if (item.protocol != protocol && item.protocol != "ANY") return false;
  if (item.any_port) return true;
  if (!item.name.empty()) {
    if (!dst.pod) return false;
    return std::any_of(dst.pod->ports.begin(), dst.pod->ports.end(), [&](const model::ContainerPort& cp) {
      return cp.name == item.name && cp.protocol == protocol && cp.port == port;
    });
  }
  return item.end_port ? port >= item.port && port <= item.end_port : port == item.port;
}

NetMatch netlayer_rule_matches(const NetworkPolicyObject& p, const NetRule& rule, const NetEndpoint& peer,
                               const NetEndpoint& dst, const std::string& protocol, uint32_t port) {
  NetMatch peer_ok = rule.all_peers ? NetMatch::Yes : NetMatch::No;
  for (const model::NetPeer& x : rule.peers) {
    const NetMatch m = netlayer_peer_matches(p, x, peer);
    if (m == NetMatch::Yes) peer_ok = m;
    if (m == NetMatch::Maybe && peer_ok == NetMatch::No) peer_ok = m;
  }
  if (peer_ok == NetMatch::No) return peer_ok;
  const bool port_ok = rule.all_ports || std::any_of(rule.ports.begin(), rule.ports.end(), [&](const model::NetPort& x) {
                         return netlayer_port_matches(x, dst, protocol, port);
                       });
  return port_ok ? peer_ok : NetMatch::No;
}

bool netlayer_subject(const NetworkPolicyObject& p, const NetEndpoint& e) {
  if (!e.pod) return false;
  if (p.cilium) return (p.clusterwide || p.meta.ns == e.ns) && p.pod_selector.matches(e.cilium_labels);
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

NetMatch peer_match(const NetworkPolicyObject& policy, const model::NetPeer& peer, const NetEndpoint& e) {
  return netlayer_peer_matches(policy, peer, e);
}

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
  // Admin tier first by priority (equal priorities: input order; a tie that matters is named by the decision,
  // A4), then NetworkPolicy (with Cilium), then the baseline tier by priority (ClusterNetworkPolicy allows several
  // baseline policies; the v1alpha1 BaselineAdminNetworkPolicy is a singleton of priority 0).
  std::stable_sort(policies_.begin(), policies_.end(), [](const NetworkPolicyObject* a, const NetworkPolicyObject* b) {
    if (a->tier != b->tier) return a->tier < b->tier;
    return a->tier != NetTier::NetworkPolicy && a->priority < b->priority;
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
  NetEndpoint e{&w, w.meta.ns, w.pod_labels, namespace_labels(w.meta.ns), {}, std::nullopt};
  // The labels of the pod's Cilium endpoint: its own, its namespace's name and labels, its service account
  // and cluster (cilium-doc kubernetes.rst "Namespaces", "ServiceAccounts"; utils.go podPrefixLbl).
  e.cilium_labels = w.pod_labels;
  e.cilium_labels["io.kubernetes.pod.namespace"] = w.meta.ns;
  for (const auto& [k, v] : e.ns_labels) e.cilium_labels["io.cilium.k8s.namespace.labels." + k] = v;
  e.cilium_labels["io.cilium.k8s.policy.serviceaccount"] = w.service_account;
  e.cilium_labels["io.cilium.k8s.policy.cluster"] = "default";
  return e;
}

NetEndpoint NetworkLayer::outside(std::optional<model::Cidr> address) const {
  return NetEndpoint{nullptr, "", {}, {}, {}, std::move(address)};
}

std::vector<const NetworkPolicyObject*> NetworkLayer::selecting(const NetEndpoint& e, bool ingress) const {
  std::vector<const NetworkPolicyObject*> out;
  for (const NetworkPolicyObject* p : policies_) {
    // A Cilium policy with rules for the direction takes part even when enableDefaultDeny keeps it from isolating.
    const bool has_rules = !(ingress ? p->ingress : p->egress).empty();
    const bool restricts = p->tier == NetTier::NetworkPolicy
                               ? (ingress ? p->isolates_ingress : p->isolates_egress) || (p->cilium && has_rules)
                               : has_rules;
    if (restricts && netlayer_subject(*p, e)) out.push_back(p);
  }
  return out;
}

bool NetworkLayer::ingress_port_open(const NetEndpoint& dst, const std::string& protocol, uint32_t port,
                                     const NetworkPolicyObject** blocking) const {
  const NetworkPolicyObject* first = nullptr;
  for (const NetworkPolicyObject* p : selecting(dst, true)) {
    if (p->tier != NetTier::NetworkPolicy) continue;
    if (!first && p->isolates_ingress) first = p;
    for (const NetRule& rule : p->ingress)
      if (rule.action == NetAction::Allow &&
          (rule.all_ports || std::any_of(rule.ports.begin(), rule.ports.end(), [&](const model::NetPort& x) {
             return netlayer_port_matches(x, dst, protocol, port);
           })))
        return true;
  }
  if (blocking) *blocking = first;
  return first == nullptr;
}

namespace {

struct NetDecider {
  const NetEndpoint& peer;
  const NetEndpoint& dst;
  const std::string& protocol;
  uint32_t port;
  bool ingress;
  NetVerdict v;

  NetVerdict decide(const NetworkPolicyObject* p, const NetRule* rule, bool allowed) {
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
    if (allowed && rule && !rule->unmodelled_restriction.empty())
      note(p->display() + " " + netlayer_rule_name(*p, *rule, ingress) + " further restricts it by " +
           rule->unmodelled_restriction + ", which meshproof does not model");
    return v;
  }

  void note(const std::string& text) {
    if (v.unmodelled.find(text) == std::string::npos) v.unmodelled += (v.unmodelled.empty() ? "" : "; ") + text;
  }

  NetMatch match(const NetworkPolicyObject& p, const NetRule& rule) const {
    return netlayer_rule_matches(p, rule, peer, dst, protocol, port);
  }

  // The NetworkPolicy tier, as Cilium's policy repository holds Kubernetes and Cilium policies together: a
  // matching deny rule wins, else any allow rule admits, else an isolating policy denies (N1, N3;
  // cilium-doc deny.rst, intro.rst). nullopt: no policy of the tier decides.
  std::optional<NetVerdict> network_policy_tier(const std::vector<const NetworkPolicyObject*>& tier) {
    for (const NetworkPolicyObject* p : tier)
      for (const NetRule& rule : ingress ? p->ingress : p->egress) {
        if (rule.action != NetAction::Deny) continue;
        const NetMatch m = match(*p, rule);
        if (m == NetMatch::Yes) return decide(p, &rule, false);
        if (m == NetMatch::Maybe)  // never a denial on a peer meshproof cannot resolve
          note(p->display() + " " + netlayer_rule_name(*p, rule, ingress) + " may deny it (a peer that is not modelled)");
      }
    const NetworkPolicyObject* isolating = nullptr;
    std::optional<std::pair<const NetworkPolicyObject*, const NetRule*>> maybe;
    for (const NetworkPolicyObject* p : tier) {
      if (!isolating && (ingress ? p->isolates_ingress : p->isolates_egress)) isolating = p;
      for (const NetRule& rule : ingress ? p->ingress : p->egress) {
        if (rule.action != NetAction::Allow) continue;
        const NetMatch m = match(*p, rule);
        if (m == NetMatch::Yes) return decide(p, &rule, true);
        if (m == NetMatch::Maybe && !maybe) maybe = std::make_pair(p, &rule);
      }
    }
    if (!isolating) return std::nullopt;
    if (maybe) {  // admitted as far as meshproof can tell: the over-approximation, named
      note(maybe->first->display() + " " + netlayer_rule_name(*maybe->first, *maybe->second, ingress) +
           " may allow it (a peer that is not modelled)");
      return decide(maybe->first, maybe->second, true);
    }
    return decide(isolating, nullptr, false);
  }

  // The tiers below the admin tier: NetworkPolicy (with Cilium), then the baseline, then allow.
  NetVerdict below_admin(const std::vector<const NetworkPolicyObject*>& selecting) {
    std::vector<const NetworkPolicyObject*> np_tier;
    for (const NetworkPolicyObject* p : selecting)
      if (p->tier == NetTier::NetworkPolicy) np_tier.push_back(p);
    if (auto tier = network_policy_tier(np_tier)) return *tier;  // a selecting NetworkPolicy always decides (A3)
    for (const NetworkPolicyObject* p : selecting) {
      if (p->tier != NetTier::Baseline) continue;
      for (const NetRule& rule : ingress ? p->ingress : p->egress) {
        if (match(*p, rule) != NetMatch::Yes) continue;
        // ClusterNetworkPolicy's Pass in the baseline tier skips the tier's remaining rules: the default decides.
        if (rule.action == NetAction::Pass) return default_allow("a baseline rule passes it; allowed");
        return decide(p, &rule, rule.action == NetAction::Allow);
      }
    }
    return default_allow("no policy of the layer decides; allowed");
  }

  NetVerdict default_allow(const std::string& reason) {
    v.reason = reason;
    return v;
  }

  // The first rule of `p` that matches, or nullptr. An allow rule that may match (a peer meshproof cannot
  // resolve, ClusterNetworkPolicy domainNames) counts, named in the verdict: the layer never denies on what it
  // does not model; a deny or pass rule that may match does not.
  const NetRule* first_match(const NetworkPolicyObject& p) {
    for (const NetRule& rule : ingress ? p.ingress : p.egress) {
      const NetMatch m = match(p, rule);
      if (m == NetMatch::Yes) return &rule;
      if (m == NetMatch::Maybe && rule.action == NetAction::Allow) {
        note(p.display() + " " + netlayer_rule_name(p, rule, ingress) + " may allow it (a peer that is not modelled)");
        return &rule;
      }
    }
    return nullptr;
  }

  NetVerdict run(const std::vector<const NetworkPolicyObject*>& selecting) {
    v.direction = ingress ? "ingress" : "egress";
    v.port = port;
    v.protocol = protocol;
    for (size_t i = 0; i < selecting.size(); ++i) {
      const NetworkPolicyObject* p = selecting[i];
      if (p->tier != NetTier::Admin) continue;
      const NetRule* rule = first_match(*p);
      if (!rule) continue;
      // Admin policies of equal priority that match with another action: their order is implementation-defined
      // (A4), so the connection is admitted when either order admits it, and the verdict names the tie.
      std::vector<std::pair<const NetworkPolicyObject*, NetAction>> ties;
      for (size_t j = i + 1; j < selecting.size(); ++j) {
        const NetworkPolicyObject* q = selecting[j];
        if (q->tier != NetTier::Admin || q->priority != p->priority) continue;
        if (const NetRule* r = first_match(*q); r && r->action != rule->action) ties.emplace_back(q, r->action);
      }
      return admin_decision(selecting, p, rule, ties);
    }
    return below_admin(selecting);
  }

  NetVerdict admin_decision(const std::vector<const NetworkPolicyObject*>& selecting, const NetworkPolicyObject* p,
                            const NetRule* rule, const std::vector<std::pair<const NetworkPolicyObject*, NetAction>>& ties) {
    const bool pass_somewhere = rule->action == NetAction::Pass ||
                                std::any_of(ties.begin(), ties.end(), [](const auto& t) { return t.second == NetAction::Pass; });
    std::optional<NetVerdict> lower;
    if (pass_somewhere) {
      NetDecider below{peer, dst, protocol, port, ingress, {}};
      below.v.direction = v.direction;
      below.v.port = port;
      below.v.protocol = protocol;
      lower = below.below_admin(selecting);  // Pass skips every further admin rule (A2)
    }
    if (rule->action == NetAction::Pass && ties.empty()) return *lower;
    if (ties.empty()) return decide(p, rule, rule->action == NetAction::Allow);
    auto outcome = [&](NetAction a) { return a == NetAction::Allow || (a == NetAction::Pass && lower->allowed); };
    bool allowed = outcome(rule->action);
    std::string names;
    for (const auto& [q, action] : ties) {
      allowed |= outcome(action);
      names += (names.empty() ? "" : ", ") + q->display() + " (" + model::to_string(action) + ")";
    }
    NetVerdict out = rule->action == NetAction::Pass ? *lower : decide(p, rule, rule->action == NetAction::Allow);
    out.allowed = allowed;
    out.tie.push_back(p->display());
    for (const auto& t : ties) out.tie.push_back(t.first->display());
    v = out;
    note(p->display() + " (" + model::to_string(rule->action) + ") and " + names + " have the same priority " +
         std::to_string(p->priority) + " and match it: their order is implementation-defined (A4)");
    return v;
  }
};

// One direction of one connection: `selecting` are the policies of the pod whose direction decides, `peer`
// the other end.
NetVerdict netlayer_decide(const std::vector<const NetworkPolicyObject*>& selecting, const NetEndpoint& peer,
                           const NetEndpoint& dst, const std::string& protocol, uint32_t port, bool ingress) {
  NetDecider d{peer, dst, protocol, port, ingress, {}};
  return d.run(selecting);
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
  std::string egress_note;
  if (src.pod) {
    NetVerdict out = egress(src, dst, protocol, port);
    if (!out.allowed) return out;
    egress_note = out.unmodelled;
  }
  NetVerdict in = ingress(src, dst, protocol, port);
  if (in.allowed && !egress_note.empty())  // what the admitted egress rests on stays named
    in.unmodelled = egress_note + (in.unmodelled.empty() ? "" : "; " + in.unmodelled);
  return in;
}

uint32_t wire_port(DataPlane dst, CallerKind caller, bool mtls, uint32_t app_port) {
  if (!mtls || caller == CallerKind::NonMesh) return app_port;
  if (dst == DataPlane::Ambient) return kHbonePort;
  if (dst == DataPlane::Sidecar && caller == CallerKind::Ambient) return kHbonePort;
  return app_port;
}

namespace {

using NetAddress = std::array<uint8_t, 16>;  // big-endian; IPv4 in the first 4 bytes

// The first address of the CIDR, and the first one after it (nullopt past the end of the address space).
NetAddress netlayer_cidr_start(const model::Cidr& c) {
  NetAddress a{};
  for (unsigned i = 0; i < c.prefix; ++i) a[i / 8] |= c.address[i / 8] & (0x80u >> (i % 8));
  return a;
}

std::optional<NetAddress> netlayer_cidr_next(const model::Cidr& c) {
  if (c.prefix == 0) return std::nullopt;
  NetAddress a = netlayer_cidr_start(c);
  // Add 1 at bit prefix-1 (counted from the top), carrying towards the first byte.
  int byte = static_cast<int>((c.prefix - 1) / 8);
  unsigned add = 0x80u >> ((c.prefix - 1) % 8);
  for (; byte >= 0 && add; --byte) {
    const unsigned sum = a[byte] + add;
    a[byte] = static_cast<uint8_t>(sum & 0xff);
    add = sum >> 8;
  }
  if (add) return std::nullopt;
  return a;
}

NetAddress netlayer_previous(NetAddress a, unsigned bits) {
  for (int byte = static_cast<int>(bits / 8) - 1; byte >= 0; --byte)
    if (a[byte]-- != 0) break;
  return a;
}

model::Cidr netlayer_host(const NetAddress& a, unsigned bits) {
  char text[INET6_ADDRSTRLEN] = {};
  inet_ntop(bits == 32 ? AF_INET : AF_INET6, a.data(), text, sizeof text);
  model::Cidr c;
  c.bits = bits;
  c.prefix = bits;
  std::copy(a.begin(), a.end(), c.address);
  c.text = std::string(text) + (bits == 32 ? "/32" : "/128");
  return c;
}

// The region starts of one family and the representative of each region: the start, except for the region
// at the bottom of the space, which is shown by its last address (0.0.0.0 reads as no address at all), or by
// a documentation address (RFC 5737, RFC 3849) when no CIDR cuts the family.
void netlayer_family_representatives(const std::set<NetAddress>& starts, unsigned bits, std::vector<model::Cidr>& out) {
  const NetAddress zero{};
  for (auto it = starts.begin(); it != starts.end(); ++it) {
    if (*it != zero) {
      out.push_back(netlayer_host(*it, bits));
      continue;
    }
    auto next = std::next(it);
    if (next != starts.end()) {
      out.push_back(netlayer_host(netlayer_previous(*next, bits), bits));
    } else {
      model::Cidr doc = *model::parse_net_cidr(bits == 32 ? "203.0.113.1/32" : "2001:db8::1/128");
      out.push_back(doc);
    }
  }
}

}  // namespace

std::vector<model::Cidr> outside_representatives(const std::vector<const NetworkLayer*>& layers) {
  std::set<NetAddress> v4{NetAddress{}}, v6;
  bool want_v6 = false;
  auto add = [&](const model::Cidr& c) {
    std::set<NetAddress>& starts = c.bits == 32 ? v4 : v6;
    want_v6 = want_v6 || c.bits == 128;
    starts.insert(netlayer_cidr_start(c));
    if (auto next = netlayer_cidr_next(c)) starts.insert(*next);
  };
  for (const NetworkLayer* layer : layers)
    for (const NetworkPolicyObject* p : layer->policies())
      for (const auto* rules : {&p->ingress, &p->egress})
        for (const NetRule& rule : *rules)
          for (const model::NetPeer& peer : rule.peers) {
            if (peer.entity == "world-ipv4" || peer.entity == "world-ipv6") want_v6 = true;
            if (!peer.ip_block) continue;
            add(peer.ip_block->cidr);
            for (const model::Cidr& x : peer.ip_block->except) add(x);
          }
  std::vector<model::Cidr> out;
  netlayer_family_representatives(v4, 32, out);
  if (want_v6) {
    v6.insert(NetAddress{});
    netlayer_family_representatives(v6, 128, out);
  }
  return out;
}

}  // namespace meshproof::mesh
