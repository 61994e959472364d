// CiliumNetworkPolicy and CiliumClusterwideNetworkPolicy (cilium.io/v2), read as the CRD schema and Cilium's
// rule translation read them (docs/semantics.md#networkpolicy-layer, "Cilium"): strict fields and the CRD's
// enums and patterns are errors; endpoint selectors get the namespace match Cilium adds
// (pkg/k8s/apis/cilium.io/utils/utils.go getEndpointSelector); L7 rules, toFQDNs, toServices, groups, nodes and
// host policies are kept as "not modelled" parts (NetworkPolicySet::not_analyzed), never dropped in silence.
#include <algorithm>
#include <functional>

#include "model/parse_network_policy.h"

namespace meshproof::model::detail {

namespace {

constexpr const char* kCiliumNamespaceLabel = "io.kubernetes.pod.namespace";
constexpr const char* kCiliumNamespaceLabelsPrefix = "io.cilium.k8s.namespace.labels.";

// Direction-dependent field names of one rule.
struct CiliumKeys {
  bool ingress;
  bool deny;
  const char* endpoints() const { return ingress ? "fromEndpoints" : "toEndpoints"; }
  const char* requires_key() const { return ingress ? "fromRequires" : "toRequires"; }
  const char* cidr() const { return ingress ? "fromCIDR" : "toCIDR"; }
  const char* cidr_set() const { return ingress ? "fromCIDRSet" : "toCIDRSet"; }
  const char* entities() const { return ingress ? "fromEntities" : "toEntities"; }
  const char* groups() const { return ingress ? "fromGroups" : "toGroups"; }
  const char* nodes() const { return ingress ? "fromNodes" : "toNodes"; }
};

// A label key as a Cilium selector writes it: "k8s:app" and "any:app" are the pod label "app"; other sources
// ("reserved:host", "cidr:...") keep their prefix and so never match a pod's labels.
std::string cilium_key(const std::string& key) {
  for (const char* prefix : {"k8s:", "any:"})
    if (key.rfind(prefix, 0) == 0) return key.substr(std::string(prefix).size());
  return key;
}

void normalize_cilium_selector(LabelSelector& sel) {
  Labels labels;
  for (auto& [k, v] : sel.match_labels) labels[cilium_key(k)] = v;
  sel.match_labels = std::move(labels);
  for (LabelRequirement& req : sel.match_expressions) req.key = cilium_key(req.key);
}

bool selector_has_key(const LabelSelector& sel, const std::function<bool(const std::string&)>& pred) {
  for (const auto& [k, v] : sel.match_labels)
    if (pred(k)) return true;
  return std::any_of(sel.match_expressions.begin(), sel.match_expressions.end(),
                     [&](const LabelRequirement& r) { return pred(r.key); });
}

// fromEndpoints/toEndpoints of a CiliumNetworkPolicy select the policy's namespace unless the selector names a
// namespace or namespace labels; of a clusterwide policy, every namespace (getEndpointSelector). A selector with
// a reserved label is left alone (it selects no pod).
void scope_peer_selector(LabelSelector& sel, const std::string& ns) {
  const bool reserved = selector_has_key(sel, [](const std::string& k) { return k.rfind("reserved:", 0) == 0; });
  if (ns.empty() || reserved) return;
  if (selector_has_key(sel, [](const std::string& k) {
        return k == kCiliumNamespaceLabel || k.rfind(kCiliumNamespaceLabelsPrefix, 0) == 0;
      }))
    return;
  sel.match_labels[kCiliumNamespaceLabel] = ns;
}

// An EndpointSelector (a metav1.LabelSelector with Cilium's label sources) at `sel_node`.
void read_cilium_selector(const Node& sel_node, Reader& r, LabelSelector& sel) {
  r.check_fields(sel_node, {"matchLabels", "matchExpressions"});
  r.get_labels(sel_node, "matchLabels", sel.match_labels);
  each_map(sel_node, "matchExpressions", r, "requirements", [&](const Node& req_node) {
    LabelRequirement req;
    r.check_fields(req_node, {"key", "operator", "values"});
    r.get_string(req_node, "key", req.key);
    r.get_string(req_node, "operator", req.op);
    r.get_string_vector(req_node, "values", req.values);
    if (req.op != "In" && req.op != "NotIn" && req.op != "Exists" && req.op != "DoesNotExist")
      r.error(req_node.loc, "operator \"" + req.op + "\" is not one of In, NotIn, Exists, DoesNotExist",
              "the CRD accepts only these label selector operators");
    sel.match_expressions.push_back(std::move(req));
  });
}

const char* const kEntities[] = {"all",     "world",     "world-ipv4", "world-ipv6",  "cluster", "host",
                                 "init",    "ingress",   "unmanaged",  "remote-node", "health",  "none",
                                 "kube-apiserver"};

class CiliumRuleReader {
 public:
  CiliumRuleReader(Reader& r, const NetworkPolicyObject& policy, std::vector<NotAnalyzed>& not_analyzed)
      : r_(r), policy_(policy), not_analyzed_(not_analyzed) {}

