// overly-permissive-rule end to end: the split rule, an IP range as identity, any mesh identity in a
// regulated namespace; each with an allowed request from a caller the policy does not name.
#include <catch2/catch.hpp>

#include "harness.h"

using namespace meshproof;

TEST_CASE("overly-permissive-rule reports split rules, IP ranges and any-identity grants",
          "[checks][overly-permissive-rule]") {
  auto run = test::run_fixture("checks/overly-permissive-rule/positive.yaml", {{}, {"overly-permissive-rule"}});
  INFO("findings:" << run->dump());
  auto found = run->of("overly-permissive-rule");
  REQUIRE(found.size() == 3);
  for (const Finding* f : found) {
    CHECK(f->id == "MP2006");
    REQUIRE(f->witness.has_value());
    CHECK(f->witness->decision == "ALLOW");
  }
  auto split = run->where("overly-permissive-rule", "kind", "split-rule");
  REQUIRE(split.size() == 1);
  CHECK(split[0]->properties.at("rule") == "1");
  CHECK(split[0]->message.find("OR-ed") != std::string::npos);
  // PERMISSIVE: the caller in the witness is plaintext, allowed by rules[1] itself.
  CHECK_FALSE(split[0]->witness->mtls);
  CHECK(split[0]->witness->decided_by == "ecommerce/frontend-policy rule 1");

  auto ip = run->where("overly-permissive-rule", "kind", "ip-as-identity");
  REQUIRE(ip.size() == 1);
  CHECK(ip[0]->properties.at("rule") == "2");
  CHECK(ip[0]->witness->source_ip.rfind("10.", 0) == 0);

  auto any = run->where("overly-permissive-rule", "kind", "any-identity");
  REQUIRE(any.size() == 1);
  CHECK(any[0]->resource.name == "any-mesh-caller");
  // STRICT port: an mTLS caller, any identity.
  CHECK(any[0]->witness->mtls);
  CHECK(any[0]->message.find("regulated namespace vault") != std::string::npos);
}

TEST_CASE("overly-permissive-rule is quiet on one-piece rules, public endpoints and narrowed wildcards",
          "[checks][overly-permissive-rule]") {
  auto run = test::run_fixture("checks/overly-permissive-rule/negative.yaml", {{}, {"overly-permissive-rule"}});
  INFO("findings:" << run->dump());
  CHECK(run->of("overly-permissive-rule").empty());
}

// Realworld triage (docs/realworld.md): an IP allow list on an ingress gateway is how Istio restricts
// callers from outside the mesh, which have no identity; the same rule on an ordinary workload is reported.
TEST_CASE("overly-permissive-rule accepts IP allow lists on ingress gateways only",
          "[checks][overly-permissive-rule]") {
  const std::string policy = R"(
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: allowlist, namespace: edge}
spec:
  selector: {matchLabels: {app: front}}
  rules:
  - from: [{source: {remoteIpBlocks: ["203.0.113.0/24"]}}]
)";
  auto deployment = [](const std::string& labels) {
    return "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: front, namespace: edge}\nspec:\n"
           "  selector: {matchLabels: {app: front}}\n  template:\n    metadata: {labels: " +
           labels + "}\n    spec:\n      containers: [{name: app, image: x, ports: [{containerPort: 8080}]}]\n---";
  };
  auto gateway =
      test::run_checks_on({test::write_temp(deployment("{app: front, istio: ingressgateway}") + policy, "gw.yaml")},
                          {{}, {"overly-permissive-rule"}});
  INFO("findings:" << gateway->dump());
  CHECK(gateway->of("overly-permissive-rule").empty());
  auto plain = test::run_checks_on({test::write_temp(deployment("{app: front}") + policy, "plain.yaml")},
                                   {{}, {"overly-permissive-rule"}});
  INFO("findings:" << plain->dump());
  REQUIRE(plain->of("overly-permissive-rule").size() == 1);
  CHECK(plain->of("overly-permissive-rule")[0]->message.find("admits callers by IP range only") != std::string::npos);
}

