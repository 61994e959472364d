// Lowering Linkerd's inbound policy into the IR (ir/lower_linkerd.h). Sources, linkerd2 at b24cd40 (the
// anchors of ../shared/docs/semantics/linkerd.md): policy-controller/k8s/index/src/inbound/index.rs (Server
// selection 1245-1266 and 1379-1390, the Server's authorizations 1817-1888, AuthorizationPolicy resolution
// 2042-2139, the default server 1753-1792), defaults.rs 31-130 (default policies), core/src/identity_match.rs
// (identities), grpc/src/inbound.rs 303-304 (ServerAuthorization networks default to the cluster networks);
// linkerd2-proxy linkerd/app/inbound/src/policy.rs 172-212 (a connection is authorized iff some authorization's
// networks and authentication hold). docs/semantics.md#linkerd-policy.
#include "ir/lower_linkerd.h"

#include <algorithm>
#include <cstdlib>
#include <map>
#include <optional>
#include <set>
#include <tuple>

#include "base/text.h"

namespace meshproof::ir {

using model::Str;

namespace {

using LinkerdAuthz = LinkerdAuthorization;

Term identity_term(std::vector<Atom> atoms, const std::string& written, Loc loc) {
  Term t;
  t.atoms = std::move(atoms);
  t.source_value = written;
  t.loc = loc;
  return t;
}

Term peer_exact(const std::string& td, const std::string& ns, const std::string& sa, const std::string& written,
                Loc loc) {
  std::vector<Atom> atoms{make_atom(Attribute::PeerTrustDomain, Op::Exact, td)};
  if (!ns.empty()) atoms.push_back(make_atom(Attribute::PeerNamespace, Op::Exact, ns));
  if (!sa.empty()) atoms.push_back(make_atom(Attribute::PeerServiceAccount, Op::Exact, sa));
  return identity_term(std::move(atoms), written, loc);
}

std::string identity_tail(const LinkerdCluster& c) {
  return "serviceaccount.identity." + c.control_plane_ns + "." + c.trust_domain;
}

bool label_suffix(const std::string& whole, const std::string& suffix) {
  return whole == suffix || (whole.size() > suffix.size() && whole.ends_with("." + suffix));
}

// identity_match.rs: "*" any identity, "*.S" the DNS suffix ".S", anything else exact. Linkerd's own identities
// are SA.NS.serviceaccount.identity.CP.TD, modelled as the peer's (TD, NS, SA); a string that cannot name such
// an identity (a foreign DNS name, a SPIFFE URI) matches no meshed workload of the model and lowers to false.
Term lower_linkerd_identity(const Str& id, const LinkerdCluster& c) {
  if (id.value == "*") return identity_term({make_atom(Attribute::PeerTrustDomain, Op::Present)}, id.value, id.loc);
  if (id.value.starts_with("*.")) {
    const std::string s = id.value.substr(2);
    const std::string tail = identity_tail(c);
    if (label_suffix(c.trust_domain, s))  // any trust domain ending in .S (the TD S itself: add_identity)
      return identity_term({make_atom(Attribute::PeerTrustDomain, Op::Suffix, "." + s)}, id.value, id.loc);
    if (label_suffix(tail, s)) return peer_exact(c.trust_domain, "", "", id.value, id.loc);
    if (s.ends_with("." + tail) && s.find('.') == s.size() - tail.size() - 1)
      return peer_exact(c.trust_domain, s.substr(0, s.find('.')), "", id.value, id.loc);
    Term f = Term::constant(false);
    f.source_value = id.value;
    f.loc = id.loc;
    return f;
  }
  std::string td, ns, sa;
  if (parse_linkerd_identity(id.value, c, td, ns, sa)) return peer_exact(td, ns, sa, id.value, id.loc);
  Term f = Term::constant(false);
  f.source_value = id.value;
  f.loc = id.loc;
  return f;
}

void add_identity(LinkerdAuthz& a, const Str& id, const LinkerdCluster& c) {
  if (id.value == "*") a.any_identity = true;
  a.identities.push_back(lower_linkerd_identity(id, c));
  // "*.S" with S a label suffix of the trust domain also matches the trust domain S itself.
  if (id.value.starts_with("*.") && label_suffix(c.trust_domain, id.value.substr(2)))
    a.identities.push_back(peer_exact(id.value.substr(2), "", "", id.value, id.loc));
}

std::vector<model::LinkerdNetwork> networks_of(const std::vector<std::string>& cidrs) {
  std::vector<model::LinkerdNetwork> out;
  for (const std::string& c : cidrs) out.push_back(model::LinkerdNetwork{model::Str{c, Loc{}}, {}});
  return out;
}

// defaults.rs default_authzs: the authorizations a default policy name stands for.
std::vector<LinkerdAuthz> default_authzs(const std::string& policy, const LinkerdCluster& c, bool authenticated_only,
                                         const LinkerdPod& pod) {
  if (policy == "deny") return {};
  LinkerdAuthz a;
  a.kind = "Default";
  a.name = policy;
  a.ns = pod.ns;
  a.loc = pod.loc;
  const bool cluster = policy.starts_with("cluster-");
  if (cluster) a.networks = networks_of(c.cluster_networks);
  a.cluster_networks = cluster;
  if (policy.ends_with("-authenticated") || authenticated_only) {
    a.authn = LinkerdAuthz::Authn::TlsAuthenticated;
    a.any_identity = true;
    a.identities.push_back(identity_term({make_atom(Attribute::PeerTrustDomain, Op::Present)}, "*", Loc{}));
  }
  return {a};
}

const model::LinkerdMeshTLSAuthentication* find_meshtls(const model::LinkerdPolicySet& ps, const std::string& ns,
                                                        const std::string& name) {
  for (const auto& m : ps.meshtls_authentications)
    if (m.meta.ns == ns && m.meta.name == name) return &m;
  return nullptr;
}

const model::LinkerdNetworkAuthentication* find_network(const model::LinkerdPolicySet& ps, const std::string& ns,
                                                        const std::string& name) {
  for (const auto& n : ps.network_authentications)
    if (n.meta.ns == ns && n.meta.name == name) return &n;
  return nullptr;
}

bool ref_is(const model::LinkerdRef& r, const char* kind) { return ascii_lower(r.kind) == ascii_lower(kind); }

void add_meshtls(LinkerdAuthz& a, const model::LinkerdMeshTLSAuthentication& m, const LinkerdCluster& c) {
  for (const Str& id : m.identities) add_identity(a, id, c);
  for (const model::LinkerdRef& r : m.identity_refs) {
    if (ref_is(r, "Namespace"))
      a.identities.push_back(peer_exact(c.trust_domain, r.name, "", "*." + r.name + "." + identity_tail(c), r.loc));
    else
      a.identities.push_back(peer_exact(c.trust_domain, r.ns.empty() ? m.meta.ns : r.ns, r.name,
                                        linkerd_identity(r.name, r.ns.empty() ? m.meta.ns : r.ns, c), r.loc));
  }
}

// index.rs 2042-2139: every ref must resolve, else the policy is ignored (fail-closed, L15).
std::optional<LinkerdAuthz> resolve_policy(const model::LinkerdAuthorizationPolicy& p,
                                           const model::LinkerdPolicySet& ps, const LinkerdCluster& c,
                                           std::vector<std::string>& notes) {
  LinkerdAuthz a;
  a.kind = "AuthorizationPolicy";
  a.ns = p.meta.ns;
  a.name = p.meta.name;
  a.loc = p.loc;
  a.object = &p;
  for (const model::LinkerdRef& r : p.authentications) {
    const std::string ns = r.ns.empty() ? p.meta.ns : r.ns;
    if (ref_is(r, "ServiceAccount")) {
      a.authn = LinkerdAuthz::Authn::TlsAuthenticated;
      a.identities.push_back(peer_exact(c.trust_domain, ns, r.name, linkerd_identity(r.name, ns, c), r.loc));
    } else if (ref_is(r, "MeshTLSAuthentication")) {
      const auto* m = find_meshtls(ps, ns, r.name);
      if (!m) {
        notes.push_back("AuthorizationPolicy " + p.meta.ns + "/" + p.meta.name + " is ignored: MeshTLSAuthentication " +
                        ns + "/" + r.name + " does not exist");
        return std::nullopt;
      }
      a.authn = LinkerdAuthz::Authn::TlsAuthenticated;
      add_meshtls(a, *m, c);
    } else if (ref_is(r, "NetworkAuthentication")) {
      const auto* n = find_network(ps, ns, r.name);
      if (!n) {
        notes.push_back("AuthorizationPolicy " + p.meta.ns + "/" + p.meta.name + " is ignored: NetworkAuthentication " +
                        ns + "/" + r.name + " does not exist");
        return std::nullopt;
      }
      a.networks = n->networks;
      a.networks_written = true;
    }
  }
  return a;
}

LinkerdAuthz server_authorization_authz(const model::LinkerdServerAuthorization& s, const LinkerdCluster& c) {
  LinkerdAuthz a;
  a.kind = "ServerAuthorization";
  a.ns = s.meta.ns;
  a.name = s.meta.name;
  a.loc = s.loc;
  a.object = &s;
  // grpc/src/inbound.rs to_authz: no networks = the cluster networks (L14).
  a.networks = s.networks.empty() ? networks_of(c.cluster_networks) : s.networks;
  a.networks_written = !s.networks.empty();
  a.cluster_networks = s.networks.empty();
  if (s.unauthenticated) return a;
  if (s.unauthenticated_tls) {
    a.authn = LinkerdAuthz::Authn::TlsUnauthenticated;
    a.any_identity = true;
    return a;
  }
  a.authn = LinkerdAuthz::Authn::TlsAuthenticated;
  for (const Str& id : s.identities) add_identity(a, id, c);
  for (const model::LinkerdRef& sa : s.service_accounts)
    a.identities.push_back(peer_exact(c.trust_domain, sa.ns, sa.name, linkerd_identity(sa.name, sa.ns, c), sa.loc));
  return a;
}

// The Server's own authorizations (index.rs 1817-1888): ServerAuthorizations by name or by Server labels,
// AuthorizationPolicies targeting the Server or its Namespace, then the accessPolicy's defaults.
std::vector<LinkerdAuthz> server_authzs(const model::LinkerdServer& s, const model::LinkerdPolicySet& ps,
                                        const LinkerdCluster& c, std::vector<std::string>& notes) {
  std::vector<LinkerdAuthz> out;
  for (const auto& saz : ps.server_authorizations)
    if (saz.meta.ns == s.meta.ns &&
        (saz.server_name.empty() ? saz.server_selector.matches(s.meta.labels) : saz.server_name == s.meta.name))
      out.push_back(server_authorization_authz(saz, c));
  for (const auto& p : ps.authorization_policies) {
    if (p.meta.ns != s.meta.ns) continue;
    const bool to_server = ref_is(p.target, "Server") && p.target.name == s.meta.name;
    const bool to_namespace = ref_is(p.target, "Namespace");
    if (!to_server && !to_namespace) continue;
    if (auto a = resolve_policy(p, ps, c, notes)) out.push_back(std::move(*a));
  }
  for (LinkerdAuthz& a : default_authzs(s.access_policy, c, false, LinkerdPod{})) {
    a.kind = "Server";
    a.ns = s.meta.ns;
    a.name = s.meta.name;
    a.object = &s;
    a.loc = s.access_policy_loc.known() ? s.access_policy_loc : s.loc;
    out.push_back(std::move(a));
  }
  return out;
}

Match cidr_match(const std::vector<Str>& cidrs, bool negated, const std::string& field) {
  Match m;
  m.field = field;
  m.negated = negated;
  for (const Str& s : cidrs) {
    std::optional<Cidr> c = parse_cidr(s.value);
    Term t = c ? identity_term({make_cidr_atom(Attribute::SourceIp, *c)}, s.value, s.loc) : Term::constant(false);
    t.source_value = s.value;
    t.loc = s.loc;
    m.terms.push_back(std::move(t));
  }
  return m;
}

// One rule per authorization: OR over its networks of (identity ∧ ip ∈ cidr ∧ ip ∉ except).
Rule authz_rule(const LinkerdAuthz& a, int index) {
  Rule r;
  r.policy.ns = a.ns;
  r.policy.name = a.kind == "Default" ? "default-inbound-policy:" + a.name : a.name;
  r.policy.action = model::Action::Allow;
  r.policy.loc = a.loc;
  r.index = index;
  r.loc = a.loc;
  Match identity;
  identity.field = a.authn == LinkerdAuthz::Authn::TlsUnauthenticated ? "meshTLS.unauthenticatedTLS" : "identities";
  if (a.authn == LinkerdAuthz::Authn::TlsUnauthenticated)
    identity.terms.push_back(identity_term({make_atom(Attribute::PeerTrustDomain, Op::Present)}, "", a.loc));
  else
    identity.terms = a.identities;
  auto base_clause = [&] {
    Clause cl;
    cl.kind = ClauseKind::Principal;
    cl.loc = a.loc;
    if (a.authn != LinkerdAuthz::Authn::Unauthenticated) cl.matches.push_back(identity);
    return cl;
  };
  if (a.networks.empty()) r.principals.push_back(base_clause());
  for (size_t i = 0; i < a.networks.size(); ++i) {
    Clause cl = base_clause();
    cl.entry = static_cast<int>(i);
    cl.matches.push_back(cidr_match({a.networks[i].cidr}, false, "networks"));
    if (!a.networks[i].except.empty()) cl.matches.push_back(cidr_match(a.networks[i].except, true, "networks.except"));
    r.principals.push_back(std::move(cl));
  }
  Clause any;
  any.kind = ClauseKind::Permission;
  any.loc = a.loc;
  r.permissions.push_back(std::move(any));
  return r;
}

// "8080,9000-9010" (pkg/util ParsePorts: numbers and ranges separated by commas).
std::set<uint32_t> parse_port_list(const std::string& text) {
  std::set<uint32_t> out;
  for (const std::string& item : split(text, ',')) {
    const std::string t = trim(item);
    const size_t dash = t.find('-');
    const uint32_t lo = static_cast<uint32_t>(std::strtoul(t.substr(0, dash).c_str(), nullptr, 10));
    const uint32_t hi =
        dash == std::string::npos ? lo : static_cast<uint32_t>(std::strtoul(t.substr(dash + 1).c_str(), nullptr, 10));
    for (uint32_t p = lo; p >= 1 && p <= hi && p <= 65535; ++p) out.insert(p);
  }
  return out;
}

bool server_selects(const model::LinkerdServer& s, const LinkerdPod& pod, uint32_t port) {
  if (s.meta.ns != pod.ns || !s.pod_selector.present || !s.pod_selector.matches(pod.labels)) return false;
  if (s.port_number != 0) return s.port_number == port;
  for (const model::ContainerPort& cp : pod.ports)
    if (cp.name == s.port_name && cp.port == port && cp.protocol == "TCP") return true;
  return false;
}

// index.rs 1245-1266: of several Servers on one port the oldest (creationTimestamp, then name) wins (L20).
const model::LinkerdServer* governing_server(const LinkerdPod& pod, const model::LinkerdPolicySet& ps, uint32_t port) {
  const model::LinkerdServer* best = nullptr;
  for (const auto& s : ps.servers) {
    if (port == 0 || !server_selects(s, pod, port)) continue;
    if (!best ||
        std::tie(s.meta.creation_timestamp, s.meta.name) < std::tie(best->meta.creation_timestamp, best->meta.name))
      best = &s;
  }
  return best;
}

Program port_program(const LinkerdPod& pod, uint32_t port, const std::string& port_name,
                     const std::vector<LinkerdAuthz>& authzs, const std::string& decided_by, Loc loc) {
  Program p;
  p.workload = pod.ns + "/" + pod.name;
  p.port = port;
  p.port_name = port_name;
  p.protocol = Protocol::Tcp;
  p.has_allow_policy = true;
  bool plaintext = false;
  for (size_t i = 0; i < authzs.size(); ++i) {
    plaintext = plaintext || authzs[i].authn == LinkerdAuthz::Authn::Unauthenticated;
    p.allow.push_back(authz_rule(authzs[i], static_cast<int>(i)));
  }
  // policy.rs 172-175: plaintext can pass only an Unauthenticated authorization; without one the port
  // refuses it whatever the request, which is Istio's STRICT.
  p.mtls = plaintext ? model::MtlsMode::Permissive : model::MtlsMode::Strict;
  p.mtls_decided_by = decided_by;
  p.mtls_loc = loc;
  return p;
}

// AuthorizationPolicies whose targetRef is `route` (index.rs 1851-1856, 1937-1995: they attach to the route only).
std::vector<LinkerdAuthz> route_authzs(const model::LinkerdHTTPRoute& route, const model::LinkerdPolicySet& ps,
                                       const LinkerdCluster& c, std::vector<std::string>& notes) {
  const std::string group = route.api_version.substr(0, route.api_version.rfind('/'));
  std::vector<LinkerdAuthz> out;
  for (const auto& p : ps.authorization_policies) {
    if (p.meta.ns != route.meta.ns || !ref_is(p.target, "HTTPRoute") || p.target.name != route.meta.name) continue;
    if (p.target.group != group) continue;
    if (auto a = resolve_policy(p, ps, c, notes)) out.push_back(std::move(*a));
  }
  return out;
}

// The HTTP view of a Server with HTTPRoutes (LK30-LK33): a request no route matches is refused (404, a DENY rule
// here); one whose best match is route k is allowed iff an authorization of route k or of the Server admits the
// caller (proxy server-policy/src/http.rs try_route: mk_authorizations(route's, server's)).
Program route_view(const LinkerdPod& pod, uint32_t port, const std::string& port_name, const model::LinkerdServer& s,
                   const model::LinkerdPolicySet& ps, const LinkerdCluster& c, LinkerdPortPolicy& info) {
  for (size_t k = 0; k < info.routes.size(); ++k) {
    std::vector<LinkerdAuthz> own = route_authzs(*info.routes[k], ps, c, info.notes);
    own.insert(own.end(), info.authorizations.begin(), info.authorizations.end());
    for (LinkerdAuthz& a : own) {
      a.route = info.routes[k];
      info.http_authorizations.push_back(std::move(a));
    }
    if (!info.routes[k]->query_param_matches.empty())
      info.notes.push_back("HTTPRoute " + info.routes[k]->meta.ns + "/" + info.routes[k]->meta.name +
                           " matches on queryParams, which meshproof does not model: its matches are read without them");
  }
  Program p = port_program(pod, port, port_name, info.http_authorizations,
                           "Linkerd Server " + s.meta.ns + "/" + s.meta.name, s.loc);
  p.protocol = Protocol::Http;
  p.path_normalization = PathNormalization::None;  // the proxy matches uri.path() as sent (path.rs)
  std::vector<std::vector<Clause>> permissions;
  for (size_t k = 0; k < info.routes.size(); ++k) permissions.push_back(linkerd_route_permissions(info.routes, k));
  for (size_t i = 0; i < p.allow.size(); ++i) {
    const LinkerdAuthz& a = info.http_authorizations[i];
    const size_t k = std::find(info.routes.begin(), info.routes.end(), a.route) - info.routes.begin();
    p.allow[i].permissions = permissions[k];
    p.allow[i].policy.name += " (HTTPRoute " + a.route->meta.name + ")";
  }
  p.deny.push_back(linkerd_no_route_rule(s, info.routes));
  return p;
}

// The views of a port a Server governs: TCP only without routes (the authorizations decide per connection); with
// routes, HTTP for an HTTP proxyProtocol, TCP only for opaque and TLS (routes never apply, LK34), both (sniffed)
// when the protocol is detected: traffic that is not HTTP is decided on the Server's authorizations (LK34).
PortPrograms server_port_programs(const LinkerdPod& pod, uint32_t port, const std::string& name,
                                  const model::LinkerdServer& s, const model::LinkerdPolicySet& ps,
                                  const LinkerdCluster& c, LinkerdPortPolicy& info) {
  PortPrograms pp;
  pp.port = port;
  pp.name = name;
  Program tcp = port_program(pod, port, name, info.authorizations, "Linkerd Server " + s.meta.ns + "/" + s.meta.name,
                             s.loc);
  const std::vector<const model::LinkerdHTTPRoute*> routes = linkerd_server_routes(s, ps);
  const std::string& proto = s.proxy_protocol;
  if (!routes.empty() && (proto == "opaque" || proto == "TLS")) {
    info.notes.push_back("its HTTPRoutes do not apply: proxyProtocol " + proto + " is not HTTP");
  } else if (!routes.empty()) {
    info.routes = routes;
    pp.views.push_back(route_view(pod, port, name, s, ps, c, info));
    if (proto == "HTTP/1" || proto == "HTTP/2" || proto == "gRPC") return pp;
    pp.sniffed = true;
    pp.views.front().sniffed = true;
    tcp.sniffed = true;
  }
  pp.views.push_back(std::move(tcp));
  return pp;
}

}  // namespace

LinkerdCluster linkerd_cluster(const std::string& default_policy) {
  LinkerdCluster c;
  if (model::valid_linkerd_default_policy(default_policy)) c.default_policy = default_policy;
  return c;
}

std::string LinkerdAuthorization::display() const {
  if (kind == "Default") return "default inbound policy " + name;
  if (kind == "Server") {
    const auto* s = static_cast<const model::LinkerdServer*>(object);
    return "Server " + ns + "/" + name + " accessPolicy " + (s ? s->access_policy : std::string("?"));
  }
  if (kind == "AuthorizationPolicy" && object &&
      ascii_lower(static_cast<const model::LinkerdAuthorizationPolicy*>(object)->target.kind) == "httproute")
    return kind + " " + ns + "/" + name + " on HTTPRoute " +
           static_cast<const model::LinkerdAuthorizationPolicy*>(object)->target.name;
  return kind + " " + ns + "/" + name;
}

std::string linkerd_identity(const std::string& sa, const std::string& ns, const LinkerdCluster& cluster) {
  return sa + "." + ns + "." + identity_tail(cluster);
}

bool parse_linkerd_identity(const std::string& id, const LinkerdCluster& cluster, std::string& td, std::string& ns,
                            std::string& sa) {
  const std::string mid = ".serviceaccount.identity." + cluster.control_plane_ns + ".";
  const size_t at = id.find(mid);
  if (at == std::string::npos) return false;
  const std::string head = id.substr(0, at);
  const size_t dot = head.find('.');
  if (dot == std::string::npos || head.find('.', dot + 1) != std::string::npos || dot == 0 || dot + 1 == head.size())
    return false;
  sa = head.substr(0, dot);
  ns = head.substr(dot + 1);
  td = id.substr(at + mid.size());
  return !td.empty() && sa.find('*') == std::string::npos;
}

LinkerdLowered lower_linkerd_pod(const LinkerdPod& pod, const model::LinkerdPolicySet& policies,
                                 const LinkerdCluster& cluster) {
  LinkerdLowered out;
  out.programs.workload = pod.ns + "/" + pod.name;
  std::set<uint32_t> skipped = parse_port_list(pod.skip_inbound_ports);
  for (uint32_t p : parse_port_list(cluster.ignore_inbound_ports)) skipped.insert(p);
  const std::set<uint32_t> require_identity = parse_port_list(pod.require_identity_ports);
  std::map<uint32_t, std::string> ports;  // declared ports, numeric Server ports selecting the pod, skip ports
  for (const model::ContainerPort& cp : pod.ports)
    if (cp.protocol == "TCP") ports.emplace(cp.port, cp.name);
  for (const auto& s : policies.servers)
    if (s.port_number != 0 && s.meta.ns == pod.ns && s.pod_selector.present && s.pod_selector.matches(pod.labels))
      ports.emplace(s.port_number, "");
  for (uint32_t p : parse_port_list(pod.skip_inbound_ports)) ports.emplace(p, "");
  ports.emplace(0, "");  // every other port: the default policy
  // workload.rs 164-167: an invalid annotation is ignored and the cluster default applies.
  const std::string fallback = model::valid_linkerd_default_policy(pod.default_inbound_policy)
                                   ? pod.default_inbound_policy
                                   : cluster.default_policy;
  for (const auto& [port, name] : ports) {
    if (port == 0) continue;
    LinkerdPortPolicy info;
    info.port = port;
    Program prog;
    if (!skipped.count(port)) {
      if (const model::LinkerdServer* s = governing_server(pod, policies, port)) {
        info.server = s;
        info.authorizations = server_authzs(*s, policies, cluster, info.notes);
        out.programs.ports.push_back(server_port_programs(pod, port, name, *s, policies, cluster, info));
        out.ports.push_back(std::move(info));
        continue;
      }
    }
    if (skipped.count(port)) {
      info.skipped = true;
      // No proxy: the program the compiler is given for an unenforced port is the open one (no ALLOW
      // policy, PERMISSIVE), as engine/decision_diff.cpp builds it, so both evaluators answer ALLOW.
      prog = port_program(pod, port, name, {}, "config.linkerd.io/skip-inbound-ports", pod.loc);
      prog.enforced = false;
      prog.has_allow_policy = false;
      prog.mtls = model::MtlsMode::Permissive;
    } else {
      info.default_policy = fallback;
      const bool require = require_identity.count(port) > 0;
      info.authorizations = default_authzs(fallback, cluster, require, pod);
      prog = port_program(pod, port, name, info.authorizations, "Linkerd default inbound policy " + fallback, pod.loc);
    }
    PortPrograms pp;
    pp.port = port;
    pp.name = name;
    pp.views.push_back(std::move(prog));
    out.programs.ports.push_back(std::move(pp));
    out.ports.push_back(std::move(info));
  }
  LinkerdPortPolicy rest;
  rest.default_policy = fallback;
  rest.authorizations = default_authzs(fallback, cluster, false, pod);
  PortPrograms pp;
  pp.views.push_back(
      port_program(pod, 0, "", rest.authorizations, "Linkerd default inbound policy " + fallback, pod.loc));
  out.programs.ports.push_back(std::move(pp));
  out.ports.push_back(std::move(rest));
  return out;
}

}  // namespace meshproof::ir