  // One rule of ingress/ingressDeny/egress/egressDeny.
  NetRule rule(const Node& item, CiliumKeys keys) {
    NetRule rule;
    rule.loc = item.loc;
    rule.action = keys.deny ? NetAction::Deny : NetAction::Allow;
    check_rule_fields(item, keys);
    size_t l3_members = 0;
    l3_members += endpoints(item, keys, rule);
    l3_members += cidrs(item, keys, rule);
    l3_members += entities(item, keys, rule);
    l3_members += unmodelled_peers(item, keys, rule);
    if (l3_members > 1)
      r_.error(item.loc, "a rule combines several kinds of peers (endpoints, CIDRs, entities, ...)",
               "Cilium rejects such a rule; write one rule per kind of peer (they are ORed)");
    rule.all_peers = l3_members == 0;  // no L3 selector: every peer (cilium-doc language.rst, Layer 4 examples)
    restrictions(item, keys, rule);
    ports(item, keys, rule);
    return rule;
  }

 private:
  void check_rule_fields(const Node& item, CiliumKeys k) {
    if (k.ingress && k.deny)
      r_.check_fields(item, {"fromEndpoints", "fromRequires", "fromCIDR", "fromCIDRSet", "fromEntities", "fromGroups",
                             "fromNodes", "toPorts", "icmps"});
    else if (k.ingress)
      r_.check_fields(item, {"fromEndpoints", "fromRequires", "fromCIDR", "fromCIDRSet", "fromEntities", "fromGroups",
                             "fromNodes", "toPorts", "icmps", "authentication"});
    else if (k.deny)
      r_.check_fields(item, {"toEndpoints", "toRequires", "toCIDR", "toCIDRSet", "toEntities", "toServices",
                             "toGroups", "toNodes", "toPorts", "icmps"});
    else
      r_.check_fields(item, {"toEndpoints", "toRequires", "toCIDR", "toCIDRSet", "toEntities", "toServices",
                             "toFQDNs", "toGroups", "toNodes", "toPorts", "icmps", "authentication"});
  }

  std::string path_of(std::string_view key) const {
    std::string p = r_.path_with(key);
    return !p.empty() && p.front() == '.' ? p.substr(1) : p;
  }

  void not_modelled(const Node& parent, std::string_view key, const std::string& what) {
    NotAnalyzed n;
    n.loc = parent.key_loc(key);
    n.api_version = policy_.api_version;
    n.kind = policy_.kind;
    n.name = policy_.meta.name;
    n.ns = policy_.clusterwide ? "" : policy_.meta.ns;
    n.system = "Cilium";
    n.part = path_of(key) + ": " + what;
    not_analyzed_.push_back(std::move(n));
  }

  // A list field present; `empty` is set when it is an explicit empty list (selects nothing in Cilium).
  const Node* list(const Node& item, const char* key, const char* what) {
    const Node* n = item.find(key);
    if (!n || n->is_null()) return nullptr;
    auto s = r_.field(key);
    return r_.expect_seq(*n, what) ? n : nullptr;
  }

  size_t endpoints(const Node& item, CiliumKeys k, NetRule& rule) {
    const Node* n = list(item, k.endpoints(), "endpoint selectors");
    if (!n) return 0;
    auto s = r_.field(k.endpoints());
    for (size_t i = 0; i < n->items.size(); ++i) {
      auto si = r_.index(i);
      const Node& sel_node = n->items[i];
      NetPeer peer;
      peer.loc = sel_node.loc;
      peer.cilium = true;
      LabelSelector sel;
      sel.loc = sel_node.loc;
      if (!sel_node.is_null() && r_.expect_map(sel_node)) {
        r_.check_fields(sel_node, {"matchLabels", "matchExpressions"});
        read_cilium_selector(sel_node, r_, sel);
      }
      normalize_cilium_selector(sel);
      scope_peer_selector(sel, policy_.clusterwide ? "" : policy_.meta.ns);
      peer.pods = std::move(sel);
      rule.peers.push_back(std::move(peer));
    }
    return 1;
  }

