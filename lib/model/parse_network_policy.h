// Internal to lib/model: the parsers of the L3/L4 policy kinds (model/network_policy.h), called by the
// document dispatcher (parse.cpp). Each reports what the API server rejects as an error diagnostic and sets
// NetworkPolicyObject::valid accordingly.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "model/network_policy.h"
#include "model/parse_internal.h"

namespace meshproof::model::detail {

void parse_network_policy(const Node& obj, Reader& r, NetworkPolicyObject& p);
// AdminNetworkPolicy (baseline false) or BaselineAdminNetworkPolicy (baseline true), v1alpha1.
void parse_admin_network_policy(const Node& obj, Reader& r, NetworkPolicyObject& p, bool baseline);

// ClusterNetworkPolicy (v1alpha2: tier Admin or Baseline); the parts the layer does not model (domainNames peers)
// are added to `unmodelled` (their path and location). parse_cluster_network_policy.cpp.
void parse_cluster_network_policy(const Node& obj, Reader& r, NetworkPolicyObject& p,
                                  std::vector<std::pair<std::string, Loc>>& unmodelled);
// Shared by the admin kinds: a `pods` peer (namespaceSelector AND podSelector) and the `subject`.
void read_anp_pods(const Node& n, Reader& r, NetPeer& peer);
void read_anp_subject(const Node& spec, Reader& r, NetworkPolicyObject& p);
// An admin-tier rule's location, known fields (name, action, the peers and ports keys) and name (at most 100
// characters), as both admin CRDs define them.
void read_admin_rule_head(const Node& item, Reader& r, const char* peers_key, const char* ports_key, NetRule& rule);
// After an admin-tier object's rules are read: a direction with rules restricts it, and the object is valid
// when no error was added since `diagnostics_before`.
void finish_admin_policy(Reader& r, NetworkPolicyObject& p, size_t diagnostics_before);

// Shared by all: a metav1.LabelSelector under `key` (false when absent), a CIDR, a protocol.
bool read_label_selector(const Node& parent, std::string_view key, Reader& r, LabelSelector& sel);
bool read_cidr(const Node& n, Reader& r, Cidr& out);
bool read_protocol(const Node& item, Reader& r, std::string& protocol);
// IANA_SVC_NAME, as Kubernetes (and Cilium) validate a named port.
bool is_port_name(const std::string& s);

// CiliumNetworkPolicy / CiliumClusterwideNetworkPolicy (cilium.io/v2): one object per rule of `spec` and
// `specs`, appended to `out`; the parts the layer does not model are added to `not_analyzed`.
// parse_cilium_network_policy.cpp.
void parse_cilium_network_policy(const Node& obj, Reader& r, const NetworkPolicyObject& base,
                                 std::vector<NetworkPolicyObject>& out, std::vector<NotAnalyzed>& not_analyzed);

}  // namespace meshproof::model::detail
