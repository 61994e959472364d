// gateway-duplicate-certificate end to end: one finding per pair, on the Gateway whose selector the other's
// contains (Istio's CertificateAnalyzer pairs), none when the certificates differ.
#include <catch2/catch.hpp>

#include "harness.h"

using namespace meshproof;

TEST_CASE("gateway-duplicate-certificate reports its positive fixture", "[checks][gateway-duplicate-certificate]") {
  auto run = test::run_fixture("checks/gateway-duplicate-certificate/positive.yaml");
  INFO("findings:" << run->dump());
  auto found = run->of("gateway-duplicate-certificate");
  REQUIRE(found.size() == 1);
  CHECK(found[0]->id == "MP3009");
  CHECK(found[0]->resource.name == "shop");
  CHECK(found[0]->properties.at("other") == "Gateway istio-system/admin");
  CHECK(found[0]->properties.at("certificate") == "credentialName wildcard-cert");
}

TEST_CASE("gateway-duplicate-certificate is quiet on its negative fixture", "[checks][gateway-duplicate-certificate]") {
  auto run = test::run_fixture("checks/gateway-duplicate-certificate/negative.yaml");
  INFO("findings:" << run->dump());
  CHECK(run->of("gateway-duplicate-certificate").empty());
}
