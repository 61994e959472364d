// Gateway API ingress (mesh/gateway_routes.h, docs/semantics.md#gateway-api-routes): listeners converted as
// Istio's gateway conversion does (G9), routes attached by parentRefs and allowedRoutes with the hostname
// intersection of the Gateway API spec, backends and certificates checked against ReferenceGrants (G10).
#include "mesh/gateway_routes.h"

#include <algorithm>

#include "base/text.h"
#include "mesh/identity.h"

namespace meshproof::mesh {

namespace gw = model::gwapi;

std::string ApiGateway::display() const { return "Gateway " + ns + "/" + gateway->meta.name; }

bool reference_granted(const model::ResourceSet& rs, const std::string& from_kind, const std::string& from_ns,
                       const std::string& to_group, const std::string& to_kind, const std::string& to_ns,
                       const std::string& to_name) {
  for (const gw::ReferenceGrant& g : rs.reference_grants) {
    if (effective_namespace(g) != to_ns) continue;
    bool from_ok = false, to_ok = false;
    for (const gw::ReferenceGrantFrom& f : g.from)
      if (f.group == gw::kGroup && f.kind == from_kind && f.ns == from_ns) from_ok = true;
    for (const gw::ReferenceGrantTo& t : g.to)
      if (t.group == to_group && t.kind == to_kind && (t.name.empty() || t.name == to_name)) to_ok = true;
    if (from_ok && to_ok) return true;
  }
  return false;
}

std::string intersect_hostname(const std::string& listener, const std::string& route) {
  if (listener.empty() || listener == "*") return route;
  if (route.empty() || route == "*") return listener;
  auto covers = [](const std::string& wild, const std::string& name) {
    return wild.rfind("*.", 0) == 0 && name.size() > wild.size() - 1 &&
           name.compare(name.size() - (wild.size() - 1), wild.size() - 1, wild, 1) == 0;
  };
  if (ascii_lower(listener) == ascii_lower(route)) return route;
  if (covers(listener, route)) return route;
  if (covers(route, listener)) return listener;
  return "";
}

namespace {

bool in_list(const std::string& v, std::initializer_list<const char*> set) {
  for (const char* s : set)
    if (v == s) return true;
  return false;
}

const char* kTerminateModeOption = "gateway.istio.io/tls-terminate-mode";

// G9: the Istio server a listener becomes (conversion.go buildListener / buildTLS).
void convert_listener(const gw::Listener& l, ApiListener& out) {
  out.protocol = l.protocol;
  if (!in_list(l.protocol, {"HTTP", "HTTPS", "TLS", "TCP"})) {
    out.programmed = false;
    out.not_programmed = "protocol " + l.protocol + " is not supported on an ingress Gateway (UnsupportedProtocol)";
    return;
  }
  if ((l.protocol == "HTTPS" || l.protocol == "TLS") && !l.tls.present) {
    out.programmed = false;
    out.not_programmed = l.protocol + " listener without tls: Istio generates no server for it";
    return;
  }
  if (!l.tls.present) return;
  if (l.tls.mode == "Passthrough") {
    out.tls_mode = "PASSTHROUGH";
    return;
  }
  out.tls_mode = "SIMPLE";
  auto opt = l.tls.options.find(kTerminateModeOption);
  if (opt != l.tls.options.end() && in_list(opt->second, {"MUTUAL", "OPTIONAL_MUTUAL", "ISTIO_MUTUAL", "ISTIO_SIMPLE"}))
    out.tls_mode = opt->second;
  out.terminates_tls = true;
}

// spec.tls.frontend (GEP-91, the Gateway CRD): a TLS-terminating HTTPS listener asks clients for a certificate
// signed by the CAs of its port's perPort entry, else of the default. AllowValidOnly is mutual TLS (Istio's
// MUTUAL); AllowInsecureFallback also admits clients without one (OPTIONAL_MUTUAL).
void apply_frontend_validation(const gw::Gateway& g, ApiListener& out) {
  if (!out.terminates_tls || out.protocol != "HTTPS") return;
  const gw::FrontendValidation* v = g.frontend_default.present ? &g.frontend_default : nullptr;
  for (const gw::FrontendValidation& pp : g.frontend_per_port)
    if (pp.port == out.listener->port) v = pp.present ? &pp : nullptr;
  if (v) out.tls_mode = v->mode == "AllowInsecureFallback" ? "OPTIONAL_MUTUAL" : "MUTUAL";
}

void resolve_certificates(const model::ResourceSet& rs, const ApiGateway& g, ApiListener& out) {
  for (const gw::ObjectReference& ref : out.listener->tls.certificate_refs) {
    ApiCertificate c;
    c.ref = &ref;
    c.name = ref.name;
    c.ns = ref.ns.empty() ? g.ns : ref.ns;
    c.is_secret = (ref.group.empty() || ref.group == "core") && (!ref.kind_present || ref.kind == "Secret");
    if (c.ns != g.ns) c.permitted = reference_granted(rs, "Gateway", g.ns, "", "Secret", c.ns, c.name);
    for (const model::Secret& s : rs.secrets)
      if (s.meta.name == c.name && s.meta.ns == c.ns) c.declared = true;
    if (!c.permitted && out.programmed) {
      out.programmed = false;  // ResolvedRefs=False: Istio does not program the listener (G10)
      out.not_programmed =
          "certificateRefs " + c.ns + "/" + c.name + " is not permitted by a ReferenceGrant (RefNotPermitted)";
    }
    out.certificates.push_back(std::move(c));
  }
}

// The route kinds a listener admits: allowedRoutes.kinds when written, else those of its protocol.
bool kind_allowed(const gw::Listener& l, const gw::Route& r) {
  if (!l.allowed_routes.kinds.empty()) {
    for (const gw::ObjectReference& k : l.allowed_routes.kinds)
      if (k.kind == r.kind && (!k.group_present || k.group == gw::kGroup)) return true;
    return false;
  }
  if (l.protocol == "HTTP" || l.protocol == "HTTPS") return r.is_http() || r.is_grpc();
  if (l.protocol == "TLS") return r.is_tls() || (r.is_tcp() && l.tls.mode == "Terminate");
  if (l.protocol == "TCP") return r.is_tcp();
  return false;
}

// allowedRoutes.namespaces (the spec's From): Same (default), All, Selector (matchLabels against the
// Namespace's labels; an undeclared namespace or matchExpressions: admitted), None.
bool namespace_allowed(const Mesh& mesh, const gw::AllowedRoutes& a, const std::string& gw_ns,
                       const std::string& route_ns) {
  if (a.from == "All") return true;
  if (a.from == "Selector") {
    auto it = mesh.namespaces.find(route_ns);
    if (it == mesh.namespaces.end() || !it->second.decl || a.selector_has_expressions) return true;
    model::Labels labels = it->second.labels;
    labels["kubernetes.io/metadata.name"] = route_ns;
    return labels_subset(a.selector_match_labels, labels);
  }
  if (a.from == "None") return false;
  return route_ns == gw_ns;
}

ApiBackend resolve_backend(const Mesh& mesh, const gw::Route& r, const gw::BackendReference& ref, size_t rule) {
  ApiBackend b;
  b.ref = &ref;
  b.rule = rule;
  b.name = ref.name;
  b.port = ref.port;
  const std::string route_ns = effective_namespace(r);
  b.ns = ref.ns.empty() ? route_ns : ref.ns;
  b.is_service = (ref.group.empty() || ref.group == "core") && ref.kind == "Service";
  if (redirects(r.rules[rule])) {
    b.problem = "Redirected";
    return b;
  }
  if (!b.is_service) {
    b.problem = "InvalidKind";
    return b;
  }
  if (b.ns != route_ns && !reference_granted(*mesh.resources, r.kind, route_ns, "", "Service", b.ns, b.name)) {
    b.permitted = false;
    b.problem = "RefNotPermitted";
    return b;
  }
  for (const model::Service& s : mesh.resources->services)
    if (s.meta.name == b.name && effective_namespace(s) == b.ns) b.service = &s;
  if (!b.service) {
    b.problem = "BackendNotFound";
    return b;
  }
  if (!b.service->has_selector || b.service->selector.empty()) return b;
  for (size_t i = 0; i < mesh.workloads.size(); ++i) {
    const Workload& w = mesh.workloads[i];
    if (w.origin == WorkloadOrigin::Declared && w.ns == b.ns && labels_subset(b.service->selector, w.labels))
      b.workloads.push_back(i);
  }
  return b;
}

// The hostnames a route serves on a listener; empty when none intersects (the route does not attach).
std::vector<std::string> attached_hosts(const gw::Listener& l, const gw::Route& r) {
  const std::string lh = l.hostname_present ? l.hostname : "";
  std::vector<std::string> out;
  if (r.is_tcp() || r.hostnames.empty()) {
    out.push_back(lh.empty() || r.is_tcp() ? "*" : lh);
    return out;
  }
  for (const std::string& h : r.hostnames) {
    std::string x = intersect_hostname(lh, h);
    if (!x.empty() && std::find(out.begin(), out.end(), x) == out.end()) out.push_back(x);
  }
  return out;
}

bool names_gateway(const gw::ParentReference& p, const gw::Route& r, const ApiGateway& g) {
  if (p.group != gw::kGroup || p.kind != "Gateway" || p.name != g.gateway->meta.name) return false;
  return (p.ns.empty() ? effective_namespace(r) : p.ns) == g.ns;
}

// One parentRef naming this Gateway: attach to every listener it selects and admits (spec: sectionName,
// port; allowedRoutes; hostnames).
void attach(const Mesh& mesh, const gw::Route& r, const gw::ParentReference& p, ApiGateway& g) {
  bool selected = false, admitted = false, host_ok = false;
  for (ApiListener& al : g.listeners) {
    const gw::Listener& l = *al.listener;
    if (p.section_name_present && p.section_name != l.name) continue;
    if (p.port_present && p.port != l.port) continue;
    selected = true;
    if (!al.programmed) continue;
    if (!kind_allowed(l, r) || !namespace_allowed(mesh, l.allowed_routes, g.ns, effective_namespace(r))) continue;
    admitted = true;
    std::vector<std::string> hosts = attached_hosts(l, r);
    if (hosts.empty()) continue;
    host_ok = true;
    ApiRouteBinding b;
    b.route = &r;
    b.parent = &p;
    b.hosts = std::move(hosts);
    for (size_t i = 0; i < r.rules.size(); ++i)
      for (const gw::BackendReference& ref : r.rules[i].backend_refs)
        b.backends.push_back(resolve_backend(mesh, r, ref, i));
    al.routes.push_back(std::move(b));
  }
  if (host_ok) return;
  const char* reason = !selected   ? "NoMatchingParent"
                       : !admitted ? "NotAllowedByListeners"
                                   : "NoMatchingListenerHostname";
  g.rejected.push_back(ApiRejectedRoute{&r, &p, reason});
}

void find_pods(const Mesh& mesh, ApiGateway& g) {
  for (size_t i = 0; i < mesh.workloads.size(); ++i) {
    const Workload& w = mesh.workloads[i];
    if (w.origin == WorkloadOrigin::Declared && w.ns == g.ns && w.gateway_name == g.gateway->meta.name)
      g.pods.push_back(i);
  }
  g.service_account = g.gateway->meta.name + "-" + g.gateway->gateway_class_name;
  for (size_t i : g.pods)
    if (!mesh.workloads[i].service_account.empty()) {
      g.service_account = mesh.workloads[i].service_account;
      g.service_account_assumed = false;
      break;
    }
  g.principal = principal_of(mesh, g.ns, g.service_account);
}

}  // namespace

std::vector<ApiGateway> gateway_api_ingress(const Mesh& mesh) {
  std::vector<ApiGateway> out;
  const model::ResourceSet& rs = *mesh.resources;
  for (const gw::Gateway& gateway : rs.gateway_api_gateways) {
    if (gateway.is_waypoint()) continue;
    ApiGateway g;
    g.gateway = &gateway;
    g.ns = effective_namespace(gateway);
    find_pods(mesh, g);
    for (size_t i = 0; i < gateway.listeners.size(); ++i) {
      ApiListener l;
      l.listener = &gateway.listeners[i];
      l.index = i;
      convert_listener(gateway.listeners[i], l);
      apply_frontend_validation(gateway, l);
      resolve_certificates(rs, g, l);
      g.listeners.push_back(std::move(l));
    }
    for (const gw::Route& r : rs.gateway_api_routes)
      for (const gw::ParentReference& p : r.parent_refs)
        if (names_gateway(p, r, g)) attach(mesh, r, p, g);
    out.push_back(std::move(g));
  }
  return out;
}

}  // namespace meshproof::mesh
