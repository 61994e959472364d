// VirtualService match validation as Istio's (validateHTTPRouteMatchRequest, validateStringMatch,
// validateTLSMatch; docs/semantics.md#gateway-trace), and the routes the parser keeps for the gateway trace.
#include <catch2/catch.hpp>

#include "model/virtual_service_routes.h"
#include "model_test_util.h"

using namespace meshproof;
using namespace meshproof::model;
using test::dump;
using test::model_errors;
using test::model_from;

namespace {

std::string virtual_service(const std::string& routes) {
  return "apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {name: vs, namespace: shop}\n"
         "spec:\n  hosts: [shop.example.com]\n  gateways: [istio-system/public]\n" +
         routes;
}

}  // namespace

TEST_CASE("VirtualService: matches and destinations are kept in order", "[model][validate][virtualservice]") {
  auto r = model_from(virtual_service(R"(  http:
  - match:
    - uri: {prefix: /api}
      method: {exact: POST}
      headers: {x-canary: {}}
      ignoreUriCase: true
      port: 443
    route:
    - destination: {host: api, port: {number: 80}}
      weight: 90
    - destination: {host: canary}
      weight: 10
  - route:
    - destination: {host: web}
  tls:
  - match:
    - sniHosts: [shop.example.com]
    route:
    - destination: {host: tls}
)"));
  INFO(dump(r->set));
  CHECK(r->set.diagnostics.empty());
  REQUIRE(r->set.virtual_services.size() == 1);
  const VirtualService& v = r->set.virtual_services[0];
  REQUIRE(v.routes);
  REQUIRE(v.routes->http.size() == 2);
  const VsHttpMatch& m = v.routes->http[0].matches.at(0);
  CHECK(m.uri->type == "prefix");
  CHECK(m.method->value == "POST");
  CHECK(m.headers.at(0).name == "x-canary");
  CHECK(m.headers.at(0).match.type.empty());
  CHECK(m.ignore_uri_case);
  CHECK(m.port == 443);
  CHECK(v.routes->http[0].route.at(1).weight == 10);
  CHECK(v.routes->http[1].matches.empty());
  CHECK(v.routes->tls.at(0).matches.at(0).sni_hosts == std::vector<std::string>{"shop.example.com"});
  // The flat destination list the mesh reads is unchanged: every route's destinations, http first.
  REQUIRE(v.destinations.size() == 4);
  CHECK(v.destinations[3].kind == "tls");
  CHECK(v.destinations[0].host.value == "api");
}

TEST_CASE("VirtualService: Istio rejects empty prefixes and regexes, bad header names and ports",
          "[model][validate][virtualservice]") {
  const auto errors = model_errors(virtual_service(R"(  http:
  - match:
    - uri: {prefix: ""}
    - uri: {regex: ""}
    - method: {prefix: ""}
    - headers: {"bad header": {exact: x}}
    - withoutHeaders: {x-a: {regex: "*"}}
    - queryParams: {q: {regex: ""}}
    - port: 70000
    - sourceNamespace: Not_A_Label
    route:
    - destination: {host: api}
  tls:
  - match:
    - port: 443
    route:
    - destination: {host: tls}
)"));
  CHECK(errors == std::vector<std::string>{
                      "spec.http[0].match[1].uri: \"uri\": regex string match should not be empty",
                      "spec.http[0].match[2].method: \"method\": prefix string match should not be empty",
                      "spec.http[0].match[3].headers.bad header: header name bad header is not a valid header name",
                      "spec.http[0].match[5].queryParams.q: \"queryParams\": regex string match should not be empty",
                      "spec.http[0].match[6].port: port number 70000 must be in the range 1..65535",
                      "spec.http[0].match[7].sourceNamespace: sourceNamespace match Not_A_Label is invalid",
                      "spec.tls[0].match[0].sniHosts: TLS match must have at least one SNI host",
                  });
}

TEST_CASE("VirtualService: a match error points at its line and column", "[model][validate][virtualservice]") {
  auto r = model_from(virtual_service(R"(  http:
  - match:
    - uri: {regex: ""}
    route:
    - destination: {host: api}
)"));
  const Diagnostic* d = test::find_diag(r->set, "regex string match should not be empty");
  REQUIRE(d);
  CHECK(d->loc.line == 9);
  CHECK(d->loc.col == 7);
  CHECK(d->resource.name == "vs");
}

TEST_CASE("VirtualService: a regex must be RE2, as Istio's validation compiles it", "[model][validate][virtualservice]") {
  // Valid in ECMAScript (std::regex), not in RE2: a backreference, a lookahead, \Z. Valid in RE2, not in
  // ECMAScript: an inline flag, a Unicode class, \z.
  const auto errors = model_errors(virtual_service(R"(  http:
  - match:
    - uri: {regex: "(a)\\1"}
    - headers: {x-a: {regex: "(?=admin).*"}}
    - queryParams: {q: {regex: "abc\\Z"}}
    - uri: {regex: "(?i)/admin(/.*)?"}
    - authority: {regex: "\\pL+\\.example\\.com\\z"}
    route:
    - destination: {host: api}
)"));
  REQUIRE(errors.size() == 3);
  CHECK(errors[0].rfind("spec.http[0].match[0].uri: \"uri\": invalid escape sequence: \\1; Istio uses RE2", 0) == 0);
  CHECK(errors[1].rfind("spec.http[0].match[1].headers.x-a: \"headers\": invalid perl operator: (?=", 0) == 0);
  CHECK(errors[2].rfind("spec.http[0].match[2].queryParams.q: \"queryParams\": invalid escape sequence: \\Z", 0) == 0);
}

TEST_CASE("VirtualService: uriRegexRewrite needs match and rewrite, an RE2 match, and no uri beside it",
          "[model][validate][virtualservice]") {
  const auto errors = model_errors(virtual_service(R"yaml(  http:
  - rewrite:
      uriRegexRewrite: {match: "^/a(/.*)$", rewrite: "/b\\1"}
    route:
    - destination: {host: api}
  - rewrite:
      uriRegexRewrite: {match: "^/a(?!x)"}
    route:
    - destination: {host: api}
  - rewrite:
      uri: /c
      uriRegexRewrite: {match: "(?<=a)b", rewrite: "/b"}
    route:
    - destination: {host: api}
)yaml"));
  REQUIRE(errors.size() == 3);
  CHECK(errors[0] == "spec.http[1].rewrite.uriRegexRewrite: UriRegexRewrite has errors: UriRegexRewrite requires "
                     "both Rewrite and Match fields to be specified");
  CHECK(errors[1] == "spec.http[2].rewrite.uriRegexRewrite: rewrite may only contain one of URI or UriRegexRewrite");
  CHECK(errors[2].rfind("spec.http[2].rewrite.uriRegexRewrite: \"HTTPRewrite.UriRegexRewrite.Match\": invalid perl "
                        "operator: (?<",
                        0) == 0);
  auto r = model_from(virtual_service(R"(  http:
  - rewrite:
      uriRegexRewrite: {match: "^/a(/.*)$", rewrite: "/b\\1"}
    route:
    - destination: {host: api}
)"));
  const auto& h = r->set.virtual_services.at(0).routes->http.at(0);
  CHECK(h.rewrite_regex);
  CHECK(h.rewrite_regex_match == "^/a(/.*)$");
  CHECK(h.rewrite_regex_rewrite == "/b\\1");
}

TEST_CASE("VirtualService: delegate and root routes are validated as Istio's", "[model][validate][virtualservice]") {
  // A root route only delegates; a VirtualService without hosts is a delegate: no gateways, no tls/tcp
  // routes, no further delegation.
  auto root = model_errors(virtual_service(R"(  http:
  - name: r
    delegate: {name: child, namespace: other}
    route:
    - destination: {host: api}
)"));
  CHECK(root == std::vector<std::string>{"spec.http[0].route: root HTTP route r must not specify route"});
  auto child = model_errors(R"(apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: child, namespace: other}
spec:
  gateways: [istio-system/public]
  http:
  - delegate: {name: grandchild}
  tcp:
  - route:
    - destination: {host: db}
)");
  CHECK(child == std::vector<std::string>{
                     "spec.gateways: delegate virtual service must have no gateways specified",
                     "spec.tcp: delegate virtual service must have no tcp route specified",
                     "spec.http[0].delegate: delegate HTTP route cannot contain delegate",
                 });
  auto r = model_from(virtual_service(R"(  http:
  - delegate: {name: child, namespace: other}
)"));
  const auto& h = r->set.virtual_services.at(0).routes->http.at(0);
  CHECK(h.delegate);
  CHECK(h.delegate_name == "child");
  CHECK(h.delegate_namespace == "other");
}
