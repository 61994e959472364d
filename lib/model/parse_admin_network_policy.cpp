// AdminNetworkPolicy and BaselineAdminNetworkPolicy (policy.networking.k8s.io/v1alpha1), read against their
// CRD schema and CEL rules: priority 0-1000, exactly one subject, rule actions (Pass only in the admin
// tier), peers, ports, and the BANP singleton name (docs/semantics.md#networkpolicy-layer, A1–A4).
#include "model/parse_network_policy.h"

#include <algorithm>

namespace meshproof::model::detail {

namespace {

// A peer (or the subject): exactly one of namespaces, pods, and on egress networks/nodes.
void read_anp_peer(const Node& n, Reader& r, NetPeer& peer, bool egress) {
  peer.loc = n.loc;
  if (egress)
    r.check_fields(n, {"namespaces", "pods", "nodes", "networks"});
  else
    r.check_fields(n, {"namespaces", "pods"});
  size_t set = 0;
  LabelSelector ns;
  if (read_label_selector(n, "namespaces", r, ns)) {
    peer.namespaces = std::move(ns);
    peer.pods = LabelSelector{};
    ++set;
  }
  if (const Node* pods = n.find("pods")) {
    auto s = r.field("pods");
    if (r.expect_map(*pods)) read_anp_pods(*pods, r, peer);
    ++set;
  }
  if (const Node* nets = n.find("networks")) {
    auto s = r.field("networks");
    // Several CIDRs: one peer each is the same union; the first is kept here and the rest by the caller.
    if (r.expect_seq(*nets, "CIDRs") && !nets->items.empty()) {
      IpBlock b;
      if (read_cidr(nets->items.front(), r, b.cidr)) peer.ip_block = std::move(b);
    }
    ++set;
  }
  if (n.find("nodes")) ++set;  // nodes are not modelled: such a peer matches no pod and no external address
  if (set != 1)
    r.error(n.loc, "exactly one of namespaces, pods" + std::string(egress ? ", nodes, networks" : "") + " must be set",
            "split the peer into several list items");
}

void read_anp_port(const Node& n, Reader& r, NetPort& p) {
  p.loc = n.loc;
  r.check_fields(n, {"portNumber", "namedPort", "portRange"});
  const size_t set = (n.find("portNumber") ? 1 : 0) + (n.find("namedPort") ? 1 : 0) + (n.find("portRange") ? 1 : 0);
  if (set != 1) r.error(n.loc, "exactly one of portNumber, namedPort, portRange must be set", "split the item");
  if (const Node* pn = n.find("portNumber"); pn) {
    auto s = r.field("portNumber");
    if (r.expect_map(*pn)) {
      r.check_fields(*pn, {"protocol", "port"});
      read_protocol(*pn, r, p.protocol);
      if (!r.get_uint(*pn, "port", p.port, 1, 65535)) r.error(pn->loc, "portNumber needs a port", "add port: N");
    }
  }
  if (n.find("namedPort")) r.get_string(n, "namedPort", p.name);
  if (const Node* pr = n.find("portRange"); pr) {
    auto s = r.field("portRange");
    if (!r.expect_map(*pr)) return;
    r.check_fields(*pr, {"protocol", "start", "end"});
    read_protocol(*pr, r, p.protocol);
    r.get_uint(*pr, "start", p.port, 1, 65535);
    r.get_uint(*pr, "end", p.end_port, 1, 65535);
    if (p.port == 0 || p.end_port == 0 || p.end_port <= p.port)
      r.error(pr->loc, "portRange needs start and end with start < end", "write start: N and end: M with N < M");
  }
}

void read_anp_rule(const Node& item, Reader& r, bool egress, bool baseline, NetRule& rule) {
  const char* peers_key = egress ? "to" : "from";
  read_admin_rule_head(item, r, peers_key, "ports", rule);
  std::string action;
  r.get_string(item, "action", action);
  if (action == "Allow")
    rule.action = NetAction::Allow;
  else if (action == "Deny")
    rule.action = NetAction::Deny;
  else if (action == "Pass" && !baseline)
    rule.action = NetAction::Pass;
  else
    r.error(item.key_loc("action"),
            "action \"" + action + "\" is not one of " + (baseline ? "Allow, Deny" : "Allow, Deny, Pass"),
            baseline ? "BaselineAdminNetworkPolicy has no Pass: it is the last tier" : "the CRD accepts only these");
  if (!item.find(peers_key))
    r.error(item.loc, std::string("rule has no ") + peers_key, "list at least one peer (it is required)");
  each_map(item, peers_key, r, "peers", [&](const Node& p) {
    NetPeer peer;
    read_anp_peer(p, r, peer, egress);
    rule.peers.push_back(std::move(peer));
    if (const Node* nets = p.find("networks"); nets && nets->is_seq())
      for (size_t i = 1; i < nets->items.size(); ++i) {  // the other CIDRs of one networks peer
        IpBlock b;
        auto s = r.field("networks");
        auto si = r.index(i);
        if (read_cidr(nets->items[i], r, b.cidr)) {
          NetPeer extra;
          extra.ip_block = std::move(b);
          extra.loc = p.loc;
          rule.peers.push_back(std::move(extra));
        }
      }
  });
  each_map(item, "ports", r, "ports", [&](const Node& pn) {
    NetPort port;
    read_anp_port(pn, r, port);
    rule.ports.push_back(std::move(port));
  });
  rule.all_ports = rule.ports.empty();
}

}  // namespace

void read_anp_pods(const Node& n, Reader& r, NetPeer& peer) {
  r.check_fields(n, {"namespaceSelector", "podSelector"});
  LabelSelector ns, pods;
  if (!read_label_selector(n, "namespaceSelector", r, ns))
    r.error(n.loc, "pods needs a namespaceSelector", "use `namespaceSelector: {}` for every namespace");
  if (!read_label_selector(n, "podSelector", r, pods))
    r.error(n.loc, "pods needs a podSelector", "use `podSelector: {}` for every pod");
  peer.namespaces = std::move(ns);
  peer.pods = std::move(pods);
}

void read_anp_subject(const Node& spec, Reader& r, NetworkPolicyObject& p) {
  const Node* subject = spec.find("subject");
  if (!subject) {
    r.error(spec.loc, "spec.subject is required", "add subject: {namespaces: {}} to select every pod");
    return;
  }
  auto s = r.field("subject");
  if (!r.expect_map(*subject)) return;
  NetPeer peer;
  read_anp_peer(*subject, r, peer, false);
  p.subject_namespaces = peer.namespaces.value_or(LabelSelector{});
  p.pod_selector = peer.pods.value_or(LabelSelector{});
}

void parse_admin_network_policy(const Node& obj, Reader& r, NetworkPolicyObject& p, bool baseline) {
  p.tier = baseline ? NetTier::Baseline : NetTier::Admin;
  const size_t before = r.out().diagnostics.size();
  if (baseline && p.meta.name != "default")
    r.error(p.loc, "BaselineAdminNetworkPolicy must be named \"default\"", "the CRD allows only one, named default");
  const Node* spec = spec_of(obj, r);
  if (!spec) {
    r.error(p.loc, p.kind + " has no spec", "add spec.subject");
  } else {
    auto s = r.field("spec");
    if (baseline)
      r.check_fields(*spec, {"subject", "ingress", "egress"});
    else
      r.check_fields(*spec, {"priority", "subject", "ingress", "egress"});
    uint32_t priority = 0;
    if (!baseline && !r.get_uint(*spec, "priority", priority, 0, 1000) && !spec->find("priority"))
      r.error(spec->loc, "spec.priority is required", "set a priority from 0 (first) to 1000");
    p.priority = static_cast<int32_t>(priority);
    if (spec->find("priority")) p.priority_loc = spec->key_loc("priority");
    read_anp_subject(*spec, r, p);
    for (const bool egress : {false, true}) {
      auto& rules = egress ? p.egress : p.ingress;
      each_map(*spec, egress ? "egress" : "ingress", r, "rules", [&](const Node& item) {
        NetRule rule;
        read_anp_rule(item, r, egress, baseline, rule);
        rules.push_back(std::move(rule));
      });
      if (rules.size() > 100)
        r.error(spec->loc, std::string("more than 100 ") + (egress ? "egress" : "ingress") + " rules", "merge rules");
    }
  }
  finish_admin_policy(r, p, before);
}

void read_admin_rule_head(const Node& item, Reader& r, const char* peers_key, const char* ports_key, NetRule& rule) {
  rule.loc = item.loc;
  r.check_fields(item, {"name", "action", peers_key, ports_key});
  r.get_string(item, "name", rule.name);
  if (rule.name.size() > 100) r.error(item.key_loc("name"), "rule name is longer than 100 characters", "shorten it");
}

void finish_admin_policy(Reader& r, NetworkPolicyObject& p, size_t diagnostics_before) {
  p.isolates_ingress = !p.ingress.empty();
  p.isolates_egress = !p.egress.empty();
  const auto& d = r.out().diagnostics;
  p.valid = std::none_of(d.begin() + static_cast<std::ptrdiff_t>(diagnostics_before), d.end(),
                         [](const Diagnostic& x) { return x.severity == Severity::Error; });
}

}  // namespace meshproof::model::detail
