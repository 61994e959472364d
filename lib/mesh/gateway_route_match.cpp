// Which Gateway API route rule takes a request (mesh/gateway_routes.h choose_route): the precedence of the
// HTTPRoute spec ("Matching precedence": Exact path, longest prefix, method, headers, oldest route, rule
// order; docs/semantics.md#gateway-api-routes). Regular expressions are RE2, full match: Istio turns a
// RegularExpression match into Envoy's safe_regex (model/regex.h).
#include <tuple>

#include "base/text.h"
#include "mesh/gateway_routes.h"
#include "model/regex.h"

namespace meshproof::mesh {

namespace gw = model::gwapi;

bool hostname_matches(const std::string& pattern, const std::string& host) {
  if (pattern.empty() || pattern == "*") return true;
  const std::string h = ascii_lower(host), p = ascii_lower(pattern);
  if (p.rfind("*.", 0) != 0) return p == h;
  const std::string suffix = p.substr(1);  // ".example.com"
  return h.size() > suffix.size() && h.compare(h.size() - suffix.size(), suffix.size(), suffix) == 0;
}

bool redirects(const gw::RouteRule& rule) {
  for (const gw::RouteFilter& f : rule.filters)
    if (f.type == "RequestRedirect") return true;
  return false;
}

std::string redirect_scheme(const gw::RouteRule& rule) {
  for (const gw::RouteFilter& f : rule.filters)
    if (f.type == "RequestRedirect") return f.redirect_scheme;
  return "";
}

namespace {

// PathPrefix matches whole path elements: "/foo" matches "/foo", "/foo/" and "/foo/bar", not "/foobar".
bool prefix_matches(std::string prefix, const std::string& path) {
  while (prefix.size() > 1 && prefix.back() == '/') prefix.pop_back();
  if (prefix == "/") return true;
  if (path.compare(0, prefix.size(), prefix) != 0) return false;
  return path.size() == prefix.size() || path[prefix.size()] == '/';
}

bool regex_matches(const std::string& re, const std::string& value) { return model::regex_full_match(re, value); }

bool path_matches(const gw::RouteMatch& m, const std::string& path) {
  if (m.path_type == "Exact") return path == m.path_value;
  if (m.path_type == "RegularExpression") return regex_matches(m.path_value, path);
  return prefix_matches(m.path_value, path);
}

// gRPC: the path is /<service>/<method>.
bool grpc_matches(const gw::RouteMatch& m, const std::string& path) {
  if (!m.grpc_method_present) return true;
  const size_t slash = path.find('/', 1);
  if (path.empty() || path[0] != '/' || slash == std::string::npos) return false;
  const std::string service = path.substr(1, slash - 1), method = path.substr(slash + 1);
  auto one = [&](const std::string& want, const std::string& got) {
    if (want.empty()) return true;
    return m.grpc_type == "RegularExpression" ? regex_matches(want, got) : want == got;
  };
  return one(m.grpc_service, service) && one(m.grpc_method, method);
}

bool takes(const gw::Route& r, const gw::RouteMatch& m, const std::string& path, const std::string& method) {
  if (!m.headers.empty()) return false;  // the request carries no headers to match
  if (r.is_grpc()) return grpc_matches(m, path);
  if (!m.method.empty() && m.method != method) return false;
  return path_matches(m, path);
}

// Larger is more specific (compared lexicographically).
using Rank = std::tuple<int, size_t, int, size_t>;
Rank rank_of(const gw::RouteMatch& m) {
  const int type = m.path_type == "Exact" ? 2 : m.path_type == "PathPrefix" ? 1 : 0;
  return {type, m.path_type == "PathPrefix" ? m.path_value.size() : 0, m.method.empty() ? 0 : 1, m.headers.size()};
}

bool older(const gw::Route& a, const gw::Route& b) { return istio_older(a, b); }

}  // namespace

ApiRouteChoice choose_route(const ApiListener& l, const std::string& host, const std::string& path,
                            const std::string& method) {
  ApiRouteChoice best;
  Rank best_rank;
  static const gw::RouteMatch kDefault;  // PathPrefix "/"
  for (const ApiRouteBinding& b : l.routes) {
    bool host_ok = false;
    for (const std::string& h : b.hosts) host_ok = host_ok || hostname_matches(h, host);
    if (!host_ok) continue;
    for (size_t ri = 0; ri < b.route->rules.size(); ++ri) {
      const gw::RouteRule& rule = b.route->rules[ri];
      const size_t n = rule.matches.empty() ? 1 : rule.matches.size();
      for (size_t mi = 0; mi < n; ++mi) {
        const gw::RouteMatch& m = rule.matches.empty() ? kDefault : rule.matches[mi];
        if (!takes(*b.route, m, path, method)) continue;
        const Rank rank = rank_of(m);
        const bool better =
            !best.binding || rank > best_rank ||
            (rank == best_rank && best.binding->route != b.route && older(*b.route, *best.binding->route));
        if (!better) continue;
        best = ApiRouteChoice{&b, ri, mi, rule.matches.empty()};
        best_rank = rank;
      }
    }
  }
  return best;
}

}  // namespace meshproof::mesh
