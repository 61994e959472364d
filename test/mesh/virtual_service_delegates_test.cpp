// mesh::merge_delegates (docs/semantics.md#vs-delegate): the route table Istio builds from a root
// VirtualService and its delegates (mergeHTTPRoutes, mergeHTTPMatchRequests, hasConflict of
// pilot/pkg/model/virtualservice.go).
#include <catch2/catch.hpp>

#include "mesh/virtual_service_delegates.h"
#include "test_support.h"

using namespace meshproof;

namespace {

const std::string kRootAndDelegates = R"(apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: root, namespace: shop}
spec:
  hosts: [shop.example.com]
  gateways: [istio-system/public]
  http:
  - name: a
    match:
    - uri: {prefix: /a}
      headers: {h1: {exact: x}}
    - uri: {exact: /b}
    rewrite: {uri: /z}
    delegate: {name: d}
  - name: hidden
    delegate: {name: private, namespace: other}
  - name: rest
    route: [{destination: {host: web}}]
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: d, namespace: shop}
spec:
  http:
  - name: narrower
    match:
    - uri: {prefix: /a/b}
      headers: {h2: {exact: "two"}}
    rewrite: {authority: inner}
    route: [{destination: {host: one}}]
  - name: exact
    match:
    - uri: {exact: /b}
    route: [{destination: {host: two}}]
  - name: regex
    match:
    - uri: {regex: "/a.*"}
    route: [{destination: {host: three}}]
  - name: by-method
    match:
    - method: {exact: GET}
    route: [{destination: {host: four}}]
  - name: any
    route: [{destination: {host: five}}]
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: private, namespace: other}
spec:
  exportTo: ["."]
  http:
  - route: [{destination: {host: six}}]
)";

const model::VirtualService& named(const app::Input& input, const std::string& name) {
  for (const model::VirtualService& vs : input.mesh.resources->virtual_services)
    if (vs.meta.name == name) return vs;
  std::string diagnostics;
  for (const model::Diagnostic& d : input.mesh.resources->diagnostics) diagnostics += d.message + "\n";
  FAIL("no VirtualService " << name << "; diagnostics:\n" << diagnostics);
  throw;
}

}  // namespace

TEST_CASE("delegates: each delegate route replaces the root route, its match merged or dropped",
          "[mesh][gateways][delegate]") {
  auto input = test::load_yaml(kRootAndDelegates);
  REQUIRE(input);
  const mesh::MergedRoutes merged = mesh::merge_delegates(named(*input, "root"), *input->mesh.resources);
  CHECK(merged.delegates);
  const auto& http = merged.routes->http;
  // narrower, exact, by-method, any (regex dropped), then rest; `hidden` dropped (not exported to shop).
  REQUIRE(http.size() == 5);
  CHECK(http[0].name == "narrower");
  CHECK(http[0].delegated_from == "shop/d");
  CHECK(http[0].root_route == 0);
  CHECK(http[0].delegate_route == 0);
  // /a/b is inside /a (not inside exact /b): one merged match, the root's header kept beside the delegate's.
  REQUIRE(http[0].matches.size() == 1);
  CHECK(http[0].matches[0].uri->value == "/a/b");
  REQUIRE(http[0].matches[0].headers.size() == 2);
  CHECK(http[0].matches[0].headers[0].name == "h1");
  CHECK(http[0].matches[0].headers[1].name == "h2");
  // Its own rewrite wins; a route without one takes the root's.
  CHECK_FALSE(http[0].rewrite_uri_present);
  CHECK(http[0].rewrite_authority == "inner");
  CHECK(http[1].name == "exact");
  REQUIRE(http[1].matches.size() == 1);
  CHECK(http[1].matches[0].uri->type == "exact");
  CHECK(http[1].rewrite_uri == "/z");
  // No uri of its own: it fits both root matches, one merged match each.
  CHECK(http[2].name == "by-method");
  REQUIRE(http[2].matches.size() == 2);
  CHECK(http[2].matches[0].uri->value == "/a");
  CHECK(http[2].matches[0].method->value == "GET");
  CHECK(http[2].matches[1].uri->value == "/b");
  // No match at all: the root route's matches.
  CHECK(http[3].name == "any");
  CHECK(http[3].matches.size() == 2);
  CHECK(http[4].name == "rest");
  CHECK(http[4].delegated_from.empty());
  CHECK(http[4].root_route == 2);
  REQUIRE(merged.notes.size() == 2);
  CHECK(merged.notes[0] ==
        "VirtualService shop/d http[2]: its match is not inside http[0]'s match (Istio: \"HTTPMatchRequests "
        "conflict\"); the route is dropped");
  CHECK(merged.notes[1] ==
        "http[1] delegates to VirtualService other/private, which is not exported to namespace shop: Istio drops "
        "the route");
}

TEST_CASE("delegates: a VirtualService that delegates nothing keeps its routes", "[mesh][gateways][delegate]") {
  auto input = test::load_yaml(kRootAndDelegates);
  REQUIRE(input);
  const model::VirtualService& d = named(*input, "d");
  const mesh::MergedRoutes merged = mesh::merge_delegates(d, *input->mesh.resources);
  CHECK_FALSE(merged.delegates);
  CHECK(merged.routes == d.routes);
}

TEST_CASE("delegates: a destination host names the namespace Istio resolves it in", "[mesh][gateways][delegate]") {
  CHECK(mesh::destination_namespace("reviews", "shop") == "shop");
  CHECK(mesh::destination_namespace("reviews.books", "shop") == "books");
  CHECK(mesh::destination_namespace("reviews.books.svc.cluster.local", "shop") == "books");
  CHECK(mesh::destination_namespace("api.example.com", "shop").empty());
}