  size_t cidrs(const Node& item, CiliumKeys k, NetRule& rule) {
    size_t members = 0;
    if (const Node* n = list(item, k.cidr(), "CIDRs")) {
      ++members;
      auto s = r_.field(k.cidr());
      for (size_t i = 0; i < n->items.size(); ++i) {
        auto si = r_.index(i);
        NetPeer peer;
        peer.loc = n->items[i].loc;
        peer.cilium = true;
        IpBlock b;
        if (read_cilium_cidr(n->items[i], b.cidr)) peer.ip_block = std::move(b);
        rule.peers.push_back(std::move(peer));
      }
    }
    if (list(item, k.cidr_set(), "CIDR rules")) {
      ++members;
      each_map(item, k.cidr_set(), r_, "CIDR rules", [&](const Node& c) { cidr_rule(c, rule); });
    }
    return members;
  }

  // A Cilium CIDR also accepts a bare address (the CRD's pattern: an IP or a CIDR).
  bool read_cilium_cidr(const Node& n, Cidr& out) {
    std::string text;
    if (!r_.read_string(n, text)) return false;
    if (text.find('/') == std::string::npos) text += text.find(':') == std::string::npos ? "/32" : "/128";
    if (auto c = parse_net_cidr(text)) {
      out = *c;
      out.loc = n.loc;
      return true;
    }
    r_.error(n.loc, "\"" + n.scalar + "\" is not a valid IP address or CIDR",
             "write an address or an address and a prefix length, e.g. 10.0.0.0/8");
    return false;
  }

  void cidr_rule(const Node& c, NetRule& rule) {
    r_.check_fields(c, {"cidr", "cidrGroupRef", "cidrGroupSelector", "except"});
    NetPeer peer;
    peer.loc = c.loc;
    peer.cilium = true;
    const size_t set = (c.find("cidr") ? 1 : 0) + (c.find("cidrGroupRef") ? 1 : 0) +
                       (c.find("cidrGroupSelector") ? 1 : 0);
    if (set != 1)
      r_.error(c.loc, "exactly one of cidr, cidrGroupRef, cidrGroupSelector must be set", "split the item");
    if (!c.find("cidr")) {  // a CiliumCIDRGroup's addresses are not in the model
      peer.unmodelled = "cidrGroupRef";
      not_modelled(c, c.find("cidrGroupRef") ? "cidrGroupRef" : "cidrGroupSelector",
                   "CiliumCIDRGroup references are not modelled (matched as unknown outside addresses)");
      rule.peers.push_back(std::move(peer));
      return;
    }
    IpBlock b;
    bool ok = false;
    {
      auto s = r_.field("cidr");
      ok = read_cilium_cidr(*c.find("cidr"), b.cidr);
    }
    if (const Node* ex = c.find("except")) {
      auto s = r_.field("except");
      if (r_.expect_seq(*ex, "CIDRs"))
        for (size_t i = 0; i < ex->items.size(); ++i) {
          auto si = r_.index(i);
          Cidr e;
          if (read_cilium_cidr(ex->items[i], e)) b.except.push_back(std::move(e));
        }
    }
    if (ok) peer.ip_block = std::move(b);
    rule.peers.push_back(std::move(peer));
  }

  size_t entities(const Node& item, CiliumKeys k, NetRule& rule) {
    const Node* n = list(item, k.entities(), "entities");
    if (!n) return 0;
    auto s = r_.field(k.entities());
    for (size_t i = 0; i < n->items.size(); ++i) {
      auto si = r_.index(i);
      NetPeer peer;
      peer.loc = n->items[i].loc;
      peer.cilium = true;
      r_.read_string(n->items[i], peer.entity);
      if (std::find(std::begin(kEntities), std::end(kEntities), peer.entity) == std::end(kEntities))
        r_.error(n->items[i].loc, "entity \"" + peer.entity + "\" is not one the CRD accepts",
                 "use one of all, world, world-ipv4, world-ipv6, cluster, host, init, ingress, unmanaged, "
                 "remote-node, health, none, kube-apiserver");
      rule.peers.push_back(std::move(peer));
    }
    return 1;
  }

