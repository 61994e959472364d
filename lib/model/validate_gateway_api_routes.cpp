// What the API server rejects for HTTPRoute, GRPCRoute, TLSRoute, TCPRoute and ReferenceGrant: the CRDs'
// OpenAPI schema (required fields, enums, list sizes, ranges) and their CEL rules, as gateway-api v1.4's
// config/crd/{standard,experimental}/*.yaml declare them (docs/semantics.md#gateway-api-routes lists each
// rule). Istio's own conditions on routes (unresolved backends, refused attachment) are status, not
// admission: the route model (mesh/gateway_routes.h) computes them.
#include <map>
#include <regex>
#include <set>
#include <string>
#include <tuple>

#include "model/gateway_api.h"

#include "model/validate.h"
#include "model/validate_checker.h"
#include "model/validate_names.h"

namespace meshproof::model {

using detail::Checker;

namespace {

void too_many(Checker& c, Loc loc, const std::string& f, size_t n, size_t max) {
  if (n > max)
    c.error(loc, f, "Too many: " + std::to_string(n) + ": must have at most " + std::to_string(max) + " items");
}

// The two CEL rules on parentRefs (experimental channel, which has `port`): several references to one parent
// need distinct sectionNames or ports.
void check_parent_refs(const gwapi::Route& r, Checker& c) {
  too_many(c, r.parent_refs_loc, "spec.parentRefs", r.parent_refs.size(), 32);
  std::set<std::tuple<std::string, std::string, std::string, std::string>> seen;
  for (size_t i = 0; i < r.parent_refs.size(); ++i) {
    const gwapi::ParentReference& p = r.parent_refs[i];
    if (p.name.empty())
      c.error(p.loc, detail::field_index("spec.parentRefs", i) + ".name", "Required value", "name the parent Gateway");
    for (size_t j = 0; j < i; ++j) {
      const gwapi::ParentReference& q = r.parent_refs[j];
      if (p.group != q.group || p.kind != q.kind || p.name != q.name || p.ns != q.ns) continue;
      const bool port_set = p.port_present && p.port != 0, q_port_set = q.port_present && q.port != 0;
      if (p.section_name.empty() != q.section_name.empty() || port_set != q_port_set)
        c.error(p.loc, "spec.parentRefs",
                "sectionName or port must be specified when parentRefs includes 2 or more references to the same "
                "parent",
                "give every reference to " + p.name + " a sectionName (or port) naming one of its listeners");
      else if (p.section_name == q.section_name && p.port == q.port)
        c.error(p.loc, "spec.parentRefs",
                "sectionName or port must be unique when parentRefs includes 2 or more references to the same parent",
                "remove the duplicate reference to " + p.name);
    }
  }
}

void check_hostnames(const gwapi::Route& r, Checker& c) {
  too_many(c, r.loc, "spec.hostnames", r.hostnames.size(), 16);
  if (r.is_tcp() && !r.hostnames.empty())
    c.error(r.hostname_locs[0], "spec.hostnames", "TCPRoute has no field \"hostnames\"",
            "remove hostnames: a TCP listener cannot tell hosts apart");
  for (size_t i = 0; i < r.hostnames.size(); ++i)
    if (!detail::gateway_api_hostname(r.hostnames[i]))
      c.error(r.hostname_locs[i], detail::field_index("spec.hostnames", i),
              "Invalid value: \"" + r.hostnames[i] + "\": must be a lowercase hostname",
              "write a DNS name, optionally starting with \"*.\"; IP addresses and ports are not allowed");
}

// HTTPPathMatch: the enum and the CEL rules for Exact and PathPrefix values.
void check_path(const gwapi::RouteMatch& m, const std::string& f, Checker& c) {
  if (!m.path_present) return;
  const std::string& v = m.path_value;
  if (!detail::in(m.path_type, {"Exact", "PathPrefix", "RegularExpression"})) {
    c.error(m.path_loc, f + ".path.type", "Unsupported value: \"" + m.path_type + "\"",
            "supported values: \"Exact\", \"PathPrefix\", \"RegularExpression\"");
    return;
  }
  if (v.size() > 1024) c.error(m.path_loc, f + ".path.value", "may not be more than 1024 bytes");
  if (m.path_type == "RegularExpression") return;
  auto bad = [&](const std::string& msg) {
    c.error(m.path_loc, f + ".path", msg + " when type one of ['Exact', 'PathPrefix']",
            "write an absolute, normalized path such as /api/v1");
  };
  if (v.empty() || v[0] != '/') bad("value must be an absolute path and start with '/'");
  for (const char* s : {"//", "/./", "/../", "%2f", "%2F", "#"})
    if (v.find(s) != std::string::npos) bad(std::string("must not contain '") + s + "'");
  auto ends = [&](const std::string& s) {
    return v.size() >= s.size() && v.compare(v.size() - s.size(), s.size(), s) == 0;
  };
  if (ends("/.."))
    bad("must not end with '/..'");
  else if (ends("/."))
    bad("must not end with '/.'");
  static const std::regex chars("^(?:[-A-Za-z0-9/._~!$&'()*+,;=:@]|[%][0-9a-fA-F]{2})+$");
  if (!v.empty() && !std::regex_match(v, chars))
    bad("must only contain valid characters (matching ^(?:[-A-Za-z0-9/._~!$&'()*+,;=:@]|[%][0-9a-fA-F]{2})+$)");
}

void check_match(const gwapi::Route& r, const gwapi::RouteMatch& m, const std::string& f, Checker& c) {
  if (r.is_http()) {
    check_path(m, f, c);
    if (!m.method.empty() &&
        !detail::in(m.method, {"GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH"}))
      c.error(m.method_loc, f + ".method", "Unsupported value: \"" + m.method + "\"",
              "supported values: GET, HEAD, POST, PUT, DELETE, CONNECT, OPTIONS, TRACE, PATCH");
  }
  if (r.is_grpc() && m.grpc_method_present) {
    if (m.grpc_service.empty() && m.grpc_method.empty())
      c.error(m.method_loc, f + ".method", "One or both of 'service' or 'method' must be specified");
    if (!detail::in(m.grpc_type, {"Exact", "RegularExpression"}))
      c.error(m.method_loc, f + ".method.type", "Unsupported value: \"" + m.grpc_type + "\"",
              "supported values: \"Exact\", \"RegularExpression\"");
  }
  too_many(c, m.loc, f + ".headers", m.headers.size(), 16);
  std::set<std::string> names;
  for (size_t i = 0; i < m.headers.size(); ++i) {
    if (m.headers[i].first.empty()) c.error(m.loc, detail::field_index(f + ".headers", i) + ".name", "Required value");
    std::string lower;
    for (char ch : m.headers[i].first) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    if (!lower.empty() && !names.insert(lower).second)
      c.error(m.loc, f + ".headers", "Duplicate value: header name \"" + m.headers[i].first + "\"",
              "header names are case-insensitive: keep one match per name");
    if (!detail::in(m.header_types[i], {"Exact", "RegularExpression"}))
      c.error(m.loc, detail::field_index(f + ".headers", i) + ".type",
              "Unsupported value: \"" + m.header_types[i] + "\"");
  }
}

void check_backend(const gwapi::BackendReference& b, const std::string& f, Checker& c) {
  if (b.name.empty()) c.error(b.loc, f + ".name", "Required value", "name the backend Service");
  const bool service = (b.group.empty() || b.group == "core") && b.kind == "Service";
  if (service && !b.port_present)
    c.error(b.loc, f, "Must have port for Service reference", "add port: <the Service port>");
}

// The CRD's CEL rules on an HTTPRoute rule's filters (gateway-api v1.4.0/v1.6.1 standard channel).
void check_filters(const gwapi::RouteRule& rule, const std::string& f, Checker& c) {
  std::map<std::string, size_t> count;
  for (const gwapi::RouteFilter& filter : rule.filters) ++count[filter.type];
  if (count["RequestRedirect"] && count["URLRewrite"])
    c.error(rule.loc, f + ".filters",
            "May specify either httpRouteFilterRequestRedirect or httpRouteFilterRequestRewrite, but not both",
            "a redirect answers the client itself: drop the URLRewrite, or the RequestRedirect");
  for (const char* type : {"CORS", "RequestHeaderModifier", "ResponseHeaderModifier", "RequestRedirect", "URLRewrite"})
    if (count[type] > 1)
      c.error(rule.loc, f + ".filters", std::string(type) + " filter cannot be repeated", "merge them into one");
}

void check_rules(const gwapi::Route& r, Checker& c) {
  const bool l4 = r.is_tls() || r.is_tcp();
  if (l4 && r.rules.empty())
    c.error(r.rules_loc, "spec.rules", r.rules_present ? "should have at least 1 items" : "Required value",
            "add a rule with backendRefs");
  too_many(c, r.rules_loc, "spec.rules", r.rules.size(), 16);
  size_t total_matches = 0;
  for (size_t i = 0; i < r.rules.size(); ++i) {
    const gwapi::RouteRule& rule = r.rules[i];
    const std::string f = detail::field_index("spec.rules", i);
    total_matches += rule.matches.size();
    too_many(c, rule.loc, f + ".matches", rule.matches.size(), r.is_grpc() ? 8 : 64);
    for (size_t j = 0; j < rule.matches.size(); ++j)
      check_match(r, rule.matches[j], detail::field_index(f + ".matches", j), c);
    if (l4 && rule.backend_refs.empty())
      c.error(rule.loc, f + ".backendRefs",
              rule.backend_refs_present ? "should have at least 1 items" : "Required value",
              "name the Service this rule forwards to");
    too_many(c, rule.loc, f + ".backendRefs", rule.backend_refs.size(), 16);
    if (r.is_http()) check_filters(rule, f, c);
    for (size_t j = 0; j < rule.backend_refs.size(); ++j)
      check_backend(rule.backend_refs[j], detail::field_index(f + ".backendRefs", j), c);
  }
  if (r.is_http() && total_matches > 128)
    c.error(r.rules_loc, "spec.rules",
            "While 16 rules and 64 matches per rule are allowed, the total number of matches across all rules in a "
            "route must be less than 128");
}

}  // namespace

void validate(const gwapi::Route& route, std::vector<Diagnostic>& out) {
  Checker c(out, route);
  check_parent_refs(route, c);
  check_hostnames(route, c);
  check_rules(route, c);
}

void validate(const gwapi::ReferenceGrant& g, std::vector<Diagnostic>& out) {
  Checker c(out, g);
  if (g.from.empty())
    c.error(g.from_loc, "spec.from", g.from_present ? "should have at least 1 items" : "Required value",
            "add from: [{group: gateway.networking.k8s.io, kind: HTTPRoute, namespace: <ns>}]");
  if (g.to.empty())
    c.error(g.to_loc, "spec.to", g.to_present ? "should have at least 1 items" : "Required value",
            "add to: [{group: \"\", kind: Service}]");
  too_many(c, g.from_loc, "spec.from", g.from.size(), 16);
  too_many(c, g.to_loc, "spec.to", g.to.size(), 16);
  for (size_t i = 0; i < g.from.size(); ++i) {
    const gwapi::ReferenceGrantFrom& f = g.from[i];
    if (!f.group_present) c.error(f.loc, detail::field_index("spec.from", i) + ".group", "Required value");
    if (!f.kind_present || f.kind.empty())
      c.error(f.loc, detail::field_index("spec.from", i) + ".kind", "Required value");
    if (!f.ns_present || f.ns.empty())
      c.error(f.loc, detail::field_index("spec.from", i) + ".namespace", "Required value");
  }
  for (size_t i = 0; i < g.to.size(); ++i) {
    const gwapi::ReferenceGrantTo& t = g.to[i];
    if (!t.group_present) c.error(t.loc, detail::field_index("spec.to", i) + ".group", "Required value");
    if (!t.kind_present || t.kind.empty())
      c.error(t.loc, detail::field_index("spec.to", i) + ".kind", "Required value");
  }
}

}  // namespace meshproof::model
