// The L3/L4 layer as a Z3 formula (engine/network_encoding.h). The tier logic follows mesh/network_layer.cpp's
// NetDecider rule for rule, so that a disagreement found by the differential test is a bug in one of the two.
#include "engine/network_encoding.h"

#include <z3++.h>

#include <map>
#include <utility>

namespace meshproof::engine {

namespace {

// The protocols a connection may have, as the variable's values; -1: one no connection has.
int netenc_protocol(const std::string& p) {
  if (p == "TCP") return 0;
  if (p == "UDP") return 1;
  if (p == "SCTP") return 2;
  return -1;
}

// The connection's variables, shared by every layer encoded in one context.
struct NetVars {
  z3::expr src, addr, dst, port, proto;
  explicit NetVars(z3::context& c)
      : src(c.int_const("net_src")),
        addr(c.bv_const("net_addr", 32)),
        dst(c.int_const("net_dst")),
        port(c.int_const("net_port")),
        proto(c.int_const("net_proto")) {}
};

// A peer or rule term: where it surely matches, and where it matches or may match (a Cilium peer meshproof
// cannot resolve: an allow of the NetworkPolicy tier admits on it, a deny never denies on it).
struct NetTerm {
  z3::expr yes, maybe;
};

struct NetEncoder {
  z3::context& c;
  const NetVars& v;
  const mesh::NetworkLayer& layer;
  const std::vector<const model::Workload*>& pods;
  std::vector<mesh::NetEndpoint> ends;

  z3::expr t() const { return c.bool_val(true); }
  z3::expr f() const { return c.bool_val(false); }
  z3::expr index(size_t i) const { return c.int_val(static_cast<int>(i)); }

  z3::expr any(const std::vector<z3::expr>& xs) const {
    if (xs.empty()) return f();
    z3::expr_vector vec(c);
    for (const auto& x : xs) vec.push_back(x);
    return z3::mk_or(vec);
  }

  // An IPv4 outside address in the CIDR (an IPv6 CIDR holds none).
  z3::expr in_cidr(const model::Cidr& cidr) const {
    if (cidr.bits != 32) return f();
    if (cidr.prefix == 0) return t();
    const uint32_t net = (uint32_t{cidr.address[0]} << 24) | (uint32_t{cidr.address[1]} << 16) |
                         (uint32_t{cidr.address[2]} << 8) | uint32_t{cidr.address[3]};
    const unsigned shift = 32 - cidr.prefix;
    return z3::lshr(v.addr, static_cast<int>(shift)) == c.bv_val(static_cast<uint64_t>(net >> shift), 32);
  }

  z3::expr in_block(const model::IpBlock& b) const {
    std::vector<z3::expr> excepts;
    for (const model::Cidr& x : b.except) excepts.push_back(in_cidr(x));
    return in_cidr(b.cidr) && !any(excepts);
  }

  // An outside source as the peer (netlayer_peer_matches with e.pod == nullptr and an IPv4 address).
  NetTerm outside_peer(const model::NetPeer& peer) const {
    if (!peer.unmodelled.empty()) return {f(), t()};  // toFQDNs, groups, ClusterNetworkPolicy domainNames
    if (peer.cilium) {
      if (!peer.entity.empty()) {
        const bool m = peer.entity == "all" || peer.entity == "world" || peer.entity == "world-ipv4";
        return {c.bool_val(m), c.bool_val(m)};
      }
      if (peer.ip_block) return {in_block(*peer.ip_block), in_block(*peer.ip_block)};
      return {f(), f()};
    }
    if (peer.ip_block) return {in_block(*peer.ip_block), in_block(*peer.ip_block)};
    return {f(), f()};
  }

  // The peer term: the source (ingress) or the destination (egress), over every pod and, for a source, outside.
  NetTerm peer_term(const model::NetworkPolicyObject& p, const model::NetPeer& peer, bool peer_is_source) const {
    std::vector<z3::expr> yes, maybe;
    const z3::expr& who = peer_is_source ? v.src : v.dst;
    for (size_t i = 0; i < pods.size(); ++i) {
      const mesh::NetMatch m = mesh::peer_match(p, peer, ends[i]);
      if (m == mesh::NetMatch::No) continue;
      if (m == mesh::NetMatch::Yes) yes.push_back(who == index(i));
      maybe.push_back(who == index(i));
    }
    if (peer_is_source) {
      const NetTerm o = outside_peer(peer);
      yes.push_back(v.src == index(pods.size()) && o.yes);
      maybe.push_back(v.src == index(pods.size()) && o.maybe);
    }
    return {any(yes), any(maybe)};
  }

