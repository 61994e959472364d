// Gateway API routes (HTTPRoute, GRPCRoute, TLSRoute, TCPRoute) and ReferenceGrant (model/gateway_api.h):
// the fields meshproof reads are typed as the API server decodes them; filters, timeouts, retries and
// session persistence are ignored. Validation is model/validate_gateway_api_routes.cpp.
#include <string>

#include "model/gateway_api.h"
#include "model/parse_internal.h"

namespace meshproof::model::detail {

namespace {

gwapi::ParentReference read_parent(const Node& n, Reader& r) {
  gwapi::ParentReference p;
  p.loc = n.loc;
  p.group = gwapi::kGroup;
  p.kind = "Gateway";
  p.group_present = r.get_string(n, "group", p.group);
  p.kind_present = r.get_string(n, "kind", p.kind);
  r.get_string(n, "name", p.name);
  r.get_string(n, "namespace", p.ns);
  p.section_name_present = r.get_string(n, "sectionName", p.section_name);
  p.port_present = r.get_uint(n, "port", p.port, 1, 65535);
  return p;
}

gwapi::BackendReference read_backend(const Node& n, Reader& r) {
  gwapi::BackendReference b;
  b.loc = n.loc;
  b.kind = "Service";
  b.group_present = r.get_string(n, "group", b.group);
  b.kind_present = r.get_string(n, "kind", b.kind);
  r.get_string(n, "name", b.name);
  r.get_string(n, "namespace", b.ns);
  b.port_present = r.get_uint(n, "port", b.port, 1, 65535);
  r.get_uint(n, "weight", b.weight, 0, 1000000);
  return b;
}

void read_http_match(const Node& m, Reader& r, gwapi::RouteMatch& out) {
  if (const Node* path = child_map(m, "path", r)) {
    auto s = r.field("path");
    out.path_present = true;
    out.path_loc = m.key_loc("path");
    r.get_string(*path, "type", out.path_type);
    r.get_string(*path, "value", out.path_value);
  }
  r.get_string(m, "method", out.method);
  out.method_loc = m.key_loc("method");
}

void read_grpc_match(const Node& m, Reader& r, gwapi::RouteMatch& out) {
  if (const Node* method = child_map(m, "method", r)) {
    auto s = r.field("method");
    out.grpc_method_present = true;
    out.method_loc = m.key_loc("method");
    r.get_string(*method, "type", out.grpc_type);
    r.get_string(*method, "service", out.grpc_service);
    r.get_string(*method, "method", out.grpc_method);
  }
}

gwapi::RouteMatch read_match(const Node& m, Reader& r, bool grpc) {
  gwapi::RouteMatch out;
  out.loc = m.loc;
  if (grpc)
    read_grpc_match(m, r, out);
  else
    read_http_match(m, r, out);
  each_map(m, "headers", r, "header matches", [&](const Node& h) {
    std::string name, value, type = "Exact";
    r.get_string(h, "name", name);
    r.get_string(h, "value", value);
    r.get_string(h, "type", type);
    out.headers.emplace_back(name, value);
    out.header_types.push_back(type);
  });
  return out;
}

// requestHeaderModifier.set / .add: name and value of each entry.
void read_header_changes(const Node& modifier, Reader& r, gwapi::RouteFilter& f) {
  for (const char* key : {"set", "add"})
    each_map(modifier, key, r, "headers", [&](const Node& h) {
      std::string name, value;
      r.get_string(h, "name", name);
      r.get_string(h, "value", value);
      f.header_set.emplace_back(std::move(name), std::move(value));
    });
}

gwapi::RouteFilter read_filter(const Node& n, Reader& r) {
  gwapi::RouteFilter f;
  f.loc = n.loc;
  r.get_string(n, "type", f.type);
  if (const Node* redirect = child_map(n, "requestRedirect", r)) {
    auto s = r.field("requestRedirect");
    r.get_string(*redirect, "scheme", f.redirect_scheme);
    r.get_uint(*redirect, "port", f.redirect_port, 1, 65535);
  }
  if (const Node* rewrite = child_map(n, "urlRewrite", r)) {
    auto s = r.field("urlRewrite");
    r.get_string(*rewrite, "hostname", f.rewrite_hostname);
    if (const Node* path = child_map(*rewrite, "path", r)) {
      auto sp = r.field("path");
      r.get_string(*path, "type", f.rewrite_path_type);
      r.get_string(*path, f.rewrite_path_type == "ReplaceFullPath" ? "replaceFullPath" : "replacePrefixMatch",
                   f.rewrite_path_value);
    }
  }
  if (const Node* modifier = child_map(n, "requestHeaderModifier", r)) {
    auto s = r.field("requestHeaderModifier");
    read_header_changes(*modifier, r, f);
  }
  return f;
}

gwapi::RouteRule read_rule(const Node& n, Reader& r, const gwapi::Route& route) {
  gwapi::RouteRule rule;
  rule.loc = n.loc;
  r.get_string(n, "name", rule.name);
  if (const Node* m = n.find("matches"); m && !m->is_null()) rule.matches_present = true;
  each_map(n, "matches", r, "matches",
           [&](const Node& m) { rule.matches.push_back(read_match(m, r, route.is_grpc())); });
  if (const Node* b = n.find("backendRefs"); b && !b->is_null()) rule.backend_refs_present = true;
  each_map(n, "backendRefs", r, "backend references",
           [&](const Node& b) { rule.backend_refs.push_back(read_backend(b, r)); });
  const Node* filters = n.find("filters");
  rule.has_filters = filters && filters->is_seq() && !filters->items.empty();
  each_map(n, "filters", r, "filters", [&](const Node& f) { rule.filters.push_back(read_filter(f, r)); });
  return rule;
}

}  // namespace

void parse_gateway_api_route(const Node& obj, Reader& r, gwapi::Route& route) {
  const Node* spec = spec_of(obj, r);
  if (!spec) return;
  auto s = r.field("spec");
  route.parent_refs_loc = spec->key_loc("parentRefs");
  each_map(*spec, "parentRefs", r, "parent references",
           [&](const Node& p) { route.parent_refs.push_back(read_parent(p, r)); });
  if (const Node* hs = spec->find("hostnames"); hs && !hs->is_null()) {
    auto sh = r.field("hostnames");
    if (r.expect_seq(*hs, "hostnames")) {
      for (const Node& h : hs->items) {
        std::string name;
        r.read_string(h, name);
        route.hostnames.push_back(name);
        route.hostname_locs.push_back(h.loc);
      }
    }
  }
  route.rules_loc = spec->key_loc("rules");
  if (const Node* rs = spec->find("rules"); rs && !rs->is_null()) route.rules_present = true;
  each_map(*spec, "rules", r, "rules", [&](const Node& n) { route.rules.push_back(read_rule(n, r, route)); });
  // HTTPRoute's CRD default: one rule matching every path (PathPrefix "/"), without backends.
  if (!route.rules_present && route.is_http()) route.rules.push_back(gwapi::RouteRule{});
}

void parse_reference_grant(const Node& obj, Reader& r, gwapi::ReferenceGrant& g) {
  const Node* spec = spec_of(obj, r);
  if (!spec) return;
  auto s = r.field("spec");
  g.from_loc = spec->key_loc("from");
  g.to_loc = spec->key_loc("to");
  if (const Node* f = spec->find("from"); f && !f->is_null()) g.from_present = true;
  if (const Node* t = spec->find("to"); t && !t->is_null()) g.to_present = true;
  each_map(*spec, "from", r, "from entries", [&](const Node& n) {
    gwapi::ReferenceGrantFrom f;
    f.loc = n.loc;
    f.group_present = r.get_string(n, "group", f.group);
    f.kind_present = r.get_string(n, "kind", f.kind);
    f.ns_present = r.get_string(n, "namespace", f.ns);
    g.from.push_back(std::move(f));
  });
  each_map(*spec, "to", r, "to entries", [&](const Node& n) {
    gwapi::ReferenceGrantTo t;
    t.loc = n.loc;
    t.group_present = r.get_string(n, "group", t.group);
    t.kind_present = r.get_string(n, "kind", t.kind);
    r.get_string(n, "name", t.name);
    g.to.push_back(std::move(t));
  });
}

}  // namespace meshproof::model::detail
