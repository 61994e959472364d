// Istio Gateways as listeners (docs/semantics.md#gateways, gateway.md G1-G8): the gateway pods each
// Gateway selects, each server's effective TLS mode, the VirtualServices bound to it for which hosts, and
// the Services and workloads their routes reach.
#include <algorithm>
#include <map>

#include "base/text.h"
#include "mesh/resolve_internal.h"
#include "mesh/virtual_service_delegates.h"
#include "model/virtual_service_routes.h"

namespace meshproof::mesh {

bool hosts_overlap(const std::string& a, const std::string& b) {
  if (a == "*" || b == "*") return true;
  const bool wa = a.rfind("*.", 0) == 0, wb = b.rfind("*.", 0) == 0;
  auto ends_with = [](const std::string& s, const std::string& suffix) {
    return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
  };
  if (wa && wb) return ends_with(a.substr(1), b.substr(1)) || ends_with(b.substr(1), a.substr(1));
  if (wa) return ends_with(b, a.substr(1));
  if (wb) return ends_with(a, b.substr(1));
  return ascii_lower(a) == ascii_lower(b);
}

}  // namespace meshproof::mesh

namespace meshproof::mesh::detail {

namespace {

bool is_http(const std::string& p) {
  return p == "http" || p == "http2" || p == "http_proxy" || p == "grpc" || p == "grpc-web";
}

// G1-G3 and IsHTTPServer (pkg/config/gateway/gateway.go): the effective mode and which routes apply.
GatewayListener make_listener(const model::GatewayServer& srv, size_t index) {
  GatewayListener l;
  l.server = &srv;
  l.index = index;
  l.protocol = ascii_lower(srv.protocol);
  if (srv.tls.present) {
    l.mode_omitted = srv.tls.mode.value.empty();
    l.tls_mode = l.mode_omitted ? "PASSTHROUGH" : srv.tls.mode.value;
  }
  const bool tls_protocol = l.protocol == "https" || l.protocol == "tls";
  const bool passthrough = l.tls_mode == "PASSTHROUGH" || l.tls_mode == "AUTO_PASSTHROUGH";
  l.terminates_tls = tls_protocol && srv.tls.present && !passthrough;
  if (is_http(l.protocol) || (l.protocol == "https" && l.terminates_tls))
    l.route_kind = "http";
  else if (tls_protocol && !l.terminates_tls)
    l.route_kind = "tls";
  else
    l.route_kind = "tcp";
  return l;
}

// VirtualService.gateways entries (pilot/pkg/model/config.go resolveGatewayName): "ns/name", a short name
// in the VirtualService's namespace, or the legacy FQDN name.ns.svc.<domain>.
bool names_gateway(const model::VirtualService& vs, const model::Gateway& g) {
  const std::string gw_ns = effective_namespace(g), vs_ns = effective_namespace(vs);
  for (const std::string& ref : vs.gateways) {
    if (ref == "mesh") continue;
    std::string ns = vs_ns, name = ref;
    if (size_t slash = ref.find('/'); slash != std::string::npos) {
      ns = ref.substr(0, slash) == "." ? vs_ns : ref.substr(0, slash);
      name = ref.substr(slash + 1);
    } else if (size_t dot = ref.find('.'); dot != std::string::npos) {
      std::vector<std::string> parts = split(ref, '.');
      name = parts[0];
      ns = parts[1];
    }
    if (ns == gw_ns && name == g.meta.name) return true;
  }
  return false;
}

// exportTo of a VirtualService (default "*") seen from a gateway pod's namespace.
bool exported_to(const model::VirtualService& vs, const std::vector<std::string>& namespaces) {
  if (vs.export_to.empty() || namespaces.empty()) return true;  // no pod in the input: cannot tell
  for (const std::string& e : vs.export_to) {
    if (e == "*") return true;
    for (const std::string& ns : namespaces)
      if (e == ns || (e == "." && ns == effective_namespace(vs))) return true;
  }
  return false;
}

// G6: a server host "ns/host" admits VirtualServices of that namespace ("." = the Gateway's, "*" or no
// prefix = any); returns the route domain (the narrower name) or "" when the hosts do not attach.
std::string attached_host(const std::string& server_host, const model::Gateway& g, const model::VirtualService& vs,
                          const std::string& vs_host) {
  std::string ns = "*", host = server_host;
  if (size_t slash = server_host.find('/'); slash != std::string::npos) {
    ns = server_host.substr(0, slash);
    host = server_host.substr(slash + 1);
  }
  if (ns == ".") ns = effective_namespace(g);
  if (ns != "*" && ns != effective_namespace(vs)) return "";
  if (!hosts_overlap(host, vs_host)) return "";
  if (host == "*") return vs_host;
  if (vs_host == "*") return host;
  const bool host_wild = host.rfind("*.", 0) == 0, vs_wild = vs_host.rfind("*.", 0) == 0;
  if (host_wild != vs_wild) return host_wild ? vs_host : host;
  return host.size() >= vs_host.size() ? host : vs_host;
}

// What resolving the gateways looks up, indexed once: a scan of every Service and workload per route
// destination, and of every workload per Gateway, was quadratic in the tree's size.
struct GatewayLookups {
  std::map<std::pair<std::string, std::string>, const model::Service*> services;  // (namespace, name): the last
  std::map<std::string, std::vector<size_t>> declared;  // namespace → its declared workloads, in mesh order
  std::vector<size_t> gateway_pods;                     // Istio gateway pods, in mesh order

