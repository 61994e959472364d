// Gateway API routes and ReferenceGrant (model/gateway_api.h): the fields meshproof reads, the served
// versions, and what the CRDs' schema and CEL rules reject (docs/semantics.md#gateway-api-routes), each from
// a minimal object.
#include <catch2/catch.hpp>

#include "model_test_util.h"

using namespace meshproof;
using namespace meshproof::model;
using test::dump;
using test::model_from;

namespace {

std::string route(const std::string& kind, const std::string& spec,
                  const std::string& api = "gateway.networking.k8s.io/v1") {
  return "apiVersion: " + api + "\nkind: " + kind + "\nmetadata: {name: r, namespace: pay}\nspec: " + spec;
}

bool has(const std::vector<std::string>& v, const std::string& s) {
  for (const std::string& e : v)
    if (e.find(s) != std::string::npos) return true;
  return false;
}

}  // namespace

TEST_CASE("HTTPRoute: parentRefs, hostnames, matches and backendRefs are read with the CRD defaults",
          "[model][gateway-api]") {
  auto r = model_from(route("HTTPRoute", R"(
  parentRefs: [{name: gw, namespace: edge, sectionName: https}]
  hostnames: [api.example.com]
  rules:
  - matches: [{path: {type: Exact, value: /login}, method: POST}, {headers: [{name: x-a, value: b}]}]
    backendRefs: [{name: api, port: 8080, weight: 3}, {name: other, namespace: shop, port: 80}]
)"));
  INFO(dump(r->set));
  REQUIRE(r->set.gateway_api_routes.size() == 1);
  CHECK(r->set.diagnostics.empty());
  const gwapi::Route& rt = r->set.gateway_api_routes[0];
  CHECK(rt.is_http());
  REQUIRE(rt.parent_refs.size() == 1);
  CHECK(rt.parent_refs[0].group == "gateway.networking.k8s.io");
  CHECK(rt.parent_refs[0].kind == "Gateway");
  CHECK(rt.parent_refs[0].ns == "edge");
  CHECK(rt.parent_refs[0].section_name == "https");
  CHECK(rt.hostnames == std::vector<std::string>{"api.example.com"});
  REQUIRE(rt.rules.size() == 1);
  REQUIRE(rt.rules[0].matches.size() == 2);
  CHECK(rt.rules[0].matches[0].path_type == "Exact");
  CHECK(rt.rules[0].matches[0].method == "POST");
  CHECK(rt.rules[0].matches[1].path_type == "PathPrefix");  // the default
  CHECK(rt.rules[0].matches[1].path_value == "/");
  REQUIRE(rt.rules[0].backend_refs.size() == 2);
  CHECK(rt.rules[0].backend_refs[0].kind == "Service");
  CHECK(rt.rules[0].backend_refs[0].weight == 3);
  CHECK(rt.rules[0].backend_refs[1].weight == 1);
  CHECK(rt.rules[0].backend_refs[1].ns == "shop");
}

TEST_CASE("HTTPRoute without rules gets the CRD's default rule", "[model][gateway-api]") {
  auto r = model_from(route("HTTPRoute", "{parentRefs: [{name: gw}]}"));
  REQUIRE(r->set.gateway_api_routes.size() == 1);
  REQUIRE(r->set.gateway_api_routes[0].rules.size() == 1);
  CHECK(r->set.gateway_api_routes[0].rules[0].backend_refs.empty());
}

TEST_CASE("Gateway API routes: versions that are not served leave the world", "[model][gateway-api]") {
  CHECK(has(test::model_errors(route("HTTPRoute", "{}", "gateway.networking.k8s.io/v1alpha2")),
            "no matches for kind \"HTTPRoute\" in version \"gateway.networking.k8s.io/v1alpha2\""));
  CHECK(test::model_errors(
            route("TCPRoute", "{rules: [{backendRefs: [{name: a, port: 1}]}]}", "gateway.networking.k8s.io/v1alpha2"))
            .empty());
  CHECK(test::model_errors(
            route("TLSRoute", "{rules: [{backendRefs: [{name: a, port: 1}]}]}", "gateway.networking.k8s.io/v1alpha3"))
            .empty());
  CHECK(has(test::model_errors(route("GRPCRoute", "{}", "gateway.networking.k8s.io/v1beta1")),
            "no matches for kind \"GRPCRoute\""));
}

TEST_CASE("Gateway API routes: what the CRDs reject", "[model][gateway-api]") {
  CHECK(has(test::model_errors(route("HTTPRoute", "{rules: [{backendRefs: [{name: api}]}]}")),
            "Must have port for Service reference"));
  CHECK(has(test::model_errors(route("HTTPRoute", "{rules: [{matches: [{path: {type: PathPrefix, value: api}}]}]}")),
            "value must be an absolute path and start with '/'"));
  CHECK(has(test::model_errors(route("HTTPRoute", "{rules: [{matches: [{path: {type: Exact, value: /a//b}}]}]}")),
            "must not contain '//'"));
  CHECK(has(test::model_errors(route("HTTPRoute", "{rules: [{matches: [{path: {type: Glob, value: /a}}]}]}")),
            "Unsupported value: \"Glob\""));
  CHECK(has(test::model_errors(route("HTTPRoute", "{rules: [{matches: [{method: get}]}]}")),
            "Unsupported value: \"get\""));
  CHECK(has(test::model_errors(route("HTTPRoute", "{hostnames: [\"API.example.com\"]}")),
            "must be a lowercase hostname"));
  CHECK(has(test::model_errors(route("HTTPRoute", "{parentRefs: [{name: gw}, {name: gw, sectionName: a}]}")),
            "sectionName or port must be specified when parentRefs includes 2 or more references to the same parent"));
  CHECK(has(
      test::model_errors(route("HTTPRoute", "{parentRefs: [{name: gw, sectionName: a}, {name: gw, sectionName: a}]}")),
      "sectionName or port must be unique"));
  CHECK(test::model_errors(route("HTTPRoute",
                                 "{parentRefs: [{kind: Service, group: \"\", name: s, port: 80}, "
                                 "{kind: Service, group: \"\", name: s, port: 8080}]}"))
            .empty());
  CHECK(has(test::model_errors(route("TCPRoute", "{rules: []}")), "spec.rules: should have at least 1 items"));
  CHECK(has(test::model_errors(route("TLSRoute", "{rules: [{}]}")), "spec.rules[0].backendRefs: Required value"));
  CHECK(has(test::model_errors(route("GRPCRoute", "{rules: [{matches: [{method: {type: Exact}}]}]}")),
            "One or both of 'service' or 'method' must be specified"));
  CHECK(test::model_errors(
            route("HTTPRoute", "{rules: [{matches: [{path: {type: RegularExpression, value: \"^/a.*\"}}]}]}"))
            .empty());
}

TEST_CASE("ReferenceGrant: read, and from/to required", "[model][gateway-api]") {
  auto r = model_from(R"(apiVersion: gateway.networking.k8s.io/v1beta1
kind: ReferenceGrant
metadata: {name: g, namespace: certs}
spec:
  from: [{group: gateway.networking.k8s.io, kind: Gateway, namespace: edge}]
  to: [{group: "", kind: Secret, name: api-cert}]
)");
  INFO(dump(r->set));
  CHECK(r->set.diagnostics.empty());
  REQUIRE(r->set.reference_grants.size() == 1);
  CHECK(r->set.reference_grants[0].from[0].ns == "edge");
  CHECK(r->set.reference_grants[0].to[0].name == "api-cert");
  auto bad = test::model_errors(
      "apiVersion: gateway.networking.k8s.io/v1\nkind: ReferenceGrant\nmetadata: {name: g}\n"
      "spec: {from: [{kind: Gateway}]}");
  CHECK(has(bad, "spec.to: Required value"));
  CHECK(has(bad, "spec.from[0].group: Required value"));
  CHECK(has(bad, "spec.from[0].namespace: Required value"));
}