  // Peers whose members the input does not hold: DNS names, Services without selectors, cloud groups, nodes.
  size_t unmodelled_peers(const Node& item, CiliumKeys k, NetRule& rule) {
    size_t members = 0;
    auto add = [&](const char* key, const char* what) {
      const Node* n = item.find(key);
      if (!n || n->is_null()) return;
      ++members;
      NetPeer peer;
      peer.loc = item.key_loc(key);
      peer.cilium = true;
      peer.unmodelled = key;
      rule.peers.push_back(std::move(peer));
      not_modelled(item, key, what);
    };
    if (!k.ingress && !k.deny)
      add("toFQDNs", "toFQDNs is not modelled (its addresses come from DNS answers): matched as unknown outside "
                     "addresses");
    if (!k.ingress)
      add("toServices", "toServices is not modelled (Services without selectors): matched as unknown outside "
                        "addresses");
    add(k.groups(), "cloud provider groups are not modelled: matched as unknown outside addresses");
    if (const Node* n = item.find(k.nodes()); n && !n->is_null()) {
      ++members;  // nodes are not pods and not outside addresses: such a peer matches nothing here
      not_modelled(item, k.nodes(), "node selectors are not modelled (they match no pod and no outside address)");
    }
    return members;
  }

  // What narrows an allow rule further and is not modelled: the rule still admits at L3/L4 as far as meshproof
  // can tell, and the restriction is named in the verdict.
  void restrictions(const Node& item, CiliumKeys k, NetRule& rule) {
    if (const Node* n = item.find(k.requires_key()); n && !n->is_null()) {
      add_restriction(rule, k.requires_key());
      not_modelled(item, k.requires_key(), std::string(k.requires_key()) + " is not modelled (it narrows every rule)");
    }
    if (item.find("authentication")) {
      add_restriction(rule, "authentication");
      not_modelled(item, "authentication", "mutual authentication is not modelled");
    }
    if (const Node* n = item.find("icmps"); n && !n->is_null())
      not_modelled(item, "icmps", "ICMP rules are not modelled (they admit no TCP/UDP connection)");
  }

  static void add_restriction(NetRule& rule, const std::string& what) {
    rule.unmodelled_restriction += (rule.unmodelled_restriction.empty() ? "" : ", ") + what;
  }

  void ports(const Node& item, CiliumKeys k, NetRule& rule) {
    const Node* to_ports = item.find("toPorts");
    const Node* icmps = item.find("icmps");
    // icmps without toPorts: the rule's L4 is ICMP only, so it admits no TCP/UDP connection.
    rule.all_ports = !(to_ports && !to_ports->is_null()) && !(icmps && !icmps->is_null());
    each_map(item, "toPorts", r_, "port rules", [&](const Node& pr) {
      if (k.deny)
        r_.check_fields(pr, {"ports"});
      else
        r_.check_fields(pr, {"ports", "terminatingTLS", "originatingTLS", "serverNames", "listener", "rules"});
      const Node* ports = pr.find("ports");
      const size_t first_port = rule.ports.size();
      if (!ports || ports->is_null()) {  // a port rule without ports: every port
        NetPort any;
        any.protocol = "ANY";
        any.any_port = true;
        any.loc = pr.loc;
        rule.ports.push_back(std::move(any));
      }
      each_map(pr, "ports", r_, "ports", [&](const Node& pp) { rule.ports.push_back(port(pp)); });
      NetL7Ports l7_ports;
      for (const char* l7 : {"rules", "terminatingTLS", "originatingTLS", "serverNames", "listener"})
        if (const Node* n = pr.find(l7); n && !n->is_null()) {
          add_restriction(rule, l7_name(l7, *n));
          not_modelled(pr, l7, l7_name(l7, *n) + " not modelled: the port is admitted at L3/L4, whether a request "
                                                 "on it passes is not decided here");
          if (l7_ports.what.empty()) l7_ports.loc = pr.key_loc(l7);
          l7_ports.what += (l7_ports.what.empty() ? "" : ", ") + l7_name(l7, *n);
          l7_ports.http |= std::string_view(l7) == "rules" && n->find("http") != nullptr;
        }
      if (!l7_ports.what.empty()) {
        l7_ports.ports.assign(rule.ports.begin() + static_cast<std::ptrdiff_t>(first_port), rule.ports.end());
        rule.l7.push_back(std::move(l7_ports));
      }
    });
  }

