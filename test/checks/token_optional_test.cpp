// token-optional end to end: the witness is a request without a token that Istio allows.
#include <catch2/catch.hpp>

#include "harness.h"

using namespace meshproof;

TEST_CASE("token-optional reports a RequestAuthentication whose token nothing requires", "[checks][token-optional]") {
  auto run = test::run_fixture("checks/token-optional/positive.yaml", {{}, {"token-optional"}});
  INFO("findings:" << run->dump());
  auto found = run->of("token-optional");
  REQUIRE(found.size() == 1);
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

TEST_CASE("token-optional is quiet when requestPrincipals or notRequestPrincipals require a token", "[checks][token-optional]") {
  auto run = test::run_fixture("checks/token-optional/negative.yaml", {{}, {"token-optional"}});
  INFO("findings:" << run->dump());
  CHECK(run->of("token-optional").empty());
}
