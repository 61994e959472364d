// Egress per workload: docs/semantics.md#egress (rules E1-E5 of ../shared/docs/semantics/egress.md, read at
// istio/istio 86c9f01f: pilot/pkg/model/sidecar.go, push_context.go, networking/core/cluster_tls.go).
#include "mesh/egress.h"

#include "mesh/client_tls.h"

#include <algorithm>

#include "base/text.h"

namespace meshproof::mesh {

bool exported_to(const std::vector<std::string>& export_to, const std::string& object_ns,
                 const std::string& client_ns) {
  if (export_to.empty()) return true;  // meshConfig.defaultServiceExportTo / DestinationRuleExportTo: "*"
  for (const std::string& e : export_to) {
    if (e == "*" || e == client_ns) return true;
    if (e == "." && object_ns == client_ns) return true;
  }
  return false;
}

namespace {

// An endpoint address inside the pod: 127.0.0.0/8, ::1 or localhost (E12).
bool loopback(const std::string& address) {
  return address.rfind("127.", 0) == 0 || address == "::1" || address == "[::1]" || ascii_lower(address) == "localhost";
}

// A ServiceEntry whose endpoints are all loopback addresses (a local ext-authz or proxy container): the sidecar
// sends its traffic to 127.0.0.1 inside the pod, so nothing leaves the pod (docs/semantics.md#egress, E12).
// Endpoints are used with resolution STATIC, DNS and DNS_ROUND_ROBIN; with NONE (the default) the connection
// goes to its original destination.
bool loopback_only(const model::ServiceEntry& se) {
  if (se.endpoint_addresses.empty() || se.resolution.empty() || se.resolution == "NONE") return false;
  return std::all_of(se.endpoint_addresses.begin(), se.endpoint_addresses.end(), loopback);
}

template <class T>
std::vector<const T*> oldest_first(const std::vector<T>& items) {
  std::vector<const T*> out;
  for (const T& t : items) out.push_back(&t);
  std::stable_sort(out.begin(), out.end(), [](const T* a, const T* b) { return istio_older(*a, *b); });
  return out;
}

// Istio's host matching, case-insensitive as DNS names are.
bool host_matches(const std::string& pattern, const std::string& host) {
  return istio_host_matches(ascii_lower(pattern), ascii_lower(host));
}

// Sidecar egress.hosts "ns/dnsName" (sidecar.go parseHosts): whether it imports `host` of namespace `ns`.
// "~" namespaces exclude; "." is the Sidecar's namespace; entries without exactly one '/' are skipped.
bool imports(const model::Sidecar& sc, const std::string& ns, const std::string& host) {
  if (sc.egress_hosts.empty()) return true;  // no egress listener: every exported service
  bool imported = false;
  for (const std::string& e : sc.egress_hosts) {
    std::vector<std::string> parts = split(e, '/');
    if (parts.size() != 2) continue;
    std::string part_ns = parts[0];
    const bool exclude = !part_ns.empty() && part_ns[0] == '~';
    if (exclude) part_ns = part_ns.size() == 1 ? "*" : part_ns.substr(1);
    if (part_ns == ".") part_ns = sc.meta.ns;
    if (part_ns != "*" && part_ns != ns) continue;
    if (!host_matches(parts[1], host)) continue;
    if (exclude) return false;
    imported = true;
  }
  return imported;
}

bool is_http_class(const std::string& protocol) {
  const std::string p = ascii_lower(protocol);
  return p == "http" || p == "http2" || p == "grpc" || p == "grpc-web";
}

// The tls.mode a DestinationRule sets for a port (client_tls.h effective_tls: a portLevelSettings entry
// replaces trafficPolicy.tls, T2); "" none.
std::string tls_mode_for(const model::DestinationRule& dr, uint32_t port) {
  const model::TlsSettings* tls = effective_tls(dr, port);
  if (!tls) return "";
  return tls->mode.empty() ? "DISABLE" : tls->mode;
}

// The DestinationRule a proxy in `client_ns` uses for an external host (push_context.go destinationRule):
// one in its own namespace, else one exported to it from the ServiceEntry's namespace, else from the root
// namespace; oldest first within a namespace. Read-only, for TLS origination only (E2).
const model::DestinationRule* rule_for(const Mesh& mesh, const std::string& client_ns, const std::string& se_ns,
                                       const std::string& host, const model::Labels& client_labels) {
  const auto rules = oldest_first(mesh.resources->destination_rules);
  for (const std::string& ns : {client_ns, se_ns, mesh.root_namespace()}) {
    for (const model::DestinationRule* dr : rules) {
      if (dr->meta.ns != ns || !host_matches(dr->host, host)) continue;
      if (!dr->workload_selector.empty() && (ns != client_ns || !labels_subset(dr->workload_selector, client_labels)))
        continue;
      if (ns == client_ns || exported_to(dr->export_to, ns, client_ns)) return dr;
    }
  }
  return nullptr;
}

// Namespaces of egress gateway pods (istio=egressgateway): TLS may be originated there instead (E2).
std::vector<std::string> egress_gateway_namespaces(const Mesh& mesh) {
  std::vector<std::string> out;
  for (const Workload& w : mesh.workloads) {
    auto it = w.labels.find("istio");
    if (it != w.labels.end() && it->second == "egressgateway" && std::find(out.begin(), out.end(), w.ns) == out.end())
      out.push_back(w.ns);
  }
  return out;
}

// A VirtualService for the sidecars (no `gateways`, or `mesh` among them) with `host` among its hosts and a
// route destination to the same host.
bool routed_to_itself(const Mesh& mesh, const std::string& host) {
  for (const model::VirtualService& vs : mesh.resources->virtual_services) {
    bool for_sidecars =
        vs.gateways.empty() || std::find(vs.gateways.begin(), vs.gateways.end(), "mesh") != vs.gateways.end();
    if (!for_sidecars) continue;
    bool names_host =
        std::any_of(vs.hosts.begin(), vs.hosts.end(), [&](const std::string& h) { return host_matches(h, host); });
    if (!names_host) continue;
    for (const model::RouteDestination& d : vs.destinations)
      if (host_matches(d.host.value, host)) return true;
  }
  return false;
}

}  // namespace

const model::Sidecar* sidecar_of(const Mesh& mesh, const Workload& w) {
  const auto sidecars = oldest_first(mesh.resources->sidecars);
  if (w.origin != WorkloadOrigin::OtherWorkloads)
    for (const model::Sidecar* sc : sidecars)
      if (sc->meta.ns == w.ns && sc->has_workload_selector && !sc->workload_selector.empty() &&
          labels_subset(sc->workload_selector, w.labels))
        return sc;
  for (const std::string& ns : {w.ns, mesh.root_namespace()})
    for (const model::Sidecar* sc : sidecars)
      if (sc->meta.ns == ns && (!sc->has_workload_selector || sc->workload_selector.empty())) return sc;
  return nullptr;
}

OutboundPolicy outbound_policy(const Mesh& mesh, const Workload& w) {
  OutboundPolicy p;
  p.sidecar = sidecar_of(mesh, w);
  if (p.sidecar && p.sidecar->outbound_traffic_policy_present) {
    // `outboundTrafficPolicy: {}` is the enum's zero, REGISTRY_ONLY (sidecar.go:358-365).
    p.mode = p.sidecar->outbound_traffic_policy.empty() ? "REGISTRY_ONLY" : p.sidecar->outbound_traffic_policy;
    p.source = OutboundSource::Sidecar;
    p.decided_by = p.sidecar->ref();
    p.loc = p.sidecar->outbound_traffic_policy_loc;
    return p;
  }
  if (mesh.config.from_input) {
    p.mode = mesh.config.outbound_traffic_policy;
    p.source = OutboundSource::MeshConfig;
    p.decided_by = mesh.config.source;
    p.mode_written = mesh.config.outbound_traffic_policy_loc.known();
    p.loc = p.mode_written ? mesh.config.outbound_traffic_policy_loc : mesh.config.source.loc;
  }
  return p;
}

std::vector<ExternalPort> external_ports(const Mesh& mesh, const Workload& w) {
  std::vector<ExternalPort> out;
  const model::Sidecar* sc = sidecar_of(mesh, w);
  std::vector<std::string> gateway_ns;  // computed once, when a lookup from the workload finds no rule
  bool gateway_ns_known = false;
  for (const model::ServiceEntry& se : mesh.resources->service_entries) {
    if (!se.location.empty() && se.location != "MESH_EXTERNAL") continue;
    if (loopback_only(se)) continue;  // the traffic stays inside the pod: not egress
    if (!exported_to(se.export_to, se.meta.ns, w.ns)) continue;
    for (size_t h = 0; h < se.hosts.size(); ++h) {
      if (sc && !imports(*sc, se.meta.ns, se.hosts[h])) continue;
      for (const model::ServiceEntryPort& port : se.ports) {
        ExternalPort e;
        e.entry = &se;
        e.port = &port;
        e.host = se.hosts[h];
        e.host_loc = h < se.host_locs.size() ? se.host_locs[h] : se.loc;
        e.http = is_http_class(port.protocol);
        e.tls_rule = rule_for(mesh, w.ns, se.meta.ns, e.host, w.labels);
        if (!e.tls_rule && !gateway_ns_known) {
          gateway_ns = egress_gateway_namespaces(mesh);
          gateway_ns_known = true;
        }
        for (size_t g = 0; !e.tls_rule && g < gateway_ns.size(); ++g)
          e.tls_rule = rule_for(mesh, gateway_ns[g], se.meta.ns, e.host, {});
        if (e.tls_rule) e.tls_mode = tls_mode_for(*e.tls_rule, port.number);
        e.rerouted = e.tls_rule && routed_to_itself(mesh, e.host);
        out.push_back(std::move(e));
      }
    }
  }
  return out;
}

}  // namespace meshproof::mesh