  static std::string l7_name(const char* key, const Node& n) {
    if (std::string_view(key) != "rules") return key;
    std::string kinds;
    if (n.is_map())
      for (const load::MapEntry& e : n.entries) kinds += (kinds.empty() ? "" : ", ") + e.key;
    return "L7 rules (" + kinds + ")";
  }

  NetPort port(const Node& pp) {
    NetPort p;
    p.loc = pp.loc;
    p.protocol = "ANY";  // omitted or empty: any protocol (cilium-doc language.rst, PortProtocol)
    r_.check_fields(pp, {"port", "endPort", "protocol"});
    std::string protocol;
    if (r_.get_string(pp, "protocol", protocol) && !protocol.empty()) {
      static const char* const kProtocols[] = {"TCP", "UDP", "SCTP", "ICMP", "ICMPv6", "VRRP", "IGMP", "ANY"};
      if (std::find_if(std::begin(kProtocols), std::end(kProtocols), [&](const char* x) { return protocol == x; }) ==
          std::end(kProtocols)) {
        auto s = r_.field("protocol");
        r_.error(pp.key_loc("protocol"), "protocol \"" + protocol + "\" is not one the CRD accepts",
                 "use TCP, UDP, SCTP or ANY (ICMP, ICMPv6, VRRP and IGMP match no TCP/UDP connection)");
      }
      p.protocol = protocol;
    }
    std::string port;
    const Node* port_node = pp.find("port");
    if (!port_node || port_node->is_null() || (r_.get_string(pp, "port", port) && port == "0")) {
      p.any_port = true;  // no port or port 0: every port of the protocol
    } else if (!port.empty() && std::all_of(port.begin(), port.end(), [](char c) { return c >= '0' && c <= '9'; })) {
      if (port.size() > 5 || std::stoul(port) > 65535) {
        auto s = r_.field("port");
        r_.error(port_node->loc, "port \"" + port + "\" is greater than 65535", "write a port number 0-65535 or a name");
      } else {
        p.port = static_cast<uint32_t>(std::stoul(port));
      }
    } else {
      p.name = port;
      if (!is_port_name(port)) {
        auto s = r_.field("port");
        r_.error(port_node->loc, "port \"" + port + "\" is neither a number 0-65535 nor a valid port name",
                 "a named port has 1-15 lowercase letters, digits and '-', with at least one letter");
      }
    }
    if (pp.find("endPort") && r_.get_uint(pp, "endPort", p.end_port, 0, 65535) && p.name.empty() && !p.any_port &&
        p.end_port < p.port) {
      auto s = r_.field("endPort");
      r_.diag(Severity::Warning, pp.key_loc("endPort"),
              "endPort " + std::to_string(p.end_port) + " is less than port " + std::to_string(p.port),
              "meshproof matches port " + std::to_string(p.port) + " alone; write endPort >= port");
      p.end_port = 0;
    }
    if (!p.name.empty()) p.end_port = 0;  // ignored with a named port (PortProtocol.EndPort)
    return p;
  }

