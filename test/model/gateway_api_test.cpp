// Gateway API Gateway (gateway.networking.k8s.io, model/gateway_api.h): parsing of the fields meshproof reads,
// and what the CRD schema and its CEL rules reject (docs/semantics.md#gateway-api), each from a minimal object.
#include <catch2/catch.hpp>

#include "model/admission.h"
#include "model_test_util.h"

using namespace meshproof;
using namespace meshproof::model;
using test::dump;
using test::model_from;

namespace {

std::string gateway(const std::string& spec, const std::string& api = "gateway.networking.k8s.io/v1") {
  return "apiVersion: " + api + "\nkind: Gateway\nmetadata: {name: gw, namespace: pay}\nspec: " + spec;
}

}  // namespace

TEST_CASE("Gateway API Gateway: the fields are read", "[model][gateway-api]") {
  auto r = model_from(R"(apiVersion: gateway.networking.k8s.io/v1beta1
kind: Gateway
metadata:
  name: wp
  namespace: pay
  labels: {istio.io/waypoint-for: all}
spec:
  gatewayClassName: istio-waypoint
  listeners:
  - name: mesh
    port: 15008
    protocol: HBONE
    allowedRoutes:
      namespaces:
        from: Selector
        selector: {matchLabels: {team: pay}}
  - name: https
    port: 443
    protocol: HTTPS
    hostname: "*.example.com"
    tls: {mode: Terminate, certificateRefs: [{name: cert}]}
  addresses: [{value: 10.0.0.1}]
  infrastructure: {labels: {a: b}, annotations: {c: d}}
status:
  addresses: [{type: IPAddress, value: 10.0.0.9}]
)");
  INFO(dump(r->set));
  REQUIRE(r->set.gateway_api_gateways.size() == 1);
  CHECK(r->set.gateways.empty());  // not an Istio Gateway
  CHECK(r->set.diagnostics.empty());
  const gwapi::Gateway& g = r->set.gateway_api_gateways[0];
  CHECK(g.is_waypoint());
  CHECK(g.status_addresses);
  CHECK(g.meta.labels.at("istio.io/waypoint-for") == "all");
  REQUIRE(g.listeners.size() == 2);
  CHECK(g.listeners[0].name == "mesh");
  CHECK(g.listeners[0].port == 15008);
  CHECK(g.listeners[0].protocol == "HBONE");
  CHECK(g.listeners[0].allowed_routes.from == "Selector");
  CHECK(g.listeners[0].allowed_routes.selector_match_labels.at("team") == "pay");
  CHECK(g.listeners[1].hostname == "*.example.com");
  CHECK(g.listeners[1].tls.mode == "Terminate");
  REQUIRE(g.listeners[1].tls.certificate_refs.size() == 1);
  CHECK(g.listeners[1].tls.certificate_refs[0].name == "cert");
  CHECK(g.listeners[1].allowed_routes.from == "Same");  // the CRD default
  REQUIRE(g.addresses.size() == 1);
  CHECK(g.addresses[0].type == "IPAddress");
  CHECK(g.infrastructure_labels.at("a") == "b");
  CHECK(g.infrastructure_annotations.at("c") == "d");
  CHECK(object_count(r->set) == 1);
}

