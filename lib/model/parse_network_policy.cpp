// Kubernetes NetworkPolicy (networking.k8s.io/v1), read as the API server reads and validates it: strict
// fields, defaults (policyTypes, protocol), and the rules of ValidateNetworkPolicy that reject an object
// (docs/semantics.md#networkpolicy-layer, N1–N7). AdminNetworkPolicy and BaselineAdminNetworkPolicy are read in
// parse_admin_network_policy.cpp.
#include "model/parse_network_policy.h"

#include <algorithm>

#include "base/text.h"

namespace meshproof::model::detail {

// IANA_SVC_NAME as Kubernetes validates a named port: 1-15 of [a-z0-9-], at least one letter, no leading,
// trailing or double hyphen.
bool is_port_name(const std::string& s) {
  if (s.empty() || s.size() > 15 || s.front() == '-' || s.back() == '-') return false;
  if (s.find("--") != std::string::npos) return false;
  bool letter = false;
  for (char c : s) {
    if (c >= 'a' && c <= 'z')
      letter = true;
    else if (!(c >= '0' && c <= '9') && c != '-')
      return false;
  }
  return letter;
}

namespace {

void read_requirement(const Node& n, Reader& r, LabelRequirement& req) {
  r.check_fields(n, {"key", "operator", "values"});
  if (!r.get_string(n, "key", req.key)) r.error(n.loc, "spec: matchExpressions item has no key", "add key: LABEL");
  r.get_string(n, "operator", req.op);
  r.get_string_vector(n, "values", req.values);
  auto s = r.field("operator");
  if (req.op == "In" || req.op == "NotIn") {
    if (req.values.empty())
      r.error(n.loc, "operator " + req.op + " needs at least one value", "list the label values under values:");
  } else if (req.op == "Exists" || req.op == "DoesNotExist") {
    if (!req.values.empty())
      r.error(n.loc, "operator " + req.op + " takes no values", "remove values: or use In/NotIn");
  } else {
    r.error(n.loc, "operator \"" + req.op + "\" is not one of In, NotIn, Exists, DoesNotExist",
            "the API server rejects any other label selector operator");
  }
}

}  // namespace

bool read_label_selector(const Node& parent, std::string_view key, Reader& r, LabelSelector& sel) {
  const Node* n = parent.find(key);
  if (!n) return false;
  auto s = r.field(key);
  sel.loc = parent.key_loc(key);
  if (n->is_null()) return true;  // `podSelector:` with nothing: {} (selects all)
  if (!r.expect_map(*n)) return true;
  r.check_fields(*n, {"matchLabels", "matchExpressions"});
  r.get_labels(*n, "matchLabels", sel.match_labels);
  each_map(*n, "matchExpressions", r, "requirements", [&](const Node& item) {
    LabelRequirement req;
    read_requirement(item, r, req);
    sel.match_expressions.push_back(std::move(req));
  });
  return true;
}

bool read_cidr(const Node& n, Reader& r, Cidr& out) {
  if (!r.read_string(n, out.text)) return false;
  const Loc loc = n.loc;
  if (auto c = parse_net_cidr(out.text)) {
    out = *c;
    out.loc = loc;
    return true;
  }
  r.error(n.loc, "\"" + out.text + "\" is not a valid CIDR", "write an address and a prefix length, e.g. 10.0.0.0/8");
  return false;
}

bool read_protocol(const Node& item, Reader& r, std::string& protocol) {
  if (!r.get_string(item, "protocol", protocol)) return true;
  if (protocol == "TCP" || protocol == "UDP" || protocol == "SCTP") return true;
  auto s = r.field("protocol");
  r.error(item.key_loc("protocol"), "protocol \"" + protocol + "\" is not one of TCP, UDP, SCTP",
          "the API server rejects any other protocol (it is case-sensitive)");
  return false;
}

namespace {

void read_np_port(const Node& item, Reader& r, NetPort& p) {
  p.loc = item.loc;
  r.check_fields(item, {"protocol", "port", "endPort"});
  read_protocol(item, r, p.protocol);
  const Node* port = item.find("port");
  if (!port || port->is_null()) {
    p.any_port = true;
  } else if (port->is_scalar() && port->plain && port->scalar_type() == load::ScalarType::Int) {
    r.get_uint(item, "port", p.port, 1, 65535);
  } else {
    auto s = r.field("port");
    r.read_string(*port, p.name);
    if (!is_port_name(p.name))
      r.error(port->loc, "port \"" + p.name + "\" is neither a number in 1-65535 nor a valid port name",
              "a named port has 1-15 lowercase letters, digits and '-', with at least one letter");
  }
  if (!item.find("endPort")) return;
  r.get_uint(item, "endPort", p.end_port, 1, 65535);
  auto s = r.field("endPort");
  if (p.port == 0)
    r.error(item.key_loc("endPort"), "endPort needs a numeric port", "set port: to the first number of the range");
  else if (p.end_port < p.port)
    r.error(item.key_loc("endPort"),
            "endPort " + std::to_string(p.end_port) + " is less than port " + std::to_string(p.port),
            "endPort must be greater than or equal to port");
}

void read_ip_block(const Node& n, Reader& r, IpBlock& b) {
  r.check_fields(n, {"cidr", "except"});
  const Node* cidr = n.find("cidr");
  if (!cidr) {
    r.error(n.loc, "ipBlock has no cidr", "add cidr: ADDRESS/PREFIX");
    return;
  }
  bool cidr_ok = false;
  {
    auto s = r.field("cidr");
    cidr_ok = read_cidr(*cidr, r, b.cidr);
  }
  const Node* except = n.find("except");
  if (!except) return;
  auto s = r.field("except");
  if (!r.expect_seq(*except, "CIDRs")) return;
  for (size_t i = 0; i < except->items.size(); ++i) {
    auto si = r.index(i);
    Cidr c;
    if (!read_cidr(except->items[i], r, c)) continue;
    if (cidr_ok && (!b.cidr.contains(c) || c.prefix <= b.cidr.prefix))
      r.error(c.loc, "except " + c.text + " is not strictly within cidr " + b.cidr.text,
              "every except block must lie inside the ipBlock's cidr and be smaller");
    b.except.push_back(std::move(c));
  }
}

void read_np_peer(const Node& item, Reader& r, NetPeer& peer) {
  peer.loc = item.loc;
  r.check_fields(item, {"podSelector", "namespaceSelector", "ipBlock"});
  LabelSelector sel;
  if (read_label_selector(item, "podSelector", r, sel)) peer.pods = std::move(sel);
  LabelSelector ns;
  if (read_label_selector(item, "namespaceSelector", r, ns)) peer.namespaces = std::move(ns);
  peer.own_namespace = !peer.namespaces;
  if (const Node* ip = item.find("ipBlock")) {
    auto s = r.field("ipBlock");
    if (r.expect_map(*ip)) {
      IpBlock b;
      read_ip_block(*ip, r, b);
      peer.ip_block = std::move(b);
    }
  }
  if (peer.ip_block && (peer.pods || peer.namespaces))
    r.error(item.loc, "a peer may not specify both ipBlock and a pod or namespace selector",
            "split it into two list items (they are ORed)");
  else if (!peer.ip_block && !peer.pods && !peer.namespaces)
    r.error(item.loc, "a peer must specify at least one of podSelector, namespaceSelector, ipBlock",
            "use `podSelector: {}` for every pod of the namespace");
}

void read_np_rules(const Node& spec, std::string_view key, std::string_view peers_key, Reader& r,
                   std::vector<NetRule>& out) {
  each_map(spec, key, r, "rules", [&](const Node& item) {
    NetRule rule;
    rule.loc = item.loc;
    r.check_fields(item, {peers_key, "ports"});
    each_map(item, peers_key, r, "peers", [&](const Node& peer_node) {
      NetPeer peer;
      read_np_peer(peer_node, r, peer);
      rule.peers.push_back(std::move(peer));
    });
    rule.all_peers = rule.peers.empty();
    each_map(item, "ports", r, "ports", [&](const Node& port_node) {
      NetPort port;
      read_np_port(port_node, r, port);
      rule.ports.push_back(std::move(port));
    });
    rule.all_ports = rule.ports.empty();
    out.push_back(std::move(rule));
  });
}

// policyTypes as written, then defaulted as the API server does (N2).
void read_policy_types(const Node& spec, Reader& r, NetworkPolicyObject& p) {
  std::vector<std::string> types;
  const bool written = spec.find("policyTypes") != nullptr;
  r.get_string_vector(spec, "policyTypes", types);
  auto s = r.field("policyTypes");
  for (const std::string& t : types) {
    if (t == "Ingress")
      p.isolates_ingress = true;
    else if (t == "Egress")
      p.isolates_egress = true;
    else
      r.error(spec.key_loc("policyTypes"), "policy type \"" + t + "\" is not Ingress or Egress",
              "the API server accepts only Ingress and Egress");
  }
  if (types.size() > 2)
    r.error(spec.key_loc("policyTypes"), "policyTypes lists more than two types", "list Ingress and/or Egress once");
  if (written && !types.empty()) return;
  p.isolates_ingress = true;
  p.isolates_egress = !p.egress.empty();
}

}  // namespace

void parse_network_policy(const Node& obj, Reader& r, NetworkPolicyObject& p) {
  p.tier = NetTier::NetworkPolicy;
  const size_t before = r.out().diagnostics.size();
  r.check_fields(obj, {"apiVersion", "kind", "metadata", "spec", "status"});
  const Node* spec = spec_of(obj, r);
  if (!spec) {
    r.error(p.loc, "NetworkPolicy has no spec", "add spec.podSelector ({} selects every pod of the namespace)");
  } else {
    auto s = r.field("spec");
    r.check_fields(*spec, {"podSelector", "ingress", "egress", "policyTypes"});
    if (!read_label_selector(*spec, "podSelector", r, p.pod_selector))
      r.error(obj.key_loc("spec"), "spec.podSelector is required", "write `podSelector: {}` to select every pod");
    read_np_rules(*spec, "ingress", "from", r, p.ingress);
    read_np_rules(*spec, "egress", "to", r, p.egress);
    read_policy_types(*spec, r, p);
  }
  const auto& d = r.out().diagnostics;
  p.valid = std::none_of(d.begin() + static_cast<std::ptrdiff_t>(before), d.end(),
                         [](const Diagnostic& x) { return x.severity == Severity::Error; });
}

}  // namespace meshproof::model::detail