  Reader& r_;
  const NetworkPolicyObject& policy_;
  std::vector<NotAnalyzed>& not_analyzed_;
};

// One rule of `spec` or `specs[i]` into `p` (already a copy of the object's metadata).
void read_cilium_rule(const Node& rule_node, Reader& r, NetworkPolicyObject& p, std::vector<NotAnalyzed>& na) {
  r.check_fields(rule_node, {"endpointSelector", "nodeSelector", "ingress", "ingressDeny", "egress", "egressDeny",
                             "labels", "description", "enableDefaultDeny", "log"});
  const bool has_endpoint = rule_node.find("endpointSelector") != nullptr;
  const bool has_node = rule_node.find("nodeSelector") != nullptr;
  if (has_endpoint == has_node)
    r.error(rule_node.loc, "exactly one of endpointSelector and nodeSelector must be set",
            "endpointSelector selects pods; nodeSelector makes a host policy");
  if (!has_endpoint) return;
  if (const Node* sel = rule_node.find("endpointSelector")) {
    auto s = r.field("endpointSelector");
    if (!sel->is_null() && r.expect_map(*sel)) read_cilium_selector(*sel, r, p.pod_selector);
    p.pod_selector.loc = rule_node.key_loc("endpointSelector");
  }
  normalize_cilium_selector(p.pod_selector);
  if (!p.clusterwide) {  // always the policy's own namespace (ParseToCiliumRule)
    const auto it = p.pod_selector.match_labels.find(kCiliumNamespaceLabel);
    if (it != p.pod_selector.match_labels.end() && it->second != p.meta.ns) {
      auto s = r.field("endpointSelector");
      r.diag(Severity::Warning, rule_node.key_loc("endpointSelector"),
             "the endpointSelector names namespace " + it->second + ", but a CiliumNetworkPolicy applies in its own",
             "Cilium removes the match and selects pods of " + p.meta.ns + "; use a CiliumClusterwideNetworkPolicy");
    }
    if (it != p.pod_selector.match_labels.end()) p.pod_selector.match_labels.erase(it);
  }
  CiliumRuleReader reader(r, p, na);
  struct Section {
    const char* key;
    CiliumKeys keys;
  };
  for (const Section& sec : {Section{"ingress", {true, false}}, Section{"ingressDeny", {true, true}},
                             Section{"egress", {false, false}}, Section{"egressDeny", {false, true}}}) {
    auto& rules = sec.keys.ingress ? p.ingress : p.egress;
    each_map(rule_node, sec.key, r, "rules",
             [&](const Node& item) { rules.push_back(reader.rule(item, sec.keys)); });
  }
  // Default deny per direction: a non-empty ingress/ingressDeny (egress/egressDeny) section, unless
  // enableDefaultDeny says otherwise (cilium-doc intro.rst; evaluateDefaultDenyForRule).
  p.isolates_ingress = !p.ingress.empty();
  p.isolates_egress = !p.egress.empty();
  if (const Node* dd = child_map(rule_node, "enableDefaultDeny", r)) {
    auto s = r.field("enableDefaultDeny");
    r.check_fields(*dd, {"ingress", "egress"});
    r.get_bool(*dd, "ingress", p.isolates_ingress);
    r.get_bool(*dd, "egress", p.isolates_egress);
  }
}

}  // namespace

void parse_cilium_network_policy(const Node& obj, Reader& r, const NetworkPolicyObject& base,
                                 std::vector<NetworkPolicyObject>& out, std::vector<NotAnalyzed>& not_analyzed) {
  r.check_fields(obj, {"apiVersion", "kind", "metadata", "spec", "specs", "status"});
  const Node* spec = obj.find("spec");
  const Node* specs = obj.find("specs");
  if ((!spec || spec->is_null()) && (!specs || specs->is_null()))
    r.error(base.loc, base.kind + " has neither spec nor specs", "add spec.endpointSelector and its rules");
  std::vector<NetworkPolicyObject> rules;
  auto read_one = [&](const Node& rule_node, Loc loc) {
    NetworkPolicyObject p = base;
    p.loc = loc;
    read_cilium_rule(rule_node, r, p, not_analyzed);
    const bool host_policy = rule_node.find("nodeSelector") && !rule_node.find("endpointSelector");
    if (host_policy) {
      NotAnalyzed n;
      n.loc = loc;
      n.api_version = base.api_version;
      n.kind = base.kind;
      n.name = base.meta.name;
      n.ns = base.clusterwide ? "" : base.meta.ns;
      n.system = "Cilium";
      const std::string path = r.path_with("nodeSelector");
      n.part = (!path.empty() && path.front() == '.' ? path.substr(1) : path) + ": host policies are not modelled";
      not_analyzed.push_back(std::move(n));
      return;
    }
    rules.push_back(std::move(p));
  };
  if (spec && !spec->is_null()) {
    auto s = r.field("spec");
    if (r.expect_map(*spec)) read_one(*spec, obj.key_loc("spec"));
  }
  each_map(obj, "specs", r, "rules", [&](const Node& item) { read_one(item, item.loc); });
  for (NetworkPolicyObject& p : rules) out.push_back(std::move(p));
}

}  // namespace meshproof::model::detail