TEST_CASE("Gateway API Gateway: what the CRD rejects", "[model][gateway-api][validate]") {
  const std::string ok = "{gatewayClassName: istio, listeners: [{name: http, port: 80, protocol: HTTP}]}";
  CHECK(test::model_errors(gateway(ok)).empty());
  CHECK(test::model_errors(gateway(ok, "gateway.networking.k8s.io/v1beta1")).empty());
  CHECK(test::model_errors(gateway(ok, "gateway.networking.k8s.io/v1alpha2")) ==
        std::vector<std::string>{"apiVersion: no matches for kind \"Gateway\" in version "
                                 "\"gateway.networking.k8s.io/v1alpha2\""});
  CHECK(test::model_errors(gateway("{listeners: [{name: http, port: 80, protocol: HTTP}]}")) ==
        std::vector<std::string>{"spec.gatewayClassName: Required value"});
  CHECK(test::model_errors(gateway("{gatewayClassName: istio}")) ==
        std::vector<std::string>{"spec.listeners: Required value"});
  CHECK(test::model_errors(gateway("{gatewayClassName: istio, listeners: []}")) ==
        std::vector<std::string>{"spec.listeners: should have at least 1 items"});
  CHECK(test::model_errors(
            gateway("{gatewayClassName: istio, listeners: [{name: Http_1, port: 0, protocol: \"H T\"}]}")) ==
        std::vector<std::string>{
            "spec.listeners[0].port: value 0 is out of range 1..65535",  // the reader's, at parse time
            "spec.listeners[0].name: Invalid value: \"Http_1\": must be a lowercase RFC 1123 subdomain",
            "spec.listeners[0].protocol: Invalid value: \"H T\": does not match the ProtocolType pattern"});
  CHECK(test::model_errors(gateway("{gatewayClassName: istio, listeners: [{name: a, port: 70000, protocol: HTTP}]}"))
            .size() == 1);
  CHECK(
      test::model_errors(gateway("{gatewayClassName: istio, listeners: [{port: 80}]}")) ==
      std::vector<std::string>{"spec.listeners[0].name: Required value", "spec.listeners[0].protocol: Required value"});
  CHECK(test::model_errors(gateway("{gatewayClassName: istio, listeners: [{name: a, port: 80, protocol: HTTP}, "
                                   "{name: a, port: 80, protocol: HTTP}]}")) ==
        std::vector<std::string>{
            "spec.listeners[1].name: Listener name must be unique within the Gateway",
            "spec.listeners[1]: Combination of port, protocol and hostname must be unique for each listener"});
  CHECK(test::model_errors(gateway("{gatewayClassName: istio, listeners: [{name: a, port: 80, protocol: HTTP, "
                                   "tls: {certificateRefs: [{name: c}]}}]}")) ==
        std::vector<std::string>{
            "spec.listeners[0].tls: tls must not be specified for protocols ['HTTP', 'TCP', 'UDP']"});
  CHECK(test::model_errors(
            gateway("{gatewayClassName: istio, listeners: [{name: a, port: 443, protocol: HTTPS, tls: {}}]}")) ==
        std::vector<std::string>{
            "spec.listeners[0].tls: certificateRefs or options must be specified when mode is Terminate"});
  CHECK(test::model_errors(gateway("{gatewayClassName: istio, listeners: [{name: a, port: 443, protocol: HTTPS, "
                                   "tls: {mode: Passthrough}}]}")) ==
        std::vector<std::string>{"spec.listeners[0].tls.mode: tls mode must be Terminate for protocol HTTPS"});
  CHECK(test::model_errors(gateway("{gatewayClassName: istio, listeners: [{name: a, port: 9000, protocol: TCP, "
                                   "hostname: a.example.com}]}")) ==
        std::vector<std::string>{
            "spec.listeners[0].hostname: hostname must not be specified for protocols ['TCP', 'UDP']"});
  CHECK(test::model_errors(gateway("{gatewayClassName: istio, listeners: [{name: a, port: 80, protocol: HTTP, "
                                   "hostname: \"10.0.0.1:80\"}]}")) ==
        std::vector<std::string>{
            "spec.listeners[0].hostname: Invalid value: \"10.0.0.1:80\": must be a lowercase hostname"});
  CHECK(test::model_errors(gateway("{gatewayClassName: istio, listeners: [{name: a, port: 80, protocol: HTTP, "
                                   "allowedRoutes: {namespaces: {from: Everyone}}}]}")) ==
        std::vector<std::string>{"spec.listeners[0].allowedRoutes.namespaces.from: Unsupported value: \"Everyone\""});
  CHECK(test::model_errors(gateway("{gatewayClassName: istio, listeners: [{name: a, port: 80, protocol: HTTP}], "
                                   "addresses: [{value: 10.0.0.1}, {type: IPAddress, value: 10.0.0.1}]}")) ==
        std::vector<std::string>{"spec.addresses[1].value: IPAddress values must be unique"});
  // Istio's own protocol and a domain-prefixed one pass the CRD.
  CHECK(test::model_errors(
            gateway("{gatewayClassName: istio-waypoint, listeners: [{name: mesh, port: 15008, protocol: HBONE}, "
                    "{name: p, port: 15009, protocol: istio.io/PROXY}]}"))
            .empty());
}

TEST_CASE("Gateway API Gateway: a rejected Gateway leaves the world", "[model][gateway-api][admission]") {
  auto r = model_from(gateway("{gatewayClassName: istio-waypoint}"));
  REQUIRE(r->set.gateway_api_gateways.size() == 1);
  ResourceSet rejected = take_rejected(r->set);
  CHECK(r->set.gateway_api_gateways.empty());
  CHECK(rejected.gateway_api_gateways.size() == 1);
}
