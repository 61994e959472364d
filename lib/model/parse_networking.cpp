// Istio networking and telemetry kinds: only the fields meshproof reads are typed and checked; the rest of
// each spec is ignored (these kinds are not validated beyond types, docs/semantics.md §2).
#include <algorithm>
#include <optional>
#include <string>

#include "model/parse_internal.h"
#include "model/virtual_service_routes.h"

namespace meshproof::model::detail {

namespace {

void read_tls(const Node& holder, Reader& r, TlsSettings& tls) {
  if (const Node* t = child_map(holder, "tls", r)) {
    auto s = r.field("tls");
    tls.present = true;
    tls.loc = holder.key_loc("tls");
    r.get_string(*t, "mode", tls.mode);
    tls.mode_loc = t->key_loc("mode");
    r.get_string(*t, "credentialName", tls.credential_name);
    r.get_string(*t, "clientCertificate", tls.client_certificate);
    r.get_string(*t, "privateKey", tls.private_key);
    r.get_string(*t, "caCertificates", tls.ca_certificates);
    r.get_string(*t, "caCrl", tls.ca_crl);
    r.get_string(*t, "sni", tls.sni);
    tls.subject_alt_names_present = t->find("subjectAltNames") != nullptr;
    r.get_bool(*t, "insecureSkipVerify", tls.insecure_skip_verify);
  }
}

// A number written in the input (the CRD's `type: number`), or nullopt when the value is not one.
std::optional<double> number_of(const Node* n) {
  if (!n || !n->is_scalar()) return std::nullopt;
  try {
    size_t used = 0;
    double v = std::stod(n->scalar, &used);
    if (used == n->scalar.size()) return v;
  } catch (const std::exception&) {
  }
  return std::nullopt;
}

void read_warmup(const Node& policy, Reader& r, TrafficPolicy& out) {
  const Node* lb = child_map(policy, "loadBalancer", r);
  if (!lb) return;
  auto sl = r.field("loadBalancer");
  const Node* w = child_map(*lb, "warmup", r);
  if (!w) return;
  out.warmup_present = true;
  out.warmup_loc = lb->key_loc("warmup");
  out.warmup_duration = w->find("duration") != nullptr;
  out.warmup_minimum_percent = number_of(w->find("minimumPercent"));
  out.warmup_aggression = number_of(w->find("aggression"));
}

// The fields of a (port-level) traffic policy that Istio's validation counts, and its tls.
void read_policy(const Node& policy, Reader& r, TrafficPolicy& out, bool port_level) {
  out.present = true;
  for (const char* key : {"outlierDetection", "connectionPool", "loadBalancer", "tls"}) {
    if (policy.find(key)) ++out.fields;
  }
  for (const char* key : {"portLevelSettings", "tunnel", "proxyProtocol", "retryBudget"}) {
    if (!port_level && policy.find(key)) ++out.fields;
  }
  out.tunnel = policy.find("tunnel") != nullptr;
  out.proxy_protocol = policy.find("proxyProtocol") != nullptr;
  read_warmup(policy, r, out);
  read_tls(policy, r, out.tls);
}

// trafficPolicy (top-level or a subset's) with its portLevelSettings.
void read_traffic_policy(const Node& holder, Reader& r, TrafficPolicy& top, std::vector<TrafficPolicy>& ports) {
  const Node* tp = child_map(holder, "trafficPolicy", r);
  if (!tp) return;
  auto st = r.field("trafficPolicy");
  top.loc = holder.key_loc("trafficPolicy");
  read_policy(*tp, r, top, false);
  each_map(*tp, "portLevelSettings", r, "port settings", [&](const Node& pls) {
    TrafficPolicy port;
    port.loc = pls.loc;
    if (const Node* p = child_map(pls, "port", r)) {
      auto sp = r.field("port");
      port.port_present = true;
      port.port_loc = pls.key_loc("port");
      r.get_uint(*p, "number", port.port, 0, 65535);
    }
    read_policy(pls, r, port, true);
    ports.push_back(std::move(port));
  });
}

}  // namespace

namespace {

void read_str_vector(const Node& map, std::string_view key, Reader& r, std::vector<Str>& out) {
  StrList l;
  r.get_str_list(map, key, l);
  for (Str& v : l.items) out.push_back(std::move(v));
}

void read_server_tls(const Node& tls, Reader& r, GatewayTls& t) {
  r.get_str(tls, "mode", t.mode);
  if (r.get_bool(tls, "httpsRedirect", t.https_redirect)) t.https_redirect_loc = tls.key_loc("httpsRedirect");
  r.get_str(tls, "credentialName", t.credential_name);
  read_str_vector(tls, "credentialNames", r, t.credential_names);
  r.get_str(tls, "serverCertificate", t.server_certificate);
  r.get_str(tls, "privateKey", t.private_key);
  r.get_str(tls, "caCertificates", t.ca_certificates);
  r.get_str(tls, "caCrl", t.ca_crl);
  r.get_str(tls, "caCertCredentialName", t.ca_cert_credential_name);
  if (const Node* certs = tls.find("tlsCertificates"); certs && certs->is_seq())
    t.tls_certificates = certs->items.size();
  r.get_str(tls, "minProtocolVersion", t.min_protocol_version);
  r.get_str(tls, "maxProtocolVersion", t.max_protocol_version);
  read_str_vector(tls, "cipherSuites", r, t.cipher_suites);
}

GatewayServer read_server(const Node& srv, Reader& r) {
  GatewayServer gs;
  gs.loc = srv.loc;
  if (const Node* port = child_map(srv, "port", r)) {
    auto sp = r.field("port");
    gs.port_present = true;
    gs.port_loc = srv.key_loc("port");
    r.get_uint(*port, "number", gs.port, 0, 65535);
    r.get_string(*port, "name", gs.port_name);
    if (r.get_string(*port, "protocol", gs.protocol)) gs.protocol_loc = port->key_loc("protocol");
    gs.target_port = port->find("targetPort") && !port->find("targetPort")->is_null();
  }
  StrList hosts;
  r.get_str_list(srv, "hosts", hosts);
  for (Str& h : hosts.items) {
    gs.hosts.push_back(std::move(h.value));
    gs.host_locs.push_back(h.loc);
  }
  if (const Node* tls = child_map(srv, "tls", r)) {
    auto st = r.field("tls");
    gs.tls_present = true;
    gs.tls.present = true;
    gs.tls.loc = srv.key_loc("tls");
    read_server_tls(*tls, r, gs.tls);
    gs.tls_mode = gs.tls.mode.value;
  }
  return gs;
}

// route[].destination of every http, tls and tcp route, from the routes read with their matches.
void collect_destinations(const VirtualServiceRoutes& routes, VirtualService& v) {
  auto add = [&](const char* kind, const std::vector<VsDestination>& dests) {
    for (const VsDestination& d : dests)
      if (d.host_read) v.destinations.push_back(RouteDestination{kind, d.host, d.subset, d.port});
  };
  for (const VsHttpRoute& h : routes.http) add("http", h.route);
  for (const VsL4Route& t : routes.tls) add("tls", t.route);
  for (const VsL4Route& t : routes.tcp) add("tcp", t.route);
}

}  // namespace

void parse_gateway(const Node& obj, Reader& r, Gateway& g) {
  const Node* spec = spec_of(obj, r);
  if (!spec) return;
  auto s = r.field("spec");
  g.selector_present = r.get_labels(*spec, "selector", g.selector);
  g.selector_loc = spec->key_loc("selector");
  each_map(*spec, "servers", r, "servers", [&](const Node& srv) { g.servers.push_back(read_server(srv, r)); });
}

void parse_virtual_service(const Node& obj, Reader& r, VirtualService& v) {
  v.routes = std::make_shared<const VirtualServiceRoutes>();
  const Node* spec = spec_of(obj, r);
  if (!spec) return;
  auto s = r.field("spec");
  r.get_string_vector(*spec, "hosts", v.hosts);
  StrList gateways;
  r.get_str_list(*spec, "gateways", gateways);
  for (Str& g : gateways.items) {
    v.gateways.push_back(std::move(g.value));
    v.gateway_locs.push_back(g.loc);
  }
  r.get_string_vector(*spec, "exportTo", v.export_to);
  v.routes = read_virtual_service_routes(*spec, r);
  collect_destinations(*v.routes, v);
}

void parse_destination_rule(const Node& obj, Reader& r, DestinationRule& d) {
  const Node* spec = spec_of(obj, r);
  if (!spec) return;
  auto s = r.field("spec");
  r.get_string(*spec, "host", d.host);
  d.host_loc = spec->key_loc("host");
  if (const Node* ws = child_map(*spec, "workloadSelector", r)) {
    auto sw = r.field("workloadSelector");
    d.has_workload_selector = true;
    r.get_labels(*ws, "matchLabels", d.workload_selector);
  }
  r.get_string_vector(*spec, "exportTo", d.export_to);
  d.export_to_loc = spec->key_loc("exportTo");
  read_traffic_policy(*spec, r, d.traffic_policy, d.port_level);
  each_map(*spec, "subsets", r, "subsets", [&](const Node& sub) {
    DestinationRuleSubset subset;
    subset.loc = sub.loc;
    r.get_string(sub, "name", subset.name);
    r.get_labels(sub, "labels", subset.labels);
    read_traffic_policy(sub, r, subset.traffic_policy, subset.port_level);
    d.subsets.push_back(std::move(subset));
  });
}

void parse_service_entry(const Node& obj, Reader& r, ServiceEntry& se) {
  if (!obj.find("spec"))
    r.diag(Severity::Error, se.loc, "Required value", "a ServiceEntry needs a spec with hosts", "spec");
  const Node* spec = spec_of(obj, r);
  if (!spec) return;
  auto s = r.field("spec");
  StrList hosts;
  r.get_str_list(*spec, "hosts", hosts);
  for (Str& h : hosts.items) {
    se.hosts.push_back(std::move(h.value));
    se.host_locs.push_back(h.loc);
  }
  r.get_string_vector(*spec, "addresses", se.addresses);
  each_map(*spec, "ports", r, "ports", [&](const Node& p) {
    ServiceEntryPort port;
    port.loc = p.loc;
    r.get_uint(p, "number", port.number, 0, UINT32_MAX);
    r.get_string(p, "protocol", port.protocol);
    r.get_string(p, "name", port.name);
    r.get_uint(p, "targetPort", port.target_port, 0, UINT32_MAX);
    se.ports.push_back(std::move(port));
  });
  if (r.get_string(*spec, "location", se.location)) se.location_loc = spec->key_loc("location");
  if (r.get_string(*spec, "resolution", se.resolution)) se.resolution_loc = spec->key_loc("resolution");
  if (const Node* ws = child_map(*spec, "workloadSelector", r)) {
    auto sw = r.field("workloadSelector");
    se.has_workload_selector = true;
    r.get_labels(*ws, "labels", se.workload_selector);
  }
  if (const Node* eps = spec->find("endpoints"); eps && eps->is_seq()) {
    se.endpoints = eps->items.size();
    for (const Node& ep : eps->items) {
      const Node* address = ep.is_map() ? ep.find("address") : nullptr;
      se.endpoint_addresses.push_back(address && address->is_scalar() ? address->scalar : std::string());
    }
  }
  if (const Node* status = obj.find("status"); status && status->is_map()) {
    const Node* addresses = status->find("addresses");
    se.status_addresses = addresses && addresses->is_seq() && !addresses->items.empty();
  }
  r.get_string_vector(*spec, "exportTo", se.export_to);
}

void parse_sidecar(const Node& obj, Reader& r, Sidecar& sc) {
  const Node* spec = spec_of(obj, r);
  if (!spec) return;
  auto s = r.field("spec");
  if (const Node* ws = child_map(*spec, "workloadSelector", r)) {
    auto sw = r.field("workloadSelector");
    sc.has_workload_selector = true;
    r.get_labels(*ws, "labels", sc.workload_selector);
  }
  if (const Node* otp = child_map(*spec, "outboundTrafficPolicy", r)) {
    auto so = r.field("outboundTrafficPolicy");
    sc.outbound_traffic_policy_present = true;
    sc.outbound_traffic_policy_loc = spec->key_loc("outboundTrafficPolicy");
    if (r.get_string(*otp, "mode", sc.outbound_traffic_policy)) sc.outbound_traffic_policy_loc = otp->key_loc("mode");
  }
  each_map(*spec, "egress", r, "egress listeners", [&](const Node& eg) {
    StrList hosts;
    r.get_str_list(eg, "hosts", hosts);
    for (Str& h : hosts.items) {
      sc.egress_hosts.push_back(std::move(h.value));
      sc.egress_host_locs.push_back(h.loc);
    }
  });
  each_map(*spec, "ingress", r, "ingress listeners", [&](const Node& in) {
    Sidecar::Ingress ing;
    ing.loc = in.loc;
    if (const Node* port = child_map(in, "port", r)) {
      auto sp = r.field("port");
      r.get_uint(*port, "number", ing.port, 0, 65535);
      r.get_string(*port, "protocol", ing.protocol);
      r.get_string(*port, "name", ing.name);
    }
    r.get_string(in, "defaultEndpoint", ing.default_endpoint);
    sc.ingress.push_back(std::move(ing));
  });
}

namespace {

void read_access_log_entry(const Node& al, Reader& r, Telemetry& t) {
  TelemetryAccessLogging e;
  e.loc = al.loc;
  if (r.get_bool(al, "disabled", e.disabled)) e.disabled_loc = al.key_loc("disabled");
  if (e.disabled)
    t.access_logging_disabled = true;
  else
    t.access_logging = true;
  if (const Node* m = child_map(al, "match", r)) {
    auto sm = r.field("match");
    r.get_str(*m, "mode", e.mode);
  }
  if (const Node* f = child_map(al, "filter", r)) {
    auto sf = r.field("filter");
    r.get_str(*f, "expression", e.filter);
  }
  each_map(al, "providers", r, "providers", [&](const Node& p) {
    Str name;
    if (!r.get_str(p, "name", name)) return;
    t.access_log_providers.push_back(name.value);
    e.providers.push_back(std::move(name));
  });
  t.access_log_entries.push_back(std::move(e));
}

}  // namespace

void parse_telemetry(const Node& obj, Reader& r, Telemetry& t) {
  const Node* spec = spec_of(obj, r);
  if (!spec) return;
  auto s = r.field("spec");
  if (const Node* sel = child_map(*spec, "selector", r)) {
    auto ss = r.field("selector");
    t.selector.present = true;
    t.selector.loc = spec->key_loc("selector");
    r.get_labels(*sel, "matchLabels", t.selector.match_labels);
  }
  t.has_target_refs = spec->find("targetRef") || spec->find("targetRefs");
  t.access_logging_present = spec->find("accessLogging") != nullptr;
  each_map(*spec, "accessLogging", r, "access logging settings",
           [&](const Node& al) { read_access_log_entry(al, r, t); });
}

}  // namespace meshproof::model::detail
