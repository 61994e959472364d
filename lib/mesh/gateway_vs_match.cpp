// VirtualService route choice at a gateway (mesh/gateway_vs_match.h). Regular expressions are RE2, full
// match, as Envoy's safe_regex evaluates them (model/regex.h).
#include "mesh/gateway_vs_match.h"

#include "base/text.h"
#include "mesh/gateway_routes.h"
#include "model/regex.h"

namespace meshproof::mesh {

namespace {

using model::VsStringMatch;

// The result of one condition: whether it holds, and whether a regex RE2 rejects was met (such a route
// never matches: Istio's validation rejects the VirtualService).
struct VsCondition {
  bool holds = true;
  bool invalid_regex = false;
};

bool vs_regex_full_match(const std::string& re, const std::string& value, VsCondition& c) {
  if (model::regex_error(re)) {
    c.invalid_regex = true;
    return false;
  }
  return model::regex_full_match(re, value);
}

// StringMatch on a value that may be absent: `{}` requires presence (Istio translates it to a present
// match); exact/prefix compare bytes (lower-cased when ignore_case); regex must match the whole value.
bool vs_string_matches(const VsStringMatch& m, const std::string* value, bool ignore_case, VsCondition& c) {
  if (!value) return false;
  const std::string v = ignore_case ? ascii_lower(*value) : *value;
  const std::string want = ignore_case ? ascii_lower(m.value) : m.value;
  if (m.type == "exact") return v == want;
  if (m.type == "prefix") return v.compare(0, want.size(), want) == 0;
  if (m.type == "regex") return vs_regex_full_match(m.value, *value, c);
  return true;
}

std::string vs_path_without_query(const std::string& path) { return path.substr(0, path.find('?')); }

// ?a=1&b=2 → {a: 1, b: 2} (the first value of a repeated name).
std::map<std::string, std::string> vs_query_params(const std::string& path) {
  std::map<std::string, std::string> out;
  const size_t q = path.find('?');
  if (q == std::string::npos) return out;
  for (const std::string& kv : split(path.substr(q + 1), '&')) {
    if (kv.empty()) continue;
    const size_t eq = kv.find('=');
    out.emplace(kv.substr(0, eq), eq == std::string::npos ? "" : kv.substr(eq + 1));
  }
  return out;
}

// match.gateways: "name" is in the VirtualService's namespace; "mesh" is the sidecars.
bool vs_gateway_listed(const std::vector<std::string>& gateways, const model::VirtualService& vs,
                       const std::string& gateway) {
  if (gateways.empty()) return true;
  for (const std::string& g : gateways)
    if ((g.find('/') == std::string::npos ? effective_namespace(vs) + "/" + g : g) == gateway) return true;
  return false;
}

// uri: exact and regex see the path without its query string, prefix the whole :path (Envoy's route
// match); ignoreUriCase makes exact and prefix case-insensitive.
bool vs_uri_matches(const model::VsHttpMatch& m, const VsRequest& req, VsCondition& c) {
  if (!m.uri) return true;
  const std::string path = m.uri->type == "prefix" ? req.path : vs_path_without_query(req.path);
  const bool ignore_case = m.ignore_uri_case && m.uri->type != "regex";
  return vs_string_matches(*m.uri, &path, ignore_case, c);
}

bool vs_headers_match(const model::VsHttpMatch& m, const VsRequest& req, VsCondition& c) {
  auto value_of = [&](const std::string& name) -> const std::string* {
    auto it = req.headers.find(ascii_lower(name));
    return it == req.headers.end() ? nullptr : &it->second;
  };
  for (const model::VsNamedMatch& h : m.headers)
    if (!vs_string_matches(h.match, value_of(h.name), false, c)) return false;
  for (const model::VsNamedMatch& h : m.without_headers) {
    const std::string* v = value_of(h.name);
    const bool any = h.match.type.empty() || (h.match.type == "regex" && h.match.value == "*");
    if (v && (any || vs_string_matches(h.match, v, false, c))) return false;
  }
  const std::map<std::string, std::string> params = vs_query_params(req.path);
  for (const model::VsNamedMatch& q : m.query_params) {
    auto it = params.find(q.name);
    if (!vs_string_matches(q.match, it == params.end() ? nullptr : &it->second, false, c)) return false;
  }
  return true;
}

// Every condition of one HTTPMatchRequest (AND).
bool vs_http_match_holds(const model::VirtualService& vs, const model::VsHttpMatch& m, const VsRequest& req,
                         VsCondition& c) {
  if (!vs_gateway_listed(m.gateways, vs, req.gateway)) return false;
  if (m.port && m.port != req.port) return false;
  if (!m.source_namespace.empty() && m.source_namespace != req.gateway_pod_ns) return false;
  for (const auto& [k, v] : m.source_labels) {
    auto it = req.gateway_pod_labels.find(k);
    if (it == req.gateway_pod_labels.end() || it->second != v) return false;
  }
  if (!vs_uri_matches(m, req, c)) return false;
  if (m.method && !vs_string_matches(*m.method, &req.method, false, c)) return false;
  if (m.scheme && !vs_string_matches(*m.scheme, &req.scheme, false, c)) return false;
  if (m.authority && !vs_string_matches(*m.authority, &req.host, false, c)) return false;
  return vs_headers_match(m, req, c);
}

VsRouteChoice choose_http(const model::VirtualService& vs, const std::vector<model::VsHttpRoute>& http,
                          const VsRequest& req) {
  VsRouteChoice out;
  for (size_t ri = 0; ri < http.size() && out.route < 0; ++ri) {
    if (http[ri].matches.empty()) {
      out.route = static_cast<int>(ri);
      break;
    }
    for (size_t mi = 0; mi < http[ri].matches.size(); ++mi) {
      VsCondition c;
      const bool holds = vs_http_match_holds(vs, http[ri].matches[mi], req, c);
      if (c.invalid_regex)
        out.notes.push_back("http[" + std::to_string(ri) + "] match[" + std::to_string(mi) +
                            "]: a regex that RE2 rejects never matches (Istio's validation rejects it)");
      if (!holds) continue;
      out.route = static_cast<int>(ri);
      out.match = static_cast<int>(mi);
      break;
    }
  }
  return out;
}

// tls[]: sniHosts (required by Istio's validation) against the SNI; tcp[]: port. First match wins.
VsRouteChoice choose_l4(const model::VirtualService& vs, const std::vector<model::VsL4Route>& routes, bool tls,
                        const VsRequest& req) {
  VsRouteChoice out;
  for (size_t ri = 0; ri < routes.size() && out.route < 0; ++ri) {
    if (routes[ri].matches.empty() && !tls) {
      out.route = static_cast<int>(ri);
      break;
    }
    for (size_t mi = 0; mi < routes[ri].matches.size() && out.route < 0; ++mi) {
      const model::VsL4Match& m = routes[ri].matches[mi];
      if (!vs_gateway_listed(m.gateways, vs, req.gateway) || (m.port && m.port != req.port)) continue;
      bool sni_ok = !tls;
      for (const std::string& h : m.sni_hosts) sni_ok = sni_ok || hostname_matches(h, req.host);
      if (!sni_ok) continue;
      out.route = static_cast<int>(ri);
      out.match = static_cast<int>(mi);
    }
  }
  return out;
}

std::string describe_string_match(const char* what, const std::optional<VsStringMatch>& m) {
  if (!m) return "";
  return std::string(what) + " " + (m->type.empty() ? "present" : m->type + " " + m->value);
}

}  // namespace

VsRouteChoice choose_vs_route(const model::VirtualService& vs, const model::VirtualServiceRoutes& routes,
                              const std::string& kind, const VsRequest& req) {
  if (kind == "http") return choose_http(vs, routes.http, req);
  return choose_l4(vs, kind == "tls" ? routes.tls : routes.tcp, kind == "tls", req);
}

VsRouteChoice choose_vs_route(const model::VirtualService& vs, const std::string& kind, const VsRequest& req) {
  if (!vs.routes) return {};
  return choose_vs_route(vs, *vs.routes, kind, req);
}

std::string describe_vs_choice(const model::VirtualServiceRoutes& routes, const std::string& kind,
                               const VsRouteChoice& c) {
  const model::VsHttpRoute* h = kind == "http" ? &routes.http[c.route] : nullptr;
  // A merged table (delegates followed) names routes by their index in the VirtualService that wrote them.
  std::string s = kind + "[" + std::to_string(h && h->root_route >= 0 ? h->root_route : c.route) + "]";
  if (h && !h->delegated_from.empty())
    s += " delegated to VirtualService " + h->delegated_from + " http[" + std::to_string(h->delegate_route) + "]";
  if (c.match < 0) return s + (kind == "tls" ? "" : " (no match: every request)");
  s += h && !h->delegated_from.empty() ? " merged match[" : " match[";
  s += std::to_string(c.match) + "]";
  if (!h) return s;
  const model::VsHttpMatch& m = h->matches[c.match];
  std::vector<std::string> parts;
  for (const std::string& p :
       {describe_string_match("uri", m.uri), describe_string_match("method", m.method),
        describe_string_match("scheme", m.scheme), describe_string_match("authority", m.authority)})
    if (!p.empty()) parts.push_back(p);
  for (const model::VsNamedMatch& header : m.headers)
    parts.push_back("header " + header.name +
                    (header.match.type.empty() ? " present" : " " + header.match.type + " " + header.match.value));
  if (m.port) parts.push_back("port " + std::to_string(m.port));
  if (!parts.empty()) s += " (" + join(parts, ", ") + ")";
  return s;
}

std::string describe_vs_choice(const model::VirtualService& vs, const std::string& kind, const VsRouteChoice& c) {
  if (!vs.routes) return kind + "[" + std::to_string(c.route) + "]";
  return describe_vs_choice(*vs.routes, kind, c);
}

}  // namespace meshproof::mesh