  // A port item on the connection's destination (named ports resolve on each destination pod, N7).
  z3::expr port_item(const model::NetPort& item) const {
    const int want = netenc_protocol(item.protocol);
    const z3::expr proto_ok = item.protocol == "ANY" ? t() : want >= 0 ? v.proto == want : f();
    if (item.any_port) return proto_ok;
    if (!item.name.empty()) {
      std::vector<z3::expr> named;
      for (size_t d = 0; d < pods.size(); ++d)
        for (const model::ContainerPort& cp : pods[d]->ports) {
          const int cp_proto = netenc_protocol(cp.protocol);
          if (cp.name != item.name || cp_proto < 0) continue;
          named.push_back(v.dst == index(d) && v.port == static_cast<int>(cp.port) && v.proto == cp_proto);
        }
      return proto_ok && any(named);
    }
    if (item.end_port)
      return proto_ok && v.port >= static_cast<int>(item.port) && v.port <= static_cast<int>(item.end_port);
    return proto_ok && v.port == static_cast<int>(item.port);
  }

  NetTerm rule_term(const model::NetworkPolicyObject& p, const model::NetRule& rule, bool peer_is_source) const {
    std::vector<z3::expr> items;
    for (const model::NetPort& x : rule.ports) items.push_back(port_item(x));
    const z3::expr ports = rule.all_ports ? t() : any(items);
    if (rule.all_peers) return {ports, ports};
    std::vector<z3::expr> yes, maybe;
    for (const model::NetPeer& peer : rule.peers) {
      NetTerm m = peer_term(p, peer, peer_is_source);
      yes.push_back(m.yes);
      maybe.push_back(m.maybe);
    }
    return {any(yes) && ports, any(maybe) && ports};
  }

  static const std::vector<model::NetRule>& rules_of(const model::NetworkPolicyObject& p, bool ingress) {
    return ingress ? p.ingress : p.egress;
  }

  // The NetworkPolicy tier (a deny rule that surely matches wins, else an allow, else isolation denies; a
  // "maybe" allow admits only where the pod is isolated), then the baseline's first match, then allow.
  z3::expr below_admin(const std::vector<const model::NetworkPolicyObject*>& selecting, bool ingress) const {
    z3::expr baseline = t();
    for (auto it = selecting.rbegin(); it != selecting.rend(); ++it) {
      if ((*it)->tier != model::NetTier::Baseline) continue;
      const auto& rules = rules_of(**it, ingress);
      for (auto r = rules.rbegin(); r != rules.rend(); ++r)
        // A baseline Pass (ClusterNetworkPolicy) leaves the decision to the default, which allows.
        baseline = z3::ite(rule_term(**it, *r, ingress).yes, c.bool_val(r->action != model::NetAction::Deny), baseline);
    }
    std::vector<z3::expr> deny, allow, allow_maybe;
    bool tier = false, isolating = false;
    for (const model::NetworkPolicyObject* p : selecting) {
      if (p->tier != model::NetTier::NetworkPolicy) continue;
      tier = true;
      isolating = isolating || (ingress ? p->isolates_ingress : p->isolates_egress);
      for (const model::NetRule& r : rules_of(*p, ingress)) {
        const NetTerm m = rule_term(*p, r, ingress);
        if (r.action == model::NetAction::Deny) deny.push_back(m.yes);
        if (r.action == model::NetAction::Allow) {
          allow.push_back(m.yes);
          allow_maybe.push_back(m.maybe);
        }
      }
    }
    if (!tier) return baseline;
    return z3::ite(any(deny), f(), z3::ite(any(allow), t(), isolating ? any(allow_maybe) : baseline));
  }

  // One direction of one pod: the admin policies' rules in order (Allow, Deny, Pass to the tiers below).
  z3::expr direction(size_t pod, bool ingress) const {
    const auto selecting = layer.selecting(ends[pod], ingress);
    const z3::expr below = below_admin(selecting, ingress);
    z3::expr out = below;
    for (auto it = selecting.rbegin(); it != selecting.rend(); ++it) {
      if ((*it)->tier != model::NetTier::Admin) continue;
      const auto& rules = rules_of(**it, ingress);
      for (auto r = rules.rbegin(); r != rules.rend(); ++r) {
        const z3::expr value = r->action == model::NetAction::Allow  ? t()
                               : r->action == model::NetAction::Deny ? f()
                                                                     : below;
        // An allow rule that may match admits (the layer never denies on what it does not model); a deny or
        // pass rule must surely match.
        const NetTerm m = rule_term(**it, *r, ingress);
        out = z3::ite(r->action == model::NetAction::Allow ? m.maybe : m.yes, value, out);
      }
    }
    return out;
  }

  // admit: a pod's connection to itself (N8), else the source pod's egress and the destination's ingress (N3).
  z3::expr admit() const {
    std::vector<z3::expr> self;
    z3::expr_vector both(c);
    for (size_t i = 0; i < pods.size(); ++i) {
      self.push_back(v.src == index(i) && v.dst == index(i));
      both.push_back(z3::implies(v.src == index(i), direction(i, false)));
      both.push_back(z3::implies(v.dst == index(i), direction(i, true)));
    }
    return any(self) || (both.empty() ? t() : z3::mk_and(both));
  }

