// redundant-rule end to end: the later of two identical rules, whole redundant policies (ALLOW and DENY),
// and quiet overlaps and dry-run policies.
#include <catch2/catch.hpp>

#include "harness.h"

using namespace meshproof;

TEST_CASE("redundant-rule reports the later copy and whole redundant policies", "[checks][redundant-rule]") {
  const std::string file = test::fixture("checks/redundant-rule/positive.yaml");
  auto run = test::run_fixture("checks/redundant-rule/positive.yaml", {{}, {"redundant-rule"}});
  INFO("findings:" << run->dump());
  auto found = run->of("redundant-rule");
  REQUIRE(found.size() == 3);
  for (const Finding* f : found) {
    CHECK(f->id == "MP2002");
    CHECK(f->severity == Severity::Note);
    REQUIRE(f->witness.has_value());
    CHECK(f->message.find("proven by Z3") != std::string::npos);
  }
  // Only rules[1] of namespace-isolation (the later of the mutual pair), covered by rules[0].
  auto copy = run->where("redundant-rule", "rule", "1");
  REQUIRE(copy.size() == 1);
  CHECK(copy[0]->resource.name == "namespace-isolation");
  CHECK(copy[0]->properties.at("covered_by") == "rules[0] of the same policy");
  CHECK(copy[0]->loc.line == test::line_of(file, "- when:"));
  CHECK(run->where("redundant-rule", "rule", "0").empty());
  // Whole policies, reported once at the policy, naming the covering rule of the other policy.
  bool status = false, users = false;
  for (const Finding* f : found) {
    if (f->resource.name == "frontend-reads-status") {
      status = true;
      CHECK(f->properties.count("rule") == 0);
      CHECK(f->message.find("AuthorizationPolicy production/namespace-isolation rules[2]") != std::string::npos);
    }
    if (f->resource.name == "deny-admin-users") {
      users = true;
      CHECK(f->message.rfind("DENY AuthorizationPolicy production/deny-admin-users is redundant", 0) == 0);
      CHECK(f->properties.at("covered_by") == "AuthorizationPolicy production/deny-admin rules[0]");
    }
  }
  CHECK(status);
  CHECK(users);
}

TEST_CASE("redundant-rule is quiet on overlapping rules and ignores dry-run policies", "[checks][redundant-rule]") {
  auto run = test::run_fixture("checks/redundant-rule/negative.yaml", {{}, {"redundant-rule"}});
  INFO("findings:" << run->dump());
  CHECK(run->of("redundant-rule").empty());
}

TEST_CASE("redundant-rule: the example request reaches authorization (a STRICT port refuses plaintext first)",
          "[checks][redundant-rule]") {
  const std::string yaml = R"(
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: default, namespace: foo}
spec:
  mtls: {mode: STRICT}
---
apiVersion: security.istio.io/v1
kind: RequestAuthentication
metadata: {name: jwt, namespace: foo}
spec:
  selector: {matchLabels: {app: httpbin}}
  jwtRules: [{issuer: "testing@secure.istio.io"}]
---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: a-jwt-all, namespace: foo}
spec:
  selector: {matchLabels: {app: httpbin}}
  action: DENY
  rules:
  - from: [{source: {notRequestPrincipals: ["*"]}}]
---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: b-jwt-links, namespace: foo}
spec:
  selector: {matchLabels: {app: httpbin}}
  action: DENY
  rules:
  - from: [{source: {notRequestPrincipals: ["*"]}}]
    to: [{operation: {paths: ["/links/*"], ports: ["8000"]}}]
)";
  auto run = test::run_checks_on({test::write_temp(yaml, "strict-jwt.yaml")}, {{}, {"redundant-rule"}});
  INFO("findings:" << run->dump());
  auto found = run->of("redundant-rule");
  REQUIRE(found.size() == 1);
  REQUIRE(found.front()->witness);
  const Witness& w = *found.front()->witness;
  CHECK(w.mtls);  // plaintext would be REJECTED before any rule is evaluated
  CHECK(w.decision == "DENY");
  CHECK(w.decided_by == "foo/a-jwt-all rule 0");
}
