// The client TLS of every hop inside the mesh (docs/semantics.md#client-tls): the effective tls of the
// DestinationRule a client uses for a Service port and subset (T1, T2), what the client therefore sends
// (T3, T7), and what the server's data plane and PeerAuthentication make of it (T5, T6).
#include <algorithm>
#include <map>
#include <set>
#include <tuple>

#include "mesh/client_tls.h"
#include "mesh/virtual_service_delegates.h"
#include "model/virtual_service_routes.h"

namespace meshproof::mesh {

const char* to_string(HopTransport t) {
  switch (t) {
    case HopTransport::Mtls:
      return "mtls";
    case HopTransport::Hbone:
      return "hbone";
    case HopTransport::Tls:
      return "tls";
    case HopTransport::Plaintext:
      return "plaintext";
    case HopTransport::Broken:
      return "broken";
  }
  return "?";
}

namespace {

// A port-level entry for `port` replaces the whole policy of that port, tls included (T2).
void apply_port_level(const std::vector<model::TrafficPolicy>& entries, uint32_t port, const std::string& prefix,
                      DrChoice& c) {
  for (size_t i = 0; i < entries.size(); ++i) {
    if (!entries[i].port_present || entries[i].port != port) continue;
    const model::TrafficPolicy& e = entries[i];
    c.tls = e.tls.present ? &e.tls : nullptr;
    c.level = prefix + "portLevelSettings[" + std::to_string(i) + "]";
    c.loc = e.tls.present ? e.tls.loc : e.loc;
    return;
  }
}

// The effective tls for a service port and subset (T1, T2; subsets: MergeTrafficPolicy).
void resolve_tls(DrChoice& c, uint32_t port, const std::string& subset) {
  const model::DestinationRule& d = *c.rule;
  if (d.traffic_policy.tls.present) {
    c.tls = &d.traffic_policy.tls;
    c.level = "trafficPolicy";
    c.loc = d.traffic_policy.tls.loc;
  }
  apply_port_level(d.port_level, port, "trafficPolicy.", c);
  if (subset.empty()) return;
  for (size_t i = 0; i < d.subsets.size(); ++i) {
    const model::DestinationRuleSubset& s = d.subsets[i];
    if (s.name != subset) continue;
    const std::string prefix = "subsets[" + std::to_string(i) + "].trafficPolicy";
    if (s.traffic_policy.tls.present) {
      c.tls = &s.traffic_policy.tls;
      c.level = prefix;
      c.loc = s.traffic_policy.tls.loc;
    }
    apply_port_level(s.port_level, port, prefix + ".", c);
    return;  // a duplicate subset name keeps the first
  }
}

std::string mode_of(const model::TlsSettings& t) { return t.mode.empty() ? "DISABLE" : t.mode; }

}  // namespace

const model::TlsSettings* effective_tls(const model::DestinationRule& d, uint32_t port, const std::string& subset) {
  DrChoice c;
  c.rule = &d;
  resolve_tls(c, port, subset);
  return c.tls;
}

namespace {

// PeerAuthentication of the Service's namespace, else the mesh's: what auto mTLS infers (T6.3).
const model::PeerAuthentication* service_level_disable(const Workload& server) {
  for (const model::PeerAuthentication* pa : {server.pa_namespace, server.pa_mesh}) {
    if (!pa || !pa->mtls_present || pa->mode == model::MtlsMode::Unset) continue;
    return pa->mode == model::MtlsMode::Disable ? pa : nullptr;
  }
  return nullptr;
}

void plaintext(Hop& h, HopCause cause, const model::PeerAuthentication* pa, std::string reason) {
  h.transport = HopTransport::Plaintext;
  h.cause = cause;
  h.peer_authentication = pa;
  h.reason = std::move(reason);
}

// What a plaintext sender meets: a STRICT port rejects it (T5), anything else accepts it.
void plaintext_meets(Hop& h, const MtlsDecision& m) {
  if (m.mode != model::MtlsMode::Strict) return;
  h.transport = HopTransport::Broken;
  if (!h.peer_authentication || h.cause == HopCause::ServicePaDisable) h.peer_authentication = m.decided_by;
  h.reason += ", and the server's STRICT mode rejects plaintext";
}

// No DestinationRule tls: auto mTLS (T3).
void auto_mtls(const Mesh& mesh, const Workload& server, const MtlsDecision& m, Hop& h) {
  h.client_mode = "ISTIO_MUTUAL (auto)";
  if (!mesh.config.enable_auto_mtls) {
    h.client_mode = "none (auto mTLS off)";
    plaintext(h, HopCause::AutoMtlsDisabled, nullptr,
              "meshConfig.enableAutoMtls is false and no DestinationRule sets tls");
    return plaintext_meets(h, m);
  }
  if (const model::PeerAuthentication* pa = service_level_disable(server)) {
    h.client_mode = "none (auto mTLS inferred DISABLE)";
    plaintext(h, HopCause::ServicePaDisable, pa,
              "the PeerAuthentication of the Service's namespace (or mesh) is DISABLE, so auto mTLS sends plaintext to "
              "every endpoint of the Service");
    return plaintext_meets(h, m);
  }
  if (m.mode == model::MtlsMode::Disable) {
    plaintext(h, HopCause::ServerPaDisable, m.decided_by,
              "the endpoint's PeerAuthentication is DISABLE for this port, so auto mTLS sends plaintext");
    return;
  }
  h.transport = HopTransport::Mtls;
  h.cause = HopCause::AutoMtls;
}

// A DestinationRule tls (T1, T5, T7).
void explicit_tls(const Workload& server, const WorkloadPort* port, const MtlsDecision& m, Hop& h) {
  const model::TlsSettings& t = *h.dr.tls;
  const std::string mode = mode_of(t);
  const bool sidecar_client = h.gateway == nullptr;
  h.client_mode = t.mode.empty() ? "DISABLE (mode omitted)" : mode;
  h.cause = HopCause::DestinationRule;
  if ((mode == "SIMPLE" || mode == "MUTUAL") && !t.credential_name.empty() && !h.dr.rule->has_workload_selector &&
      sidecar_client) {
    h.client_mode = mode + " with credentialName, no workloadSelector";
    plaintext(h, HopCause::CredentialNoSelector, nullptr,
              "a sidecar builds no TLS context for credentialName without workloadSelector, and the rule's tls still "
              "turns auto mTLS off");
    return plaintext_meets(h, m);
  }
  if (mode == "DISABLE") {
    plaintext(h, HopCause::DestinationRule, nullptr, "the DestinationRule's tls mode is " + h.client_mode);
    return plaintext_meets(h, m);
  }
  if (mode == "ISTIO_MUTUAL") {
    if (!server.has_proxy()) {
      h.transport = HopTransport::Broken;
      h.reason =
          "the DestinationRule's tls mode is ISTIO_MUTUAL and the endpoint has no proxy, so the application receives "
          "an Istio mTLS handshake it cannot answer";
    } else if (m.mode == model::MtlsMode::Disable) {
      h.transport = HopTransport::Broken;
      h.peer_authentication = m.decided_by;
      h.reason =
          "the DestinationRule's tls mode is ISTIO_MUTUAL and the endpoint's PeerAuthentication is DISABLE, so its "
          "sidecar accepts only plaintext";
    } else {
      h.transport = HopTransport::Mtls;
    }
    return;
  }
  // SIMPLE or MUTUAL: the client's own TLS, not an Istio certificate.
  h.transport = HopTransport::Tls;
  if (!server.has_proxy() || m.mode == model::MtlsMode::Disable) return;  // passed through to the application
  if (m.mode == model::MtlsMode::Strict) {
    h.transport = HopTransport::Broken;
    h.peer_authentication = m.decided_by;
    h.reason = "the DestinationRule's tls mode is " + mode +
               " and the server's STRICT mode requires an Istio client certificate, which that TLS does not present";
  } else if (port && port->protocol == PortProtocol::Http) {
    h.transport = HopTransport::Broken;
    h.peer_authentication = m.decided_by;
    h.reason = "the DestinationRule's tls mode is " + mode +
               ", and a PERMISSIVE HTTP port has no filter chain for TLS without Istio's ALPN";
  }
}

void decide(const Mesh& mesh, Hop& h) {
  const Workload& server = mesh.workloads[h.server];
  const WorkloadPort* port = server.find_port(h.target_port);
  const MtlsDecision& m = server.mtls_for(h.target_port);
  if (server.data_plane == DataPlane::Ambient) {
    h.transport = HopTransport::Hbone;
    h.cause = HopCause::ServerAmbient;
    h.client_mode = h.dr.tls ? mode_of(*h.dr.tls) + " (replaced by HBONE)" : "HBONE";
    return;
  }
  if (!h.dr.tls) {
    if (!server.has_proxy()) {
      h.client_mode = "ISTIO_MUTUAL (auto)";
      return plaintext(h, HopCause::ServerNoProxy, nullptr,
                       "the endpoint has no proxy (" + server.injection_reason + "), so auto mTLS sends plaintext");
    }
    return auto_mtls(mesh, server, m, h);
  }
  explicit_tls(server, port, m, h);
  if (h.transport == HopTransport::Plaintext && !server.has_proxy()) {
    h.cause = HopCause::ServerNoProxy;
    h.reason = "the endpoint has no proxy (" + server.injection_reason + ")";
  }
}

// A Service's endpoints on one service port: declared workloads of its namespace that its selector selects,
// with the target port (a number, or a container port's name).
std::vector<std::pair<size_t, uint32_t>> endpoints(const Mesh& mesh, const std::vector<size_t>& in_namespace,
                                                   const model::Service& s, const model::ServicePort& sp) {
  std::vector<std::pair<size_t, uint32_t>> out;
  if (!s.has_selector || s.selector.empty()) return out;
  for (size_t i : in_namespace) {
    const Workload& w = mesh.workloads[i];
    if (w.origin != WorkloadOrigin::Declared || !labels_subset(s.selector, w.labels)) continue;
    if (w.data_plane == DataPlane::Gateway) continue;  // a gateway's listeners take their TLS from its Gateway
    uint32_t target = sp.target_port_number ? sp.target_port_number : sp.port;
    if (!sp.target_port_name.empty()) {
      target = 0;
      for (const model::ContainerPort& cp : w.decl->ports)
        if (cp.name == sp.target_port_name) target = cp.port;
      if (target == 0) continue;
    }
    out.emplace_back(i, target);
  }
  return out;
}

bool tcp(const model::ServicePort& sp) { return sp.protocol.empty() || sp.protocol == "TCP"; }

std::string fqdn(const model::Service& s) { return s.meta.name + "." + effective_namespace(s) + ".svc.cluster.local"; }

// Declared workloads with a sidecar, per namespace and set of workloadSelector rules that select them.
struct ClientGroup {
  std::string ns;
  std::vector<size_t> members;
};

std::vector<ClientGroup> sidecar_clients(const Mesh& mesh) {
  std::map<std::pair<std::string, std::vector<const model::DestinationRule*>>, ClientGroup> groups;
  for (size_t i = 0; i < mesh.workloads.size(); ++i) {
    const Workload& w = mesh.workloads[i];
    if (w.origin != WorkloadOrigin::Declared || w.data_plane != DataPlane::Sidecar) continue;
    std::vector<const model::DestinationRule*> selecting;
    for (const model::DestinationRule& d : mesh.resources->destination_rules)
      if (d.has_workload_selector && effective_namespace(d) == w.ns && labels_subset(d.workload_selector, w.labels))
        selecting.push_back(&d);
    ClientGroup& g = groups[{w.ns, selecting}];
    g.ns = w.ns;
    g.members.push_back(i);
  }
  std::vector<ClientGroup> out;
  for (auto& [key, g] : groups) out.push_back(std::move(g));
  std::sort(out.begin(), out.end(), [](const ClientGroup& a, const ClientGroup& b) { return a.members < b.members; });
  return out;
}

// Clients that use the same rule for a Service (found in the same lookup step) send the same thing.
struct Partition {
  DrChoice choice;
  std::vector<size_t> groups;                          // indexes into the client groups (kAlikeGroups: see there)
  std::shared_ptr<const std::vector<size_t>> members;  // their workloads, ascending
};

// One shared member list per distinct set of client groups: without DestinationRules every Service has the
// same single partition, and a copy per Service would cost clients × Services.
using MemberCache = std::map<std::vector<size_t>, std::shared_ptr<const std::vector<size_t>>>;

void add_hops(const Mesh& mesh, const Partition& p, const GatewayInfo* gateway, const model::Service& s,
              const model::ServicePort& sp, const std::string& subset,
              const std::vector<std::pair<size_t, uint32_t>>& eps, std::vector<Hop>& out) {
  Hop proto;
  proto.client = p.members->front();
  proto.client_ns = mesh.workloads[proto.client].ns;
  proto.clients = p.members;
  proto.gateway = gateway;
  proto.service = &s;
  proto.host = fqdn(s);
  proto.service_port = sp.port;
  proto.subset = subset;
  proto.dr = p.choice;
  if (proto.dr.rule) resolve_tls(proto.dr, sp.port, subset);
  for (auto [server, target] : eps) {
    Hop h = proto;
    h.server = server;
    h.target_port = target;
    decide(mesh, h);
    out.push_back(std::move(h));
  }
}

// Namespaces whose clients may choose a DestinationRule differently from the rest: those that hold rules (local
// and selector rules), the root namespace, and those a rule's exportTo names. A client of any other namespace
// has no rule of its own and sees exactly the exported rules every such namespace sees
// (choose_destination_rule), so all of them choose the same rule for a host: one lookup per Service serves
// them all, where one per client namespace cost Services × namespaces.
std::set<std::string> rule_sensitive_namespaces(const Mesh& mesh) {
  std::set<std::string> out{mesh.root_namespace()};
  for (const model::DestinationRule& d : mesh.resources->destination_rules) {
    out.insert(effective_namespace(d));
    out.insert(d.export_to.begin(), d.export_to.end());
  }
  return out;
}

// The sidecar client groups, split into those of rule-sensitive namespaces (each looks its rule up) and the rest
// (one lookup for all). Indexes ascending.
struct ClientGroups {
  std::vector<ClientGroup> groups;
  std::vector<size_t> sensitive, alike;
};

ClientGroups client_groups(const Mesh& mesh) {
  ClientGroups out{sidecar_clients(mesh), {}, {}};
  const std::set<std::string> sensitive = rule_sensitive_namespaces(mesh);
  for (size_t i = 0; i < out.groups.size(); ++i)
    (sensitive.count(out.groups[i].ns) ? out.sensitive : out.alike).push_back(i);
  return out;
}

// In a partition's key: all of ClientGroups::alike.
constexpr size_t kAlikeGroups = static_cast<size_t>(-1);

std::shared_ptr<const std::vector<size_t>> members_of(const ClientGroups& clients, const std::vector<size_t>& key,
                                                      MemberCache& cache) {
  std::shared_ptr<const std::vector<size_t>>& members = cache[key];
  if (!members) {
    auto all = std::make_shared<std::vector<size_t>>();
    auto add = [&](size_t i) {
      all->insert(all->end(), clients.groups[i].members.begin(), clients.groups[i].members.end());
    };
    for (size_t i : key) {
      if (i != kAlikeGroups)
        add(i);
      else
        for (size_t j : clients.alike) add(j);
    }
    std::sort(all->begin(), all->end());
    members = std::move(all);
  }
  return members;
}

// Sidecar clients of one Service: partitioned by the rule they use, then one hop per port and endpoint. The
// partitions are in the order of their first group; the first of the alike groups stands for all of them.
void service_hops(const Mesh& mesh, const ClientGroups& clients,
                  const std::map<std::string, std::vector<size_t>>& by_namespace, const model::Service& s,
                  MemberCache& cache, std::vector<Hop>& out) {
  auto ns = by_namespace.find(effective_namespace(s));
  if (ns == by_namespace.end()) return;
  std::vector<size_t> deciders = clients.sensitive;
  if (!clients.alike.empty())
    deciders.insert(std::upper_bound(deciders.begin(), deciders.end(), clients.alike.front()), clients.alike.front());
  std::vector<Partition> partitions;
  const std::string host = fqdn(s);
  for (size_t i : deciders) {
    const ClientGroup& g = clients.groups[i];
    DrChoice c = choose_destination_rule(mesh, g.ns, mesh.workloads[g.members.front()].labels, host);
    auto same = [&](const Partition& p) { return p.choice.rule == c.rule && p.choice.scope == c.scope; };
    auto it = std::find_if(partitions.begin(), partitions.end(), same);
    if (it == partitions.end()) it = partitions.insert(partitions.end(), Partition{std::move(c), {}, nullptr});
    it->groups.push_back(!clients.alike.empty() && i == clients.alike.front() ? kAlikeGroups : i);
  }
  for (Partition& p : partitions) p.members = members_of(clients, p.groups, cache);
  for (const model::ServicePort& sp : s.ports) {
    if (!tcp(sp)) continue;
    const auto eps = endpoints(mesh, ns->second, s, sp);
    if (eps.empty()) continue;
    for (const Partition& p : partitions) add_hops(mesh, p, nullptr, s, sp, "", eps, out);
  }
}

// A destination of a bound VirtualService's routes of one kind, delegates' included: its host, the namespace
// the host resolves in (the delegate's for a delegate's route), port and subset.
struct RouteTarget {
  std::string host, ns, subset;
  uint32_t port = 0;
};

std::vector<RouteTarget> route_targets(const Mesh& mesh, const model::VirtualService& vs, const std::string& kind) {
  std::vector<RouteTarget> out;
  const std::string vs_ns = effective_namespace(vs);
  for (const model::RouteDestination& d : vs.destinations)
    if (d.kind == kind) out.push_back({d.host.value, destination_namespace(d.host.value, vs_ns), d.subset, d.port});
  if (kind != "http" || !mesh.resources) return out;
  const MergedRoutes merged = merge_delegates(vs, *mesh.resources);
  if (!merged.delegates) return out;
  for (const model::VsHttpRoute& h : merged.routes->http) {
    if (h.delegated_from.empty()) continue;
    const std::string delegate_ns = h.delegated_from.substr(0, h.delegated_from.find('/'));
    for (const model::VsDestination& d : h.route)
      if (d.host_read)
        out.push_back({d.host.value, destination_namespace(d.host.value, delegate_ns), d.subset, d.port});
  }
  return out;
}

// Gateway → backend: the Services its bound routes name, on the route's port (or every port), with its subset.
void gateway_hops(const Mesh& mesh, const GatewayInfo& gi,
                  const std::map<std::string, std::vector<size_t>>& by_namespace, std::vector<Hop>& out) {
  std::set<std::tuple<std::string, const model::Service*, uint32_t, std::string>> seen;
  for (size_t pod : gi.pods) {
    const Workload& w = mesh.workloads[pod];
    for (const GatewayListener& l : gi.listeners) {
      for (const GatewayRoute& r : l.routes) {
        for (const GatewayBackend& b : r.backends) {
          auto ns = by_namespace.find(b.ns);
          if (!b.service || ns == by_namespace.end()) continue;
          for (const RouteTarget& d : route_targets(mesh, *r.vs, l.route_kind)) {
            if (d.host != b.host || d.ns != b.ns) continue;
            for (const model::ServicePort& sp : b.service->ports) {
              if (!tcp(sp) || (d.port && d.port != sp.port)) continue;
              if (!seen.insert({w.ns, b.service, sp.port, d.subset}).second) continue;
              Partition p{choose_destination_rule(mesh, w.ns, w.labels, fqdn(*b.service)),
                          {},
                          std::make_shared<const std::vector<size_t>>(1, pod)};
              add_hops(mesh, p, &gi, *b.service, sp, d.subset, endpoints(mesh, ns->second, *b.service, sp), out);
            }
          }
        }
      }
    }
  }
}

}  // namespace

std::vector<Hop> proxy_hops_to_service(const Mesh& mesh, const std::string& client_ns,
                                       const model::Labels& client_labels, const std::vector<size_t>& client_pods,
                                       const model::Service& s, uint32_t service_port) {
  std::vector<size_t> in_namespace;
  for (size_t i = 0; i < mesh.workloads.size(); ++i)
    if (mesh.workloads[i].ns == effective_namespace(s)) in_namespace.push_back(i);
  Hop proto;
  proto.client_ns = client_ns;
  proto.client = client_pods.empty() ? mesh.workloads.size() : client_pods.front();
  proto.clients = std::make_shared<const std::vector<size_t>>(client_pods);
  proto.service = &s;
  proto.host = fqdn(s);
  proto.dr = choose_destination_rule(mesh, client_ns, client_labels, proto.host);
  std::vector<Hop> out;
  for (const model::ServicePort& sp : s.ports) {
    if (!tcp(sp) || (service_port && sp.port != service_port)) continue;
    Hop port_proto = proto;
    port_proto.service_port = sp.port;
    if (port_proto.dr.rule) resolve_tls(port_proto.dr, sp.port, "");
    for (auto [server, target] : endpoints(mesh, in_namespace, s, sp)) {
      Hop h = port_proto;
      h.server = server;
      h.target_port = target;
      decide(mesh, h);
      out.push_back(std::move(h));
    }
  }
  return out;
}

std::vector<Hop> client_tls_hops(const Mesh& mesh) {
  std::map<std::string, std::vector<size_t>> by_namespace;
  for (size_t i = 0; i < mesh.workloads.size(); ++i) by_namespace[mesh.workloads[i].ns].push_back(i);
  std::vector<Hop> out;
  const ClientGroups clients = client_groups(mesh);
  MemberCache cache;
  if (!clients.groups.empty())
    for (const model::Service& s : mesh.resources->services) service_hops(mesh, clients, by_namespace, s, cache, out);
  for (const GatewayInfo& gi : mesh.gateways) gateway_hops(mesh, gi, by_namespace, out);
  return out;
}

}  // namespace meshproof::mesh
