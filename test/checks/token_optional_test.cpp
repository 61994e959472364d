// token-optional end to end: the witness is a request without a token that Istio allows.
#include <catch2/catch.hpp>

#include "harness.h"

using namespace meshproof;

TEST_CASE("token-optional reports a RequestAuthentication whose token nothing requires", "[checks][token-optional]") {
  auto run = test::run_fixture("checks/token-optional/positive.yaml", {{}, {"token-optional"}});
  INFO("findings:" << run->dump());
  auto found = run->of("token-optional");
  REQUIRE(found.size() == 2);
  const Finding& f = *found[0];
  CHECK(f.id == "MP2009");
  CHECK(f.resource.kind == "RequestAuthentication");
  CHECK(f.resource.name == "jwt-auth");
  REQUIRE(f.witness.has_value());
  CHECK_FALSE(f.witness->has_token);
  CHECK(f.witness->decision == "ALLOW");
  CHECK(f.witness->decided_by == "payments/allow-gateway rule 0");
  CHECK(f.witness->source_principal == "cluster.local/ns/istio-system/sa/istio-ingressgateway-service-account");
  CHECK(f.message.find("Deployment payments/payment-api") != std::string::npos);
  CHECK(f.help.find("requestPrincipals") != std::string::npos);
}

// Realworld triage (docs/realworld.md): a token requirement in one ALLOW policy does not stop another
// ALLOW policy from admitting requests without a token (policies are additive, IS §2).
TEST_CASE("token-optional reports a token-less request another ALLOW policy admits", "[checks][token-optional]") {
  auto run = test::run_fixture("checks/token-optional/positive.yaml", {{}, {"token-optional"}});
  INFO("findings:" << run->dump());
  auto found = run->of("token-optional");
  REQUIRE(found.size() == 2);
  const Finding& f = *found[1];
  CHECK(f.resource.name == "frontend-jwt");
  REQUIRE(f.witness.has_value());
  CHECK_FALSE(f.witness->has_token);
  CHECK(f.witness->decided_by == "shop/allow-hello rule 0");
}

// Deliberate exemptions next to a token requirement are not findings: a DENY notRequestPrincipals rule
// with notPaths (login pages), and the health-check rule of an ALLOW policy that requires a token in
// another rule (negative.yaml, namespace edge; realworld corpus: kubeflow).
TEST_CASE("token-optional is quiet when requestPrincipals or notRequestPrincipals require a token",
          "[checks][token-optional]") {
  auto run = test::run_fixture("checks/token-optional/negative.yaml", {{}, {"token-optional"}});
  INFO("findings:" << run->dump());
  CHECK(run->of("token-optional").empty());
}
