// jwt-claim-route-unverified end to end: a claim-based route through a gateway without RequestAuthentication
// is reported on the VirtualService's `gateways` entry; with a RequestAuthentication on the gateway pod it is not.
#include <catch2/catch.hpp>

#include "harness.h"

using namespace meshproof;

TEST_CASE("jwt-claim-route-unverified reports its positive fixture", "[checks][jwt-claim-route-unverified]") {
  auto run = test::run_fixture("checks/jwt-claim-route-unverified/positive.yaml");
  INFO("findings:" << run->dump());
  auto found = run->of("jwt-claim-route-unverified");
  REQUIRE(found.size() == 1);
  CHECK(found[0]->id == "MP3012");
  CHECK(found[0]->resource.name == "shop");
  CHECK(found[0]->properties.at("claim") == "http[0].match[0] @request.auth.claims.group");
  CHECK(found[0]->properties.at("gateway") == "istio-system/public");
  CHECK(found[0]->message.find("Deployment istio-system/istio-ingressgateway") != std::string::npos);
}

TEST_CASE("jwt-claim-route-unverified is quiet on its negative fixture", "[checks][jwt-claim-route-unverified]") {
  auto run = test::run_fixture("checks/jwt-claim-route-unverified/negative.yaml");
  INFO("findings:" << run->dump());
  CHECK(run->of("jwt-claim-route-unverified").empty());
}
