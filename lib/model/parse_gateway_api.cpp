// Gateway API kinds (model/gateway_api.h): the fields meshproof reads are typed and checked as the API server
// decodes them; the rest of each spec is ignored. Validation is model/validate_gateway_api.cpp.
#include <string>

#include "model/gateway_api.h"
#include "model/parse_internal.h"

namespace meshproof::model::detail {

namespace {

gwapi::ObjectReference read_reference(const Node& ref, Reader& r) {
  gwapi::ObjectReference o;
  o.loc = ref.loc;
  o.group_present = r.get_string(ref, "group", o.group);
  o.kind_present = r.get_string(ref, "kind", o.kind);
  r.get_string(ref, "name", o.name);
  r.get_string(ref, "namespace", o.ns);
  return o;
}

void read_allowed_routes(const Node& listener, Reader& r, gwapi::AllowedRoutes& a) {
  const Node* ar = child_map(listener, "allowedRoutes", r);
  if (!ar) return;
  auto s = r.field("allowedRoutes");
  a.loc = listener.key_loc("allowedRoutes");
  if (const Node* ns = child_map(*ar, "namespaces", r)) {
    auto sn = r.field("namespaces");
    a.from_written = r.get_string(*ns, "from", a.from);
    a.from_loc = ns->key_loc("from");
    if (const Node* sel = child_map(*ns, "selector", r)) {
      auto ss = r.field("selector");
      a.selector_present = true;
      r.get_labels(*sel, "matchLabels", a.selector_match_labels);
      a.selector_has_expressions = sel->find("matchExpressions") != nullptr;
    }
  }
  each_map(*ar, "kinds", r, "route kinds", [&](const Node& k) { a.kinds.push_back(read_reference(k, r)); });
}

void read_listener_tls(const Node& listener, Reader& r, gwapi::ListenerTls& t) {
  const Node* tls = child_map(listener, "tls", r);
  if (!tls) return;
  auto s = r.field("tls");
  t.present = true;
  t.loc = listener.key_loc("tls");
  t.mode_written = r.get_string(*tls, "mode", t.mode);
  t.mode_loc = tls->key_loc("mode");
  each_map(*tls, "certificateRefs", r, "certificate references",
           [&](const Node& c) { t.certificate_refs.push_back(read_reference(c, r)); });
  t.options_present = tls->find("options") != nullptr && !tls->find("options")->is_null();
  if (t.options_present) r.get_labels(*tls, "options", t.options);
}

gwapi::Listener read_listener(const Node& l, Reader& r) {
  gwapi::Listener out;
  out.loc = l.loc;
  r.get_string(l, "name", out.name);
  out.name_loc = l.key_loc("name");
  r.get_uint(l, "port", out.port, 1, 65535);  // the CRD's range; the reader reports a value outside it
  out.port_present = l.find("port") != nullptr && !l.find("port")->is_null();
  out.port_loc = l.key_loc("port");
  r.get_string(l, "protocol", out.protocol);
  out.protocol_loc = l.key_loc("protocol");
  out.hostname_present = r.get_string(l, "hostname", out.hostname);
  out.hostname_loc = l.key_loc("hostname");
  read_listener_tls(l, r, out.tls);
  read_allowed_routes(l, r, out.allowed_routes);
  return out;
}

void read_infrastructure(const Node& spec, Reader& r, gwapi::Gateway& g) {
  const Node* infra = child_map(spec, "infrastructure", r);
  if (!infra) return;
  auto s = r.field("infrastructure");
  g.infrastructure_loc = spec.key_loc("infrastructure");
  r.get_labels(*infra, "labels", g.infrastructure_labels);
  r.get_labels(*infra, "annotations", g.infrastructure_annotations);
}

// status.addresses non-empty: the controller has given the Gateway an address (ambient.md §2.1).
bool has_status_addresses(const Node& obj) {
  const Node* status = obj.find("status");
  if (!status || !status->is_map()) return false;
  const Node* addresses = status->find("addresses");
  return addresses && addresses->is_seq() && !addresses->items.empty();
}

gwapi::FrontendValidation read_frontend_validation(const Node& holder, Reader& r) {
  gwapi::FrontendValidation v;
  const Node* val = child_map(holder, "validation", r);
  if (!val) return v;
  auto s = r.field("validation");
  v.present = true;
  v.loc = holder.key_loc("validation");
  each_map(*val, "caCertificateRefs", r, "CA certificate references",
           [&](const Node& c) { v.ca_certificate_refs.push_back(read_reference(c, r)); });
  r.get_string(*val, "mode", v.mode);
  return v;
}

// spec.tls.frontend: client-certificate validation, by default and per port (Gateway API v1.4+).
void read_frontend_tls(const Node& spec, Reader& r, gwapi::Gateway& g) {
  const Node* tls = child_map(spec, "tls", r);
  if (!tls) return;
  auto st = r.field("tls");
  const Node* frontend = child_map(*tls, "frontend", r);
  if (!frontend) return;
  auto sf = r.field("frontend");
  if (const Node* d = child_map(*frontend, "default", r)) {
    auto sd = r.field("default");
    g.frontend_default = read_frontend_validation(*d, r);
  }
  each_map(*frontend, "perPort", r, "per-port settings", [&](const Node& pp) {
    gwapi::FrontendValidation v;
    if (const Node* t = child_map(pp, "tls", r)) {
      auto spt = r.field("tls");
      v = read_frontend_validation(*t, r);
    }
    r.get_uint(pp, "port", v.port, 1, 65535);
    g.frontend_per_port.push_back(std::move(v));
  });
}

}  // namespace

void parse_gateway_api_gateway(const Node& obj, Reader& r, gwapi::Gateway& g) {
  g.status_addresses = has_status_addresses(obj);
  const Node* spec = spec_of(obj, r);
  if (!spec) return;
  auto s = r.field("spec");
  g.gateway_class_name_present = r.get_string(*spec, "gatewayClassName", g.gateway_class_name);
  g.gateway_class_name_loc = spec->key_loc("gatewayClassName");
  if (const Node* ls = spec->find("listeners"); ls && !ls->is_null()) {
    g.listeners_present = true;
    g.listeners_loc = spec->key_loc("listeners");
  }
  each_map(*spec, "listeners", r, "listeners", [&](const Node& l) { g.listeners.push_back(read_listener(l, r)); });
  each_map(*spec, "addresses", r, "addresses", [&](const Node& a) {
    gwapi::Address addr;
    addr.loc = a.loc;
    r.get_string(a, "type", addr.type);
    r.get_string(a, "value", addr.value);
    g.addresses.push_back(std::move(addr));
  });
  read_infrastructure(*spec, r, g);
  read_frontend_tls(*spec, r, g);
}

}  // namespace meshproof::model::detail
