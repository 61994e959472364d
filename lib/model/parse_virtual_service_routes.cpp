// A VirtualService's http/tls/tcp routes with their match conditions
// (model/virtual_service_routes.h), as the istio.io VirtualService reference
// defines them. Types are checked; values are validated by
// validate_virtual_service.cpp.
#include "model/parse_internal.h"
#include "model/virtual_service_routes.h"

namespace meshproof::model::detail {

namespace {

// A StringMatch map: exact, prefix or regex (the first written), or `{}`.
VsStringMatch read_string_match(const Node& m, Loc loc, Reader& r) {
  VsStringMatch sm;
  sm.loc = loc;
  for (const char* type : {"exact", "prefix", "regex"})
    if (m.find(type) && sm.type.empty() && r.get_string(m, type, sm.value)) sm.type = type;
  return sm;
}

std::optional<VsStringMatch> string_match_field(const Node& holder, std::string_view key, Reader& r) {
  const Node* m = child_map(holder, key, r);
  if (!m) return std::nullopt;
  auto s = r.field(key);
  return read_string_match(*m, holder.key_loc(key), r);
}

// headers / withoutHeaders / queryParams: a map of name → StringMatch, in
// document order.
void read_named_matches(const Node& holder, std::string_view key, Reader& r, std::vector<VsNamedMatch>& out) {
  const Node* m = child_map(holder, key, r);
  if (!m) return;
  auto s = r.field(key);
  for (const load::MapEntry& e : m->entries) {
    auto se = r.field(e.key);
    VsNamedMatch nm;
    nm.name = e.key;
    nm.match.loc = e.key_loc;
    if (r.expect_map(e.value)) nm.match = read_string_match(e.value, e.key_loc, r);
    out.push_back(std::move(nm));
  }
}

VsHttpMatch read_http_match(const Node& m, Reader& r) {
  VsHttpMatch hm;
  hm.loc = m.loc;
  r.get_string(m, "name", hm.name);
  hm.uri = string_match_field(m, "uri", r);
  hm.scheme = string_match_field(m, "scheme", r);
  hm.method = string_match_field(m, "method", r);
  hm.authority = string_match_field(m, "authority", r);
  read_named_matches(m, "headers", r, hm.headers);
  read_named_matches(m, "withoutHeaders", r, hm.without_headers);
  read_named_matches(m, "queryParams", r, hm.query_params);
  r.get_bool(m, "ignoreUriCase", hm.ignore_uri_case);
  if (r.get_uint(m, "port", hm.port, 0, 4294967295u)) hm.port_loc = m.key_loc("port");
  r.get_string_vector(m, "gateways", hm.gateways);
  hm.source_labels_present = r.get_labels(m, "sourceLabels", hm.source_labels);
  if (r.get_string(m, "sourceNamespace", hm.source_namespace)) hm.source_namespace_loc = m.key_loc("sourceNamespace");
  return hm;
}

void read_route_destinations(const Node& route, Reader& r, std::vector<VsDestination>& out) {
  each_map(route, "route", r, "route destinations", [&](const Node& dest) {
    VsDestination d;
    d.loc = dest.loc;
    if (const Node* dn = child_map(dest, "destination", r)) {
      auto sd = r.field("destination");
      // The order of the original destination reader (its diagnostics keep
      // their order).
      r.get_string(*dn, "subset", d.subset);
      if (const Node* p = child_map(*dn, "port", r)) {
        auto sp = r.field("port");
        r.get_uint(*p, "number", d.port, 0, 65535);
      }
      d.host_read = r.get_str(*dn, "host", d.host);
    }
    d.weight_present = r.get_uint(dest, "weight", d.weight, 0, 4294967295u);
    out.push_back(std::move(d));
  });
}

VsHttpRoute read_http_route(const Node& h, Reader& r) {
  VsHttpRoute hr;
  hr.loc = h.loc;
  r.get_string(h, "name", hr.name);
  each_map(h, "match", r, "match conditions", [&](const Node& m) { hr.matches.push_back(read_http_match(m, r)); });
  read_route_destinations(h, r, hr.route);
  if (const Node* redirect = child_map(h, "redirect", r)) {
    auto sr = r.field("redirect");
    hr.redirect = true;
    r.get_string(*redirect, "scheme", hr.redirect_scheme);
  }
  if (const Node* rewrite = child_map(h, "rewrite", r)) {
    auto sw = r.field("rewrite");
    hr.rewrite_uri_present = r.get_string(*rewrite, "uri", hr.rewrite_uri);
    r.get_string(*rewrite, "authority", hr.rewrite_authority);
    if (const Node* rx = child_map(*rewrite, "uriRegexRewrite", r)) {
      auto sx = r.field("uriRegexRewrite");
      hr.rewrite_regex = true;
      hr.rewrite_regex_loc = rewrite->key_loc("uriRegexRewrite");
      r.get_string(*rx, "match", hr.rewrite_regex_match);
      r.get_string(*rx, "rewrite", hr.rewrite_regex_rewrite);
    }
  }
  hr.direct_response = h.find("directResponse") != nullptr;
  if (const Node* d = child_map(h, "delegate", r)) {
    auto sd = r.field("delegate");
    hr.delegate = true;
    r.get_string(*d, "name", hr.delegate_name);
    r.get_string(*d, "namespace", hr.delegate_namespace);
  }
  return hr;
}

VsL4Route read_l4_route(const Node& t, Reader& r) {
  VsL4Route lr;
  lr.loc = t.loc;
  each_map(t, "match", r, "match conditions", [&](const Node& m) {
    VsL4Match lm;
    lm.loc = m.loc;
    r.get_string_vector(m, "sniHosts", lm.sni_hosts);
    lm.sni_hosts_loc = m.key_loc("sniHosts");
    if (r.get_uint(m, "port", lm.port, 0, 4294967295u)) lm.port_loc = m.key_loc("port");
    r.get_string_vector(m, "gateways", lm.gateways);
    lr.matches.push_back(std::move(lm));
  });
  read_route_destinations(t, r, lr.route);
  return lr;
}

}  // namespace

std::shared_ptr<const VirtualServiceRoutes> read_virtual_service_routes(const Node& spec, Reader& r) {
  auto routes = std::make_shared<VirtualServiceRoutes>();
  each_map(spec, "http", r, "routes", [&](const Node& h) { routes->http.push_back(read_http_route(h, r)); });
  each_map(spec, "tls", r, "routes", [&](const Node& t) { routes->tls.push_back(read_l4_route(t, r)); });
  each_map(spec, "tcp", r, "routes", [&](const Node& t) { routes->tcp.push_back(read_l4_route(t, r)); });
  return routes;
}

}  // namespace meshproof::model::detail