namespace {

// Regulated namespace pay, STRICT mTLS; `rules` are the ALLOW policy's rules on pay/api.
std::string strict_world(const std::string& rules) {
  return R"(apiVersion: apps/v1
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
kind: PeerAuthentication
metadata: {name: default, namespace: pay}
spec: {mtls: {mode: STRICT}}
---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: allow-api, namespace: pay}
spec:
  selector: {matchLabels: {app: api}}
  action: ALLOW
  rules:
)" + rules;
}

const Finding* permissive_rule(const test::CheckRun& run, const std::string& rule) {
  auto found = run.where("overly-permissive-rule", "rule", rule);
  return found.empty() ? nullptr : found.front();
}

}  // namespace

TEST_CASE("overly-permissive-rule: the message follows the mTLS mode and the rule's own fields",
          "[checks][overly-permissive-rule]") {
  test::RunOptions regulated({}, {"overly-permissive-rule"}, {"pay"});
  SECTION("under STRICT, no plaintext caller is claimed") {
    auto run = test::run_checks_on(
        {test::write_temp(strict_world("  - to: [{operation: {paths: [\"/x\"]}}]\n"), "a.yaml")}, regulated);
    INFO("findings:" << run->dump());
    const Finding* f = permissive_rule(*run, "0");
    REQUIRE(f);
    CHECK(f->message.find("has no caller condition") != std::string::npos);
    CHECK(f->message.find("plaintext is refused") != std::string::npos);
    CHECK(f->message.find("including plaintext") == std::string::npos);
    CHECK(f->message.find("or none (plaintext)") == std::string::npos);
    REQUIRE(f->witness);
    CHECK(f->witness->mtls);
  }
  SECTION("a rule with notNamespaces is described by what it excludes") {
    auto run = test::run_checks_on(
        {test::write_temp(strict_world("  - from: [{source: {notNamespaces: [\"untrusted\"]}}]\n"), "b.yaml")},
        regulated);
    INFO("findings:" << run->dump());
    const Finding* f = permissive_rule(*run, "0");
    REQUIRE(f);
    CHECK(f->message.find("no caller condition") == std::string::npos);
    CHECK(f->message.find("only excludes some callers (notNamespaces)") != std::string::npos);
  }
}

TEST_CASE("overly-permissive-rule: DISABLE ports have no authenticated callers, gateways admit any caller",
          "[checks][overly-permissive-rule]") {
  test::RunOptions regulated({}, {"overly-permissive-rule"}, {"pay"});
  SECTION("under DISABLE the message says no caller is authenticated") {
    std::string yaml = strict_world("  - to: [{operation: {paths: [\"/x\"]}}]\n");
    yaml.replace(yaml.find("STRICT"), 6, "DISABLE");
    auto run = test::run_checks_on({test::write_temp(yaml, "c.yaml")}, regulated);
    INFO("findings:" << run->dump());
    const Finding* f = permissive_rule(*run, "0");
    REQUIRE(f);
    CHECK(f->message.find("so no caller is authenticated") != std::string::npos);
    CHECK(f->message.find("mesh identity") == std::string::npos);
  }
  SECTION("a pod an Istio Gateway configures is an ingress gateway, whatever its labels") {
    std::string yaml = strict_world("  - to: [{operation: {paths: [\"/x\"]}}]\n");
    const std::string pod_meta = "metadata: {labels: {app: api}}";
    yaml.replace(yaml.find(pod_meta), pod_meta.size(),
                 "metadata: {labels: {app: api}, annotations: {inject.istio.io/templates: gateway}}");
    yaml += R"(---
apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {name: public, namespace: pay}
spec:
  selector: {app: api}
  servers:
  - port: {number: 8080, name: http, protocol: HTTP}
    hosts: ["*"]
)";
    auto run = test::run_checks_on({test::write_temp(yaml, "d.yaml")}, regulated);
    INFO("findings:" << run->dump());
    CHECK(permissive_rule(*run, "0") == nullptr);
  }
}
