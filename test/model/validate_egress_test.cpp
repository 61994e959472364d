// ServiceEntry, Sidecar and Telemetry validation as Istio's CRD schema and webhook (validation.go
// ValidateServiceEntry, ValidateSidecar, ValidateTelemetry; docs/semantics.md §12): each rule from a minimal
// object. The corpus cases of serviceentry-*.yaml are in corpus_test.cpp.
#include <catch2/catch.hpp>

#include "model_test_util.h"

using namespace meshproof;
using namespace meshproof::model;
using test::dump;
using test::model_from;

namespace {

std::string sidecar(const std::string& spec) {
  return "apiVersion: networking.istio.io/v1\nkind: Sidecar\nmetadata: {name: default, namespace: pay}\nspec: " + spec;
}

std::string telemetry(const std::string& spec) {
  return "apiVersion: telemetry.istio.io/v1\nkind: Telemetry\nmetadata: {name: t, namespace: pay}\nspec: " + spec;
}

std::string service_entry(const std::string& spec) {
  return "apiVersion: networking.istio.io/v1\nkind: ServiceEntry\nmetadata: {name: se, namespace: pay}\nspec: " + spec;
}

}  // namespace

TEST_CASE("ServiceEntry: valid entries have no errors, Istio's reasons for the invalid", "[model][validate][egress]") {
  CHECK(
      test::model_errors(service_entry("{hosts: [api.example.com], ports: [{number: 80, name: http, protocol: HTTP}], "
                                       "resolution: DNS}"))
          .empty());
  CHECK(test::model_errors(service_entry("{hosts: [\"*x\"]}")).empty());  // a partial wildcard: only a warning
  CHECK(test::model_errors(service_entry("{hosts: [\"*\"]}")) ==
        std::vector<std::string>{"spec.hosts[0]: hostname cannot be wildcard"});
  CHECK(test::model_errors(service_entry("{hosts: [a.com], ports: [{number: 80, name: http, protocol: HTTPX}]}")) ==
        std::vector<std::string>{"spec.ports[0].protocol: unsupported protocol: HTTPX"});
  CHECK(test::model_errors(service_entry("{hosts: [a.com], addresses: [10.0.0.0/8], resolution: DNS}")) ==
        std::vector<std::string>{"spec.addresses: CIDR addresses are allowed only for NONE/STATIC resolution types"});
}

TEST_CASE("Sidecar: egress hosts are namespace/dnsName, ALLOW_ANY_DYNAMIC_DNS is mesh-only",
          "[model][validate][egress]") {
  CHECK(
      test::model_errors(sidecar("{egress: [{hosts: [\"./*\", \"istio-system/*\", \"~/*\", \"*/api.example.com\"]}]}"))
          .empty());
  CHECK(test::model_errors(sidecar("{egress: [{hosts: [\"api.example.com\"]}]}")) ==
        std::vector<std::string>{"spec.egress.hosts: host must be of form namespace/dnsName"});
  CHECK(test::model_errors(sidecar("{egress: [{hosts: [\"default/reviews\"]}]}")) ==
        std::vector<std::string>{"spec.egress.hosts: short names (non FQDN) are not allowed"});
  CHECK(test::model_errors(sidecar("{outboundTrafficPolicy: {mode: ALLOW_ANY_DYNAMIC_DNS}}")) ==
        std::vector<std::string>{"spec.outboundTrafficPolicy.mode: sidecar: ALLOW_ANY_DYNAMIC_DNS mode is only "
                                 "supported in MeshConfig, not in Sidecar resource"});
}

TEST_CASE("Telemetry: provider names, match modes, selector or targetRefs", "[model][validate][egress]") {
  CHECK(
      test::model_errors(telemetry("{accessLogging: [{match: {mode: SERVER}, providers: [{name: envoy}]}]}")).empty());
  CHECK(test::model_errors(telemetry("{accessLogging: [{providers: [{name: \"\"}]}]}")) ==
        std::vector<std::string>{"spec.accessLogging[0].providers[0].name: providers.name may not be empty"});
  CHECK(test::model_errors(telemetry("{accessLogging: [{match: {mode: INBOUND}}]}")) ==
        std::vector<std::string>{"spec.accessLogging[0].match.mode: Unsupported value: \"INBOUND\""});
  CHECK(test::model_errors(telemetry("{selector: {matchLabels: {app: a}}, targetRefs: [{kind: Gateway, name: gw}], "
                                     "accessLogging: [{}]}")) ==
        std::vector<std::string>{"spec: only one of targetRefs or workloadSelector can be set"});
}
