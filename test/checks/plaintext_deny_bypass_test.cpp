// plaintext-deny-bypass end to end: the witness is a plaintext request the DENY was meant to stop, and
// Istio allows it.
#include <catch2/catch.hpp>

#include "harness.h"

using namespace meshproof;

TEST_CASE("plaintext-deny-bypass reports identity-keyed DENY rules that plaintext walks around",
          "[checks][plaintext-deny-bypass]") {
  auto run = test::run_fixture("checks/plaintext-deny-bypass/positive.yaml", {{}, {"plaintext-deny-bypass"}});
  INFO("findings:" << run->dump());
  auto found = run->of("plaintext-deny-bypass");
  REQUIRE(found.size() == 2);
  for (const Finding* f : found) {
    CHECK(f->id == "MP2005");
    CHECK(f->severity == Severity::Error);
    REQUIRE(f->witness.has_value());
    CHECK_FALSE(f->witness->mtls);
    CHECK(f->witness->decision == "ALLOW");
    CHECK(f->witness->reproduce.find("--plaintext") != std::string::npos);
    CHECK(f->properties.at("mode") == "PERMISSIVE");
    CHECK(f->help.find("notPrincipals: [\"*\"]") != std::string::npos);
  }
  auto lab = run->where("plaintext-deny-bypass", "identity_fields", "namespaces");
  REQUIRE(lab.size() == 1);
  CHECK(lab[0]->resource.name == "deny-research");
  CHECK(lab[0]->message.find("Istio's default") != std::string::npos);
  auto shop = run->where("plaintext-deny-bypass", "identity_fields", "when[source.principal]");
  REQUIRE(shop.size() == 1);
  CHECK(shop[0]->resource.name == "deny-loadgen");
  // Allowed by the path-only ALLOW rule: the witness is a GET under /api/.
  CHECK(shop[0]->witness->decided_by == "shop/frontend-api rule 0");
  CHECK(shop[0]->witness->method == "GET");
  CHECK(shop[0]->witness->path.rfind("/api/", 0) == 0);
}

TEST_CASE("plaintext-deny-bypass is quiet under STRICT, identity-only ALLOWs and notPrincipals",
          "[checks][plaintext-deny-bypass]") {
  auto run = test::run_fixture("checks/plaintext-deny-bypass/negative.yaml", {{}, {"plaintext-deny-bypass"}});
  INFO("findings:" << run->dump());
  CHECK(run->of("plaintext-deny-bypass").empty());
}

TEST_CASE("a DENY rule that can never match gets only never-matching-rule, no bypass finding",
          "[checks][plaintext-deny-bypass]") {
  const std::string yaml = R"(apiVersion: apps/v1
kind: Deployment
metadata: {name: api, namespace: pay}
spec:
  selector: {matchLabels: {app: api}}
  template:
    metadata: {labels: {app: api}}
    spec:
      containers: [{name: api, image: api, ports: [{containerPort: 8080, name: http}]}]
---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: deny-bad, namespace: pay}
spec:
  selector: {matchLabels: {app: api}}
  action: DENY
  rules:
  - from: [{source: {principals: ["badprincipal"]}}]
    to: [{operation: {paths: ["/admin"]}}]
  - from: [{source: {principals: ["cluster.local/ns/web/sa/frontend"]}}]
    to: [{operation: {paths: ["/admin"]}}]
)";
  auto run = meshproof::test::run_checks_on({meshproof::test::write_temp(yaml, "dead-deny.yaml")},
                                            {{}, {"plaintext-deny-bypass", "never-matching-rule"}});
  INFO("findings:" << run->dump());
  CHECK(run->where("never-matching-rule", "rule", "0").size() == 1);
  CHECK(run->where("plaintext-deny-bypass", "rule", "0").empty());
  // The live rule keeps its finding: the filter is per rule.
  CHECK(run->where("plaintext-deny-bypass", "rule", "1").size() == 1);
}
