// The L3/L4 layer under the mesh, as the API server holds it: Kubernetes NetworkPolicy (networking.k8s.io/v1),
// AdminNetworkPolicy and BaselineAdminNetworkPolicy (policy.networking.k8s.io/v1alpha1), CiliumNetworkPolicy and
// CiliumClusterwideNetworkPolicy (cilium.io/v2; one object per rule of `spec`/`specs`). Defaults are applied
// as the API server applies them (policyTypes, protocol), so the layer model (mesh/network_layer.h) reads
// what the cluster enforces. Rules and sources: docs/semantics.md#networkpolicy-layer.
//
// Kept out of model::ResourceSet on purpose: model/resources.h is included nearly everywhere, and only the
// layer, its checks and query/explain need these objects. The input stage reads them from each document as it
// reads the rest (add_network_policy_document, beside model::add_document), keeps them in
// app::Input::network_policies, and adds their diagnostics to the resources' so that invalid-resource reports
// them.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/location.h"
#include "model/not_analyzed.h"
#include "model/parse.h"
#include "model/resources.h"

namespace meshproof::model {

// metav1.LabelSelector: matchLabels AND every matchExpressions requirement. An empty selector selects all.
struct LabelRequirement {
  std::string key;
  std::string op;  // In, NotIn, Exists, DoesNotExist
  std::vector<std::string> values;
};

struct LabelSelector {
  Labels match_labels;
  std::vector<LabelRequirement> match_expressions;
  Loc loc;
  bool matches(const Labels& labels) const;
};

// An IPv4 or IPv6 CIDR, parsed. `bits` is 32 or 128.
struct Cidr {
  std::string text;
  unsigned bits = 32;
  unsigned prefix = 0;
  uint8_t address[16] = {};
  Loc loc;
  bool contains(const Cidr& other) const;  // other ⊆ this (same family)
  bool covers_everything() const { return prefix == 0; }
};

// ipBlock (NetworkPolicy) or one `networks` entry (AdminNetworkPolicy egress): cidr minus except.
struct IpBlock {
  Cidr cidr;
  std::vector<Cidr> except;
};

// One peer of a rule. NetworkPolicy: podSelector and/or namespaceSelector (AND), or ipBlock.
// AdminNetworkPolicy: `namespaces` (all pods of them) or `pods` (namespaceSelector AND podSelector), or
// `networks`. A missing selector is "any" only where the API says so (see own_namespace).
// Cilium: one fromEndpoints/toEndpoints selector (`pods`, over the pod's Cilium labels, the namespace match
// already added as Cilium adds it), one entity, one fromCIDR/fromCIDRSet block (outside addresses only), or a
// peer meshproof cannot decide (`unmodelled`: toFQDNs, toServices, fromGroups/toGroups).
struct NetPeer {
  std::optional<LabelSelector> pods;
  std::optional<LabelSelector> namespaces;
  bool own_namespace = false;  // NetworkPolicy podSelector without namespaceSelector: the policy's namespace
  std::optional<IpBlock> ip_block;
  Loc loc;
  bool cilium = false;      // `pods` selects Cilium labels; an ip_block never holds a pod (cilium-doc CIDR based)
  std::string entity;       // Cilium entity: world, cluster, all, host, ... ("" when not an entity)
  std::string unmodelled;   // "toFQDNs", ...: may match an outside address, never a pod of the input
};

// One port item. Without number and name it is every port of the protocol.
struct NetPort {
  std::string protocol = "TCP";  // defaulted as the API server does; Cilium "ANY" matches every protocol
  uint32_t port = 0;             // 0: see name
  uint32_t end_port = 0;         // 0: a single port; else the inclusive range [port, end_port]
  std::string name;              // a named container port of the destination pod
  bool any_port = false;         // the item names a protocol only (NetworkPolicy `port` omitted)
  Loc loc;
};

enum class NetAction { Allow, Deny, Pass };
const char* to_string(NetAction a);

// Cilium: one toPorts entry of an allow rule that carries L7 rules (`rules`: http, kafka, dns, l7) or TLS
// interception (terminatingTLS, originatingTLS, serverNames, listener): what Cilium's proxy must read on those
// ports, for the checks that judge whether it can (cilium-l7-under-mtls).
struct NetL7Ports {
  std::vector<NetPort> ports;  // the entry's ports (one any-port item when it names none)
  std::string what;            // "L7 rules (http)", "terminatingTLS", ... (several joined by ", ")
  bool http = false;           // `rules.http` is among them
  Loc loc;                     // the first such field
};

struct NetRule {
  std::string name;  // AdminNetworkPolicy rule name; "" for NetworkPolicy
  NetAction action = NetAction::Allow;
  bool all_peers = false;  // NetworkPolicy `from`/`to` missing or empty
  std::vector<NetPeer> peers;
  bool all_ports = true;  // `ports` missing or empty
  std::vector<NetPort> ports;
  Loc loc;
  // Cilium: what further restricts the connections this rule admits and is not modelled (L7 `rules`,
  // fromRequires, authentication, ...): the rule admits the connection at L3/L4 as Cilium does, but whether a
  // request on it passes is not decided here ("" when nothing).
  std::string unmodelled_restriction;
  std::vector<NetL7Ports> l7;  // Cilium: the toPorts entries with L7 rules, in input order
};

enum class NetTier { Admin, NetworkPolicy, Baseline };

struct NetworkPolicyObject : ResourceBase {
  NetTier tier = NetTier::NetworkPolicy;
  // Subject. NetworkPolicy: pods of metadata.namespace matching pod_selector. Admin tiers: pods matching
  // pod_selector in namespaces matching subject_namespaces.
  LabelSelector pod_selector;
  std::optional<LabelSelector> subject_namespaces;
  bool isolates_ingress = false;  // NetworkPolicy policyTypes (defaulted, N2)
  bool isolates_egress = false;
  int32_t priority = 0;  // AdminNetworkPolicy
  Loc priority_loc;      // its `priority` key (unknown when absent)
  std::vector<NetRule> ingress, egress;  // Cilium: allow rules, then the deny rules (action Deny)
  bool cilium = false;       // CiliumNetworkPolicy / CiliumClusterwideNetworkPolicy (tier NetworkPolicy)
  bool clusterwide = false;  // CiliumClusterwideNetworkPolicy: the endpointSelector spans every namespace
  bool valid = true;            // false: the API server rejects it (its diagnostics are in ResourceSet::diagnostics)
  std::string display() const;  // "NetworkPolicy prod/deny-all", "AdminNetworkPolicy deny-sensitive"
};

// The layer's objects of an input, in input order, and what the API server rejects of them (errors; a rejected
// object is in `policies` with valid false).
struct NetworkPolicySet {
  std::vector<NetworkPolicyObject> policies;
  std::vector<Diagnostic> diagnostics;
  // The parts of these objects the layer does not model (Cilium L7 rules, toFQDNs, host policies, ...), for
  // the input stage's not-analyzed list.
  std::vector<NotAnalyzed> not_analyzed;
  void merge(NetworkPolicySet&& other);  // appends, in order
};

// Adds the layer's objects of one document (List items one by one) to `out`. Objects without
// metadata.namespace are in `default_namespace` (kubectl's default, or -n/--namespace; model/apply.h).
void add_network_policy_document(const load::Document& doc, NetworkPolicySet& out,
                                 const std::string& default_namespace = kDefaultNamespace);

// "10.0.0.0/8", "fd00::/64", "1.2.3.4/32": nullopt when it is not a CIDR (an address without /N is not one).
std::optional<Cidr> parse_net_cidr(const std::string& text);

// The group and kind are one of the L3/L4 policy kinds this header models.
bool is_network_policy_kind(std::string_view group, std::string_view kind);

}  // namespace meshproof::model
