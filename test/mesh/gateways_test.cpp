// Mesh::gateways (docs/semantics.md §8, gateway.md G6-G8): gateway pods, the default PASSTHROUGH mode,
// VirtualService binding by name and host, and the backends the routes reach.
#include <catch2/catch.hpp>

#include "test_support.h"

using namespace meshproof;

namespace {

const std::string kWorld = R"(apiVersion: apps/v1
kind: Deployment
metadata: {name: ingress, namespace: istio-system}
spec:
  selector: {matchLabels: {istio: ingressgateway}}
  template:
    metadata: {labels: {istio: ingressgateway}}
    spec: {containers: [{name: istio-proxy, image: auto}]}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: api, namespace: payments}
spec:
  selector: {matchLabels: {app: api}}
  template:
    metadata: {labels: {app: api}}
    spec: {containers: [{name: api, image: api}]}
---
apiVersion: v1
kind: Service
metadata: {name: api, namespace: payments}
spec: {selector: {app: api}, ports: [{name: http, port: 80, targetPort: 8080}]}
---
apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {name: gw, namespace: payments}
spec:
  servers:
  - port: {number: 443, name: https, protocol: HTTPS}
    hosts: ["team-a/*.example.com", "./api.example.com"]
    tls: {credentialName: c}
  - port: {number: 80, name: http, protocol: HTTP}
    hosts: ["*"]
)";

std::string vs(const std::string& ns, const std::string& host, const std::string& gateways) {
  return "---\napiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {name: v, namespace: " + ns +
         "}\nspec:\n  hosts: [\"" + host + "\"]\n  gateways: " + gateways +
         "\n  http: [{route: [{destination: {host: api.payments.svc.cluster.local}}]}]\n"
         "  tls: [{match: [{sniHosts: [\"" +
         host + "\"]}], route: [{destination: {host: api}}]}]\n";
}

}  // namespace

TEST_CASE("a selector-less Gateway runs on every gateway pod, no mode is PASSTHROUGH", "[mesh][gateways]") {
  auto input = test::load_yaml(kWorld);
  REQUIRE(input);
  REQUIRE(input->mesh.gateways.size() == 1);
  const mesh::GatewayInfo& g = input->mesh.gateways[0];
  REQUIRE(g.pods.size() == 1);
  CHECK(g.pod_namespaces == std::vector<std::string>{"istio-system"});
  REQUIRE(g.listeners.size() == 2);
  CHECK(g.listeners[0].tls_mode == "PASSTHROUGH");
  CHECK(g.listeners[0].mode_omitted);
  CHECK_FALSE(g.listeners[0].terminates_tls);
  CHECK(g.listeners[0].route_kind == "tls");
  CHECK(g.listeners[1].route_kind == "http");
}

TEST_CASE("VirtualServices bind by gateway name and namespace-qualified host (G6, G8)", "[mesh][gateways]") {
  SECTION("a short gateway name in the Gateway's namespace; `./host` admits it; http routes reach the workload") {
    auto input = test::load_yaml(kWorld + vs("payments", "api.example.com", "[gw]"));
    REQUIRE(input);
    const mesh::GatewayInfo& g = input->mesh.gateways[0];
    REQUIRE(g.listeners[0].routes.size() == 1);
    CHECK(g.listeners[0].routes[0].host == "api.example.com");
    REQUIRE(g.listeners[1].routes.size() == 1);
    const mesh::GatewayRoute& http = g.listeners[1].routes[0];
    REQUIRE(http.backends.size() == 1);
    CHECK(http.backends[0].ns == "payments");
    REQUIRE(http.backends[0].workloads.size() == 1);
    CHECK(input->mesh.workloads[http.backends[0].workloads[0]].name == "api");
  }
  SECTION("team-b's VirtualService does not attach to team-a/*.example.com") {
    auto input = test::load_yaml(kWorld + vs("team-b", "x.example.com", "[payments/gw]"));
    REQUIRE(input);
    CHECK(input->mesh.gateways[0].listeners[0].routes.empty());
    CHECK(input->mesh.gateways[0].listeners[1].routes.size() == 1);  // `*` admits any namespace
  }
  SECTION("without `gateways` the VirtualService is mesh-only") {
    auto input = test::load_yaml(kWorld + vs("payments", "api.example.com", "[mesh]"));
    REQUIRE(input);
    CHECK(input->mesh.gateways[0].listeners[1].routes.empty());
  }
}

TEST_CASE("hosts_overlap follows Istio's wildcard names", "[mesh][gateways]") {
  CHECK(mesh::hosts_overlap("*", "a.b"));
  CHECK(mesh::hosts_overlap("*.example.com", "api.example.com"));
  CHECK_FALSE(mesh::hosts_overlap("*.example.com", "example.com"));
  CHECK(mesh::hosts_overlap("*.example.com", "*.com"));
  CHECK_FALSE(mesh::hosts_overlap("a.example.com", "b.example.com"));
}
