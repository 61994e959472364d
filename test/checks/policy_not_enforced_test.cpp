// policy-not-enforced end to end: a targetRefs policy for a Service that no waypoint serves (its annotation is
// not Istio's binding) and an AUDIT policy that only ambient workloads select are reported; Services bound by
// their own or their Namespace's istio.io/use-waypoint label, a Service the input does not declare, and an
// AUDIT policy a sidecar enforces are not. A Service bound to a workload-only waypoint, and a selector policy
// that selects only waypoint pods, are reported.
#include <catch2/catch.hpp>

#include "harness.h"

using namespace meshproof;

TEST_CASE("policy-not-enforced reports its positive fixture", "[checks][policy-not-enforced]") {
  auto run = test::run_fixture("checks/policy-not-enforced/positive.yaml");
  INFO("findings:" << run->dump());
  auto found = run->of("policy-not-enforced");
  REQUIRE(found.size() == 4);
  CHECK(found[0]->id == "MP1009");
  CHECK(found[0]->message ==
        "AuthorizationPolicy pay/api-get-only targets Service pay/api (targetRefs), but neither Service pay/api nor "
        "Namespace pay has the label istio.io/use-waypoint, so no waypoint serves it (the annotation "
        "gateway.istio.io/waypoint is not read by Istio: the binding is the label istio.io/use-waypoint): ztunnel "
        "never receives targetRefs policies and sidecars ignore them, so the policy is enforced nowhere "
        "(docs/semantics.md#ztunnel)");
  CHECK(found[0]->loc.line == 53);
  CHECK(found[0]->properties.at("reason") == "target-not-bound");
  CHECK(found[1]->properties.at("reason") == "action-not-supported-by-ztunnel");
  CHECK(found[1]->properties.at("workloads") == "Deployment pay/api");
  CHECK(found[1]->loc.line == 70);
  // a Service bound to a waypoint that carries only workload traffic has no waypoint (docs/semantics.md#waypoints)
  CHECK(found[2]->properties.at("target") == "Service pay/ledger");
  CHECK(found[2]->message.find("Service pay/ledger is bound to no waypoint: waypoint pay/pod-waypoint carries "
                               "workload traffic (istio.io/waypoint-for), not service traffic") != std::string::npos);
  // a selector policy that selects only the waypoint's pods: waypoints never use selector
  CHECK(found[3]->resource.name == "waypoint-pods");
  CHECK(found[3]->properties.at("reason") == "selector-on-waypoint");
  CHECK(found[3]->properties.at("workloads") == "Deployment pay/pod-waypoint");
}

TEST_CASE("policy-not-enforced is quiet on its negative fixture", "[checks][policy-not-enforced]") {
  auto run = test::run_fixture("checks/policy-not-enforced/negative.yaml");
  INFO("findings:" << run->dump());
  CHECK(run->of("policy-not-enforced").empty());
}

// IST0167 (docs/semantics.md#egress, E9): no sidecar proxy reads a Sidecar in an ambient namespace or one that
// selects only ambient workloads; a namespace whose injection label wins over ambient still has sidecars.
TEST_CASE("policy-not-enforced reports Sidecars for ambient workloads", "[checks][policy-not-enforced]") {
  const std::string yaml =
      "apiVersion: v1\nkind: Namespace\nmetadata: {name: mesh-ambient, labels: {istio.io/dataplane-mode: ambient}}\n"
      "---\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: both\n  labels: {istio.io/dataplane-mode: ambient, "
      "istio-injection: enabled}\n---\n"
      "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: api, namespace: mesh-ambient}\nspec:\n"
      "  selector: {matchLabels: {app: api}}\n  template:\n    metadata: {labels: {app: api}}\n"
      "    spec: {containers: [{name: api, image: api}]}\n---\n"
      "apiVersion: networking.istio.io/v1\nkind: Sidecar\nmetadata: {name: ns-wide, namespace: mesh-ambient}\n"
      "spec: {egress: [{hosts: [./*]}]}\n---\n"
      "apiVersion: networking.istio.io/v1\nkind: Sidecar\nmetadata: {name: api, namespace: mesh-ambient}\n"
      "spec:\n  workloadSelector: {labels: {app: api}}\n  egress: [{hosts: [./*]}]\n---\n"
      "apiVersion: networking.istio.io/v1\nkind: Sidecar\nmetadata: {name: default, namespace: both}\n"
      "spec: {egress: [{hosts: [./*]}]}\n";
  auto run = test::run_checks_on({test::write_temp(yaml, "sidecar-ambient.yaml")},
                                 test::RunOptions({}, {"policy-not-enforced"}));
  INFO("findings:" << run->dump());
  auto found = run->where("policy-not-enforced", "reason", "sidecar-in-ambient");
  REQUIRE(found.size() == 2);
  CHECK(found[0]->resource.name == "ns-wide");
  CHECK(found[0]->message.find("namespace mesh-ambient is ambient") != std::string::npos);
  CHECK(found[1]->resource.name == "api");
  CHECK(found[1]->message.find("the workloads it selects are ambient (Deployment mesh-ambient/api)") !=
        std::string::npos);
}

TEST_CASE("policy-not-enforced: a targetRefs Service bound to a waypoint whose workloads have sidecars",
          "[checks][policy-not-enforced][chain]") {
  // The enforcement chain of shop/web is its sidecar alone: the waypoint never sees its traffic.
  auto run = test::run_fixture("chain/targetref-sidecar.yaml");
  INFO("findings:" << run->dump());
  auto found = run->of("policy-not-enforced");
  REQUIRE(found.size() == 1);
  CHECK(found[0]->resource.name == "web-get-only");
  CHECK(found[0]->properties.at("reason") == "target-workloads-not-ambient");
  CHECK(found[0]->properties.at("waypoint") == "shop/waypoint");
  CHECK(found[0]->message.find("Deployment shop/web (enforced by: sidecar)") != std::string::npos);
  // The same policy on an ambient workload's Service is on the waypoint's chain: enforced, no finding.
  auto ambient = test::run_fixture("chain/waypoint-rules.yaml");
  CHECK(ambient->of("policy-not-enforced").empty());
}

TEST_CASE("policy-not-enforced: a selector policy whose workloads are all outside the mesh",
          "[checks][policy-not-enforced][chain]") {
  // rx is declared without any injection or ambient label: dispense's chain is `none`.
  auto run = test::run_fixture("chain/outside-mesh-policy.yaml");
  INFO("findings:" << run->dump());
  bool found = false;
  for (const Finding* f : run->of("policy-not-enforced"))
    if (f->resource.name == "allow-portal") {
      found = true;
      CHECK(f->properties.at("reason") == "workloads-outside-mesh");
      CHECK(f->properties.at("workloads") == "Deployment rx/dispense");
    }
  CHECK(found);
  // A sidecar workload's selector policy is enforced by its sidecar: nothing reported for it.
  auto sidecar = test::run_fixture("chain/targetref-sidecar.yaml");
  for (const Finding* f : sidecar->of("policy-not-enforced"))
    CHECK(f->properties.at("reason") != "workloads-outside-mesh");
}
