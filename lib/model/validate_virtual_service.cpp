// What Istio's validation rejects in a VirtualService's match conditions:
// validateHTTPRouteMatchRequest, validateStringMatch,
// validateStringMatchRegexp, ValidateHTTPHeaderNameOrJwtClaimRoute,
// validateTLSMatch and validateTCPMatch of pkg/config/validation
// (docs/semantics.md#gateway-trace lists each rule). The routes' other fields
// (retries, rewrites, weights) are not validated here.
#include "model/istio_values.h"
#include "model/validate.h"
#include "model/validate_checker.h"
#include "model/validate_names.h"
#include "model/virtual_service_routes.h"

namespace meshproof::model {

using detail::Checker;
using detail::dns_label;

namespace {

// Envoy's RE2 program-size limit, approximated by Istio as the pattern's
// length.
constexpr size_t kMaxRegexLength = 1024;

// `where` is Istio's name of the field ("uri", "headers", ...).
// allow_empty_prefix: uri only (Envoy accepts an empty path prefix, not an
// empty prefix of another string).
void check_string_match(const VsStringMatch& m, const std::string& where, const std::string& field,
                        bool allow_empty_prefix, Checker& c) {
  if (m.type == "prefix" && m.value.empty() && !allow_empty_prefix)
    c.error(m.loc, field, "\"" + where + "\": prefix string match should not be empty",
            "remove the condition to match any value, or write a non-empty prefix");
  if (m.type != "regex") return;
  if (m.value.empty())
    c.error(m.loc, field, "\"" + where + "\": regex string match should not be empty",
            "remove the condition to match any value, or write a pattern");
  else if (m.value.size() > kMaxRegexLength)
    c.error(m.loc, field, "\"" + where + "\": regex is too large, max length allowed is 1024",
            "shorten the regular expression");
}

// A header name: letters, digits, '-' and '_' (istio_values.h), or a JWT claim
// route "@request.auth.claims.NAME".
bool vs_header_name_ok(const std::string& name) {
  if (name.rfind("@request.auth.claims.", 0) == 0) return name.size() > 21;
  return detail::valid_header_name(name);
}

void check_headers(const std::vector<VsNamedMatch>& headers, const std::string& where, const std::string& f,
                   Checker& c) {
  for (const VsNamedMatch& h : headers) {
    const std::string hf = f + "." + where + "." + h.name;
    if (!vs_header_name_ok(h.name))
      c.error(h.match.loc, hf,
              h.name.empty() ? "header name cannot be empty" : "header name " + h.name + " is not a valid header name",
              "header names use letters, digits, '-' and '_'");
    // withoutHeaders: regex "*" is not RE2: Istio turns it into a presence
    // match.
    if (!(where == "withoutHeaders" && h.match.type == "regex" && h.match.value == "*"))
      check_string_match(h.match, where, hf, false, c);
  }
}

void check_match_port(uint32_t port, Loc loc, const std::string& field, Checker& c) {
  if (port > 65535) c.error(loc, field, "port number " + std::to_string(port) + " must be in the range 1..65535");
}

void check_http_match(const VsHttpMatch& m, const std::string& f, Checker& c) {
  if (m.uri) check_string_match(*m.uri, "uri", f + ".uri", true, c);
  if (m.scheme) check_string_match(*m.scheme, "scheme", f + ".scheme", false, c);
  if (m.method) check_string_match(*m.method, "method", f + ".method", false, c);
  if (m.authority) check_string_match(*m.authority, "authority", f + ".authority", false, c);
  check_headers(m.headers, "headers", f, c);
  check_headers(m.without_headers, "withoutHeaders", f, c);
  for (const VsNamedMatch& q : m.query_params)
    check_string_match(q.match, "queryParams", f + ".queryParams." + q.name, false, c);
  check_match_port(m.port, m.port_loc, f + ".port", c);
  if (!m.source_namespace.empty() && !dns_label(m.source_namespace))
    c.error(m.source_namespace_loc, f + ".sourceNamespace",
            "sourceNamespace match " + m.source_namespace + " is invalid", "write a namespace name");
}

void check_l4_matches(const std::vector<VsL4Route>& routes, const char* kind, Checker& c) {
  for (size_t ri = 0; ri < routes.size(); ++ri)
    for (size_t mi = 0; mi < routes[ri].matches.size(); ++mi) {
      const VsL4Match& m = routes[ri].matches[mi];
      const std::string f =
          std::string("spec.") + kind + "[" + std::to_string(ri) + "].match[" + std::to_string(mi) + "]";
      if (std::string(kind) == "tls" && m.sni_hosts.empty())
        c.error(m.loc, f + ".sniHosts", "TLS match must have at least one SNI host",
                "list the server names this route takes, e.g. sniHosts: "
                "[\"app.example.com\"]");
      check_match_port(m.port, m.port_loc, f + ".port", c);
    }
}

}  // namespace

void validate(const VirtualService& v, std::vector<Diagnostic>& out) {
  if (!v.routes) return;
  Checker c(out, v);
  for (size_t ri = 0; ri < v.routes->http.size(); ++ri)
    for (size_t mi = 0; mi < v.routes->http[ri].matches.size(); ++mi)
      check_http_match(v.routes->http[ri].matches[mi],
                       "spec.http[" + std::to_string(ri) + "].match[" + std::to_string(mi) + "]", c);
  check_l4_matches(v.routes->tls, "tls", c);
  check_l4_matches(v.routes->tcp, "tcp", c);
}

}  // namespace meshproof::model