  z3::expr domain() const {
    const int n = static_cast<int>(pods.size());
    return v.src >= 0 && v.src <= n && v.dst >= 0 && v.dst < n && v.port >= 0 && v.port <= 65535 && v.proto >= 0 &&
           v.proto <= 2;
  }
};

// What the encoding does not cover in this layer ("" when nothing).
std::string netenc_unsupported(const mesh::NetworkLayer& layer) {
  std::map<int32_t, std::string> admin;
  for (const model::NetworkPolicyObject* p : layer.policies()) {
    if (p->tier != model::NetTier::Admin) continue;
    auto [it, fresh] = admin.emplace(p->priority, p->display());
    if (!fresh)
      return it->second + " and " + p->display() + " have the same priority " + std::to_string(p->priority) +
             " (A4: their order is implementation-defined; not encoded)";
  }
  return "";
}

NetEncoder netenc_encoder(z3::context& c, const NetVars& v, const mesh::NetworkLayer& layer,
                          const std::vector<const model::Workload*>& pods) {
  NetEncoder e{c, v, layer, pods, {}};
  for (const model::Workload* w : pods) e.ends.push_back(layer.pod(*w));
  return e;
}

z3::expr netenc_point(z3::context& c, const NetVars& v, size_t pods, const NetConnection& k) {
  const z3::expr src = k.source ? v.src == c.int_val(static_cast<int>(*k.source))
                                : v.src == c.int_val(static_cast<int>(pods)) &&
                                      v.addr == c.bv_val(static_cast<uint64_t>(k.address), 32);
  return src && v.dst == c.int_val(static_cast<int>(k.destination)) && v.port == static_cast<int>(k.port) &&
         v.proto == netenc_protocol(k.protocol);
}

void netenc_timeout(z3::context& c, z3::solver& s, unsigned timeout_ms) {
  z3::params p(c);
  p.set("timeout", timeout_ms);
  s.set(p);
}

}  // namespace

struct NetworkEncoding::Impl {
  z3::context c;
  z3::solver s{c};
  NetVars v{c};
  std::string unsupported;
  std::optional<z3::expr> admit;
  size_t pods = 0;
};

NetworkEncoding::NetworkEncoding(const mesh::NetworkLayer& layer, const std::vector<const model::Workload*>& pods,
                                 unsigned timeout_ms)
    : impl_(std::make_unique<Impl>()) {
  impl_->pods = pods.size();
  impl_->unsupported = netenc_unsupported(layer);
  if (!impl_->unsupported.empty()) return;
  netenc_timeout(impl_->c, impl_->s, timeout_ms);
  const NetEncoder e = netenc_encoder(impl_->c, impl_->v, layer, pods);
  impl_->s.add(e.domain());
  impl_->admit = e.admit();
}

NetworkEncoding::~NetworkEncoding() = default;

const std::string& NetworkEncoding::unsupported() const { return impl_->unsupported; }

std::optional<bool> NetworkEncoding::admits(const NetConnection& k) {
  if (!impl_->admit || netenc_protocol(k.protocol) < 0) return std::nullopt;
  z3::solver& s = impl_->s;
  s.push();
  s.add(netenc_point(impl_->c, impl_->v, impl_->pods, k));
  s.add(*impl_->admit);
  const z3::check_result r = s.check();
  s.pop();
  if (r == z3::unknown) return std::nullopt;
  return r == z3::sat;
}

NetDifference NetworkEncoding::difference(const mesh::NetworkLayer& before,
                                          const std::vector<const model::Workload*>& pods_before,
                                          const mesh::NetworkLayer& after,
                                          const std::vector<const model::Workload*>& pods_after, unsigned timeout_ms) {
  NetDifference out;
  for (const auto* layer : {&before, &after})
    if (std::string why = netenc_unsupported(*layer); !why.empty()) {
      out.unknown_reason = why;
      return out;
    }
  if (pods_before.size() != pods_after.size()) {
    out.unknown_reason = "the two layers range over different pods";
    return out;
  }
  z3::context c;
  z3::solver s(c);
  netenc_timeout(c, s, timeout_ms);
  const NetVars v(c);
  const NetEncoder b = netenc_encoder(c, v, before, pods_before);
  const NetEncoder a = netenc_encoder(c, v, after, pods_after);
  const z3::expr admit_after = a.admit();
  s.add(b.domain());
  s.add(b.admit() != admit_after);
  const z3::check_result r = s.check();
  if (r == z3::unknown) {
    out.unknown_reason = s.reason_unknown();
    return out;
  }
  out.answer = r == z3::sat ? SatAnswer::Sat : SatAnswer::Unsat;
  if (r != z3::sat) return out;
  const z3::model m = s.get_model();
  NetConnection k;
  const size_t src = static_cast<size_t>(m.eval(v.src, true).get_numeral_int());
  if (src < pods_before.size()) k.source = src;
  k.address = static_cast<uint32_t>(m.eval(v.addr, true).get_numeral_uint64());
  k.destination = static_cast<size_t>(m.eval(v.dst, true).get_numeral_int());
  k.port = static_cast<uint32_t>(m.eval(v.port, true).get_numeral_int());
  static const char* const kProtocols[] = {"TCP", "UDP", "SCTP"};
  k.protocol = kProtocols[m.eval(v.proto, true).get_numeral_int()];
  out.admitted_after = m.eval(admit_after, true).is_true();
  out.witness = k;
  return out;
}

}  // namespace meshproof::engine