  GatewayLookups(const model::ResourceSet& rs, const Mesh& mesh) {
    for (const model::Service& s : rs.services) services[{effective_namespace(s), s.meta.name}] = &s;
    for (size_t i = 0; i < mesh.workloads.size(); ++i) {
      const Workload& w = mesh.workloads[i];
      if (w.origin == WorkloadOrigin::Declared) declared[w.ns].push_back(i);
      if (is_istio_gateway_pod(w)) gateway_pods.push_back(i);
    }
  }
};

// destination.host → Service: a short name is in the VirtualService's namespace; "name.ns" and
// "name.ns.svc[.domain]" name namespace ns; anything else is outside the cluster's Services.
GatewayBackend resolve_backend(const std::string& host, const model::VirtualService& vs, const GatewayLookups& lookups,
                               const Mesh& mesh) {
  GatewayBackend b;
  b.host = host;
  const std::string name = split(host, '.')[0];
  b.ns = destination_namespace(host, effective_namespace(vs));
  if (b.ns.empty()) return b;
  if (auto it = lookups.services.find({b.ns, name}); it != lookups.services.end()) b.service = it->second;
  if (!b.service || !b.service->has_selector || b.service->selector.empty()) return b;
  auto declared = lookups.declared.find(b.ns);
  if (declared == lookups.declared.end()) return b;
  for (size_t i : declared->second)
    if (labels_subset(b.service->selector, mesh.workloads[i].labels)) b.workloads.push_back(i);
  return b;
}

// The destinations of the routes a delegate contributed (Istio merges them into the root's table,
// mesh/virtual_service_delegates.h), each short name resolved in the delegate's namespace
// (ResolveVirtualServiceShortnames).
void add_delegate_backends(const model::VirtualService& root, const model::ResourceSet& rs,
                           const GatewayLookups& lookups, const Mesh& mesh, GatewayRoute& route) {
  const MergedRoutes merged = merge_delegates(root, rs);
  if (!merged.delegates) return;
  for (const model::VsHttpRoute& h : merged.routes->http) {
    if (h.delegated_from.empty()) continue;
    const model::VirtualService* d = find_delegate(root, root.routes->http[h.root_route], rs);
    if (!d) continue;
    for (const model::VsDestination& dest : h.route)
      if (dest.host_read) route.backends.push_back(resolve_backend(dest.host.value, *d, lookups, mesh));
  }
}

void bind_routes(const model::ResourceSet& rs, const GatewayLookups& lookups, const Mesh& mesh, GatewayInfo& info) {
  const model::Gateway& g = *info.gateway;
  for (const model::VirtualService& vs : rs.virtual_services) {
    if (!names_gateway(vs, g) || !exported_to(vs, info.pod_namespaces)) continue;
    for (GatewayListener& l : info.listeners) {
      for (const std::string& vs_host : vs.hosts) {
        std::string domain;
        for (const std::string& sh : l.server->hosts)
          if (domain.empty()) domain = attached_host(sh, g, vs, vs_host);
        if (domain.empty()) continue;
        GatewayRoute route;
        route.vs = &vs;
        route.host = domain;
        for (const model::RouteDestination& d : vs.destinations)
          if (d.kind == l.route_kind) route.backends.push_back(resolve_backend(d.host.value, vs, lookups, mesh));
        if (l.route_kind == "http") add_delegate_backends(vs, rs, lookups, mesh, route);
        l.routes.push_back(std::move(route));
      }
    }
  }
}

}  // namespace

void resolve_gateways(const model::ResourceSet& rs, Mesh& mesh) {
  mesh.gateways.clear();
  if (rs.gateways.empty()) return;
  const GatewayLookups lookups(rs, mesh);
  for (const model::Gateway& g : rs.gateways) {
    GatewayInfo info;
    info.gateway = &g;
    for (size_t i : lookups.gateway_pods) {
      if (!gateway_selects(g, mesh.workloads[i])) continue;
      info.pods.push_back(i);
      info.pod_namespaces.push_back(mesh.workloads[i].ns);
    }
    std::sort(info.pod_namespaces.begin(), info.pod_namespaces.end());
    info.pod_namespaces.erase(std::unique(info.pod_namespaces.begin(), info.pod_namespaces.end()),
                              info.pod_namespaces.end());
    for (size_t i = 0; i < g.servers.size(); ++i) info.listeners.push_back(make_listener(g.servers[i], i));
    bind_routes(rs, lookups, mesh, info);
    mesh.gateways.push_back(std::move(info));
  }
}

}  // namespace meshproof::mesh::detail
