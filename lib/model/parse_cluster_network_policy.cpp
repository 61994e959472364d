// ClusterNetworkPolicy (policy.networking.k8s.io/v1alpha2), the successor of AdminNetworkPolicy and
// BaselineAdminNetworkPolicy, read against its CRD (network-policy-api apis/v1alpha2/clusternetworkpolicy_types.go
// and config/crd/experimental/policy.networking.k8s.io_clusternetworkpolicies.yaml): `tier` Admin or Baseline,
// `priority` 0–1000 in both tiers, exactly one subject, rules with actions Accept/Deny/Pass, ≤ 25 rules per
// direction, ≤ 25 peers and protocols per rule, peers `namespaces`/`pods` (egress also `networks`, and the
// experimental `nodes` and `domainNames`), protocols `tcp`/`udp`/`sctp` with a destinationPort number or range, or
// `destinationNamedPort` (docs/semantics.md#cluster-network-policy).
#include "model/parse_network_policy.h"

#include <algorithm>

namespace meshproof::model::detail {

namespace {

constexpr size_t kCnpMaxItems = 25;

void cnp_limit(const Node& parent, std::string_view key, Reader& r, const char* what) {
  const Node* n = parent.find(key);
  if (!n || !n->is_seq()) return;
  if (n->items.size() > kCnpMaxItems)
    r.error(parent.key_loc(key), std::string("more than 25 ") + what, "the CRD allows at most 25; split the policy");
  if (n->items.empty())
    r.error(parent.key_loc(key), std::string(key) + " is empty", "list at least one item, or leave the field out");
}

// One egress peer of kind `networks` (each CIDR one peer of the layer: the same union) or `domainNames`.
void cnp_egress_only_peer(const Node& n, Reader& r, const NetRule& rule, NetPeer& peer, std::vector<NetPeer>& extras,
                          std::vector<std::pair<std::string, Loc>>& unmodelled) {
  if (const Node* nets = n.find("networks")) {
    auto s = r.field("networks");
    cnp_limit(n, "networks", r, "CIDRs");
    if (r.expect_seq(*nets, "CIDRs"))
      for (size_t i = 0; i < nets->items.size(); ++i) {
        auto si = r.index(i);
        IpBlock b;
        if (!read_cidr(nets->items[i], r, b.cidr)) continue;
        if (!peer.ip_block) {
          peer.ip_block = std::move(b);
          continue;
        }
        NetPeer extra;
        extra.ip_block = std::move(b);
        extra.loc = n.loc;
        extras.push_back(std::move(extra));
      }
  }
  if (n.find("domainNames")) {
    cnp_limit(n, "domainNames", r, "domain names");
    // Addresses a DNS answer gives at run time: never a pod of the input, an outside address only "maybe".
    peer.unmodelled = "domainNames";
    unmodelled.emplace_back(r.path_with("domainNames"), n.key_loc("domainNames"));
    if (rule.action != NetAction::Allow)  // the API's text says so; its CRD has no rule that rejects it
      r.diag(Severity::Warning, n.key_loc("domainNames"), "domainNames is only supported for Accept rules",
             "use networks for Deny and Pass rules, or make the rule Accept");
  }
}

// A peer: exactly one of namespaces, pods, and on egress networks, nodes, domainNames.
void cnp_peer(const Node& n, Reader& r, bool egress, NetRule& rule, std::vector<std::pair<std::string, Loc>>& unmodelled) {
  NetPeer peer;
  peer.loc = n.loc;
  if (egress)
    r.check_fields(n, {"namespaces", "pods", "nodes", "networks", "domainNames"});
  else
    r.check_fields(n, {"namespaces", "pods"});
  const size_t set = static_cast<size_t>(std::count_if(n.entries.begin(), n.entries.end(), [](const load::MapEntry& e) {
    return e.key == "namespaces" || e.key == "pods" || e.key == "nodes" || e.key == "networks" || e.key == "domainNames";
  }));
  if (set != 1)
    r.error(n.loc, std::string("exactly one of namespaces, pods") + (egress ? ", nodes, networks, domainNames" : "") +
                       " must be set",
            "split the peer into several list items");
  LabelSelector ns;
  if (read_label_selector(n, "namespaces", r, ns)) {
    peer.namespaces = std::move(ns);
    peer.pods = LabelSelector{};
  }
  if (const Node* pods = n.find("pods")) {
    auto s = r.field("pods");
    if (r.expect_map(*pods)) read_anp_pods(*pods, r, peer);
  }
  std::vector<NetPeer> extras;
  if (egress) cnp_egress_only_peer(n, r, rule, peer, extras, unmodelled);
  // `nodes` (experimental): node addresses are not in the input, so the peer matches no pod and no outside address.
  rule.peers.push_back(std::move(peer));
  for (NetPeer& x : extras) rule.peers.push_back(std::move(x));
}

// destinationPort: exactly one of number, range (start < end).
void cnp_destination_port(const Node& dp, Reader& r, NetPort& port) {
  r.check_fields(dp, {"number", "range"});
  const bool number = dp.find("number") != nullptr, range = dp.find("range") != nullptr;
  if (number == range) r.error(dp.loc, "exactly one of number, range must be set", "write number: N or range");
  if (number) r.get_uint(dp, "number", port.port, 1, 65535);
  if (const Node* rg = dp.find("range")) {
    auto s = r.field("range");
    if (!r.expect_map(*rg)) return;
    r.check_fields(*rg, {"start", "end"});
    r.get_uint(*rg, "start", port.port, 1, 65535);
    r.get_uint(*rg, "end", port.end_port, 1, 65535);
    if (port.port == 0 || port.end_port == 0 || port.end_port <= port.port)
      r.error(rg->loc, "Start port must be less than End port", "write start: N and end: M with N < M");
  }
}

// One protocols item: exactly one of tcp, udp, sctp (each with a destinationPort), destinationNamedPort.
void cnp_protocol(const Node& item, Reader& r, NetPort& port) {
  port.loc = item.loc;
  r.check_fields(item, {"tcp", "udp", "sctp", "destinationNamedPort"});
  size_t set = 0;
  for (const auto& [key, name] : {std::pair<const char*, const char*>{"tcp", "TCP"}, {"udp", "UDP"}, {"sctp", "SCTP"}}) {
    const Node* n = item.find(key);
    if (!n) continue;
    ++set;
    port.protocol = name;
    auto s = r.field(key);
    if (!r.expect_map(*n)) continue;
    r.check_fields(*n, {"destinationPort"});
    const Node* dp = n->find("destinationPort");
    if (!dp) {
      r.error(n->loc, std::string(key) + " needs a destinationPort", "add destinationPort: {number: N}");
      continue;
    }
    auto sd = r.field("destinationPort");
    if (r.expect_map(*dp)) cnp_destination_port(*dp, r, port);
  }
  if (item.find("destinationNamedPort")) {
    ++set;
    r.get_string(item, "destinationNamedPort", port.name);
    port.protocol = "ANY";  // a container port of that name, whatever its protocol
  }
  if (set != 1)
    r.error(item.loc, "exactly one of tcp, udp, sctp, destinationNamedPort must be set", "split the item");
}

void cnp_rule(const Node& item, Reader& r, bool egress, NetRule& rule, std::vector<std::pair<std::string, Loc>>& unmodelled) {
  const char* peers_key = egress ? "to" : "from";
  read_admin_rule_head(item, r, peers_key, "protocols", rule);
  std::string action;
  if (!r.get_string(item, "action", action))
    r.error(item.loc, "rule has no action", "set action: Accept, Deny or Pass");
  else if (action == "Accept")
    rule.action = NetAction::Allow;
  else if (action == "Deny")
    rule.action = NetAction::Deny;
  else if (action == "Pass")
    rule.action = NetAction::Pass;
  else
    r.error(item.key_loc("action"), "action \"" + action + "\" is not one of Accept, Deny, Pass",
            "the CRD accepts only these (v1alpha1's Allow is Accept here)");
  if (!item.find(peers_key))
    r.error(item.loc, std::string("rule has no ") + peers_key, "list at least one peer (it is required)");
  cnp_limit(item, peers_key, r, "peers");
  each_map(item, peers_key, r, "peers", [&](const Node& p) { cnp_peer(p, r, egress, rule, unmodelled); });
  cnp_limit(item, "protocols", r, "protocols");
  each_map(item, "protocols", r, "protocols", [&](const Node& pn) {
    NetPort port;
    cnp_protocol(pn, r, port);
    if (!port.name.empty() && egress &&
        std::any_of(rule.peers.begin(), rule.peers.end(), [](const NetPeer& x) { return !x.pods && !x.namespaces; }))
      r.error(pn.key_loc("destinationNamedPort"),
              "networks/nodes/domainNames peer cannot be set with namedPorts since there are no namedPorts for "
              "networks/nodes/domainNames",
              "use a port number for those peers, or move them to a rule of their own");
    rule.ports.push_back(std::move(port));
  });
  rule.all_ports = rule.ports.empty();
}

}  // namespace

void parse_cluster_network_policy(const Node& obj, Reader& r, NetworkPolicyObject& p,
                                  std::vector<std::pair<std::string, Loc>>& unmodelled) {
  const size_t before = r.out().diagnostics.size();
  p.tier = NetTier::Admin;
  const Node* spec = spec_of(obj, r);
  if (!spec) {
    r.error(p.loc, p.kind + " has no spec", "add spec.tier, spec.priority and spec.subject");
  } else {
    auto s = r.field("spec");
    r.check_fields(*spec, {"tier", "priority", "subject", "ingress", "egress"});
    std::string tier;
    if (!r.get_string(*spec, "tier", tier))
      r.error(spec->loc, "spec.tier is required", "set tier: Admin or tier: Baseline");
    else if (tier == "Baseline")
      p.tier = NetTier::Baseline;
    else if (tier != "Admin")
      r.error(spec->key_loc("tier"), "tier \"" + tier + "\" is not one of Admin, Baseline", "the CRD accepts only these");
    uint32_t priority = 0;
    if (!r.get_uint(*spec, "priority", priority, 0, 1000) && !spec->find("priority"))
      r.error(spec->loc, "spec.priority is required", "set a priority from 0 (first) to 1000");
    p.priority = static_cast<int32_t>(priority);
    if (spec->find("priority")) p.priority_loc = spec->key_loc("priority");
    read_anp_subject(*spec, r, p);
    for (const bool egress : {false, true}) {
      auto& rules = egress ? p.egress : p.ingress;
      cnp_limit(*spec, egress ? "egress" : "ingress", r, "rules");
      each_map(*spec, egress ? "egress" : "ingress", r, "rules", [&](const Node& item) {
        NetRule rule;
        cnp_rule(item, r, egress, rule, unmodelled);
        rules.push_back(std::move(rule));
      });
    }
  }
  finish_admin_policy(r, p, before);
}

}  // namespace meshproof::model::detail
