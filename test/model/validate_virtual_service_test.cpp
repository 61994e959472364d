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
