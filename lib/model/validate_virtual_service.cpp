// What Istio's validation rejects in a VirtualService's match conditions:
// validateHTTPRouteMatchRequest, validateStringMatch,
// validateStringMatchRegexp, ValidateHTTPHeaderNameOrJwtClaimRoute,
// validateTLSMatch and validateTCPMatch of pkg/config/validation; the
// uriRegexRewrite of validateHTTPRewrite; the delegate rules of
// ValidateVirtualService and validateHTTPRouteConflict
// (docs/semantics.md#gateway-trace lists each rule). The routes' other fields
// (retries, weights) are not validated here.
#include "model/istio_values.h"
#include "model/regex.h"
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

// validateStringRegexp: Istio compiles the pattern with Go's regexp, whose
// syntax is RE2's; RE2 decides here (model/regex.h). Backreferences,
// lookaround and \Z are not RE2.
void check_regex_syntax(const std::string& re, Loc loc, const std::string& where, const std::string& field,
                        Checker& c) {
  if (auto err = regex_error(re))
    c.error(loc, field,
            "\"" + where + "\": " + *err +
                "; Istio uses RE2 style regex-based match (https://github.com/google/re2/wiki/Syntax)",
            "rewrite the pattern in RE2 syntax: no backreferences (\\1), lookahead or lookbehind ((?=, (?!, "
            "(?<=), \\Z (use $ or \\z)");
}

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
  else
    check_regex_syntax(m.value, m.loc, where, field, c);
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

// validateHTTPRewrite / validateURIRegexRewrite.
void check_rewrite(const VsHttpRoute& h, const std::string& f, Checker& c) {
  if (!h.rewrite_regex) return;
  const std::string field = f + ".rewrite.uriRegexRewrite";
  if (h.rewrite_uri_present && !h.rewrite_uri.empty())
    c.error(h.rewrite_regex_loc, field, "rewrite may only contain one of URI or UriRegexRewrite",
            "keep either rewrite.uri or rewrite.uriRegexRewrite");
  if (h.rewrite_regex_match.empty() || h.rewrite_regex_rewrite.empty())
    c.error(h.rewrite_regex_loc, field,
            "UriRegexRewrite has errors: UriRegexRewrite requires both Rewrite and Match fields to be specified",
            "write both match (an RE2 pattern) and rewrite");
  else if (h.rewrite_regex_match.size() > kMaxRegexLength)
    c.error(h.rewrite_regex_loc, field,
            "\"HTTPRewrite.UriRegexRewrite.Match\": regex is too large, max length allowed is 1024",
            "shorten the regular expression");
  else
    check_regex_syntax(h.rewrite_regex_match, h.rewrite_regex_loc, "HTTPRewrite.UriRegexRewrite.Match", field, c);
}

// A VirtualService without hosts is a delegate (ValidateVirtualService); a
// route with `delegate` is a root route, which only delegates
// (validateHTTPRouteConflict).
void check_delegation(const VirtualService& v, Checker& c) {
  const bool is_delegate = v.hosts.empty();
  if (is_delegate && !v.gateways.empty())
    c.error(v.gateway_locs.empty() ? v.loc : v.gateway_locs.front(), "spec.gateways",
            "delegate virtual service must have no gateways specified",
            "a VirtualService without hosts is a delegate; bind the root VirtualService to the gateway instead");
  if (is_delegate && !v.routes->tls.empty())
    c.error(v.routes->tls.front().loc, "spec.tls", "delegate virtual service must have no tls route specified");
  if (is_delegate && !v.routes->tcp.empty())
    c.error(v.routes->tcp.front().loc, "spec.tcp", "delegate virtual service must have no tcp route specified");
  for (size_t ri = 0; ri < v.routes->http.size(); ++ri) {
    const VsHttpRoute& h = v.routes->http[ri];
    const std::string f = "spec.http[" + std::to_string(ri) + "]";
    if (is_delegate && h.delegate)
      c.error(h.loc, f + ".delegate", "delegate HTTP route cannot contain delegate",
              "Istio follows one level of delegation only");
    if (is_delegate || !h.delegate) continue;
    if (h.redirect)
      c.error(h.loc, f + ".redirect", "root HTTP route " + h.name + " must not specify redirect",
              "a delegating route only delegates; put the redirect in the delegate");
    if (!h.route.empty())
      c.error(h.loc, f + ".route", "root HTTP route " + h.name + " must not specify route",
              "a delegating route only delegates; put the destinations in the delegate");
  }
}

}  // namespace

void validate(const VirtualService& v, std::vector<Diagnostic>& out) {
  if (!v.routes) return;
  Checker c(out, v);
  for (size_t ri = 0; ri < v.routes->http.size(); ++ri) {
    const std::string f = "spec.http[" + std::to_string(ri) + "]";
    for (size_t mi = 0; mi < v.routes->http[ri].matches.size(); ++mi)
      check_http_match(v.routes->http[ri].matches[mi], f + ".match[" + std::to_string(mi) + "]", c);
    check_rewrite(v.routes->http[ri], f, c);
  }
  check_l4_matches(v.routes->tls, "tls", c);
  check_l4_matches(v.routes->tcp, "tcp", c);
  check_delegation(v, c);
}

}  // namespace meshproof::model
