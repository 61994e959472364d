// hbone-blocked end to end: NetworkPolicies that isolate ambient pods without admitting HBONE 15008 are
// reported once per policy with the pods they cut off; 15008 listed, every port admitted, sidecar namespaces
// and egress-only policies are quiet.
#include <catch2/catch.hpp>

#include "harness.h"

using namespace meshproof;

TEST_CASE("hbone-blocked reports its positive fixture", "[checks][hbone-blocked]") {
  auto run = test::run_fixture("checks/hbone-blocked/positive.yaml");
  INFO("findings:" << run->dump());
  auto found = run->of("hbone-blocked");
  REQUIRE(found.size() == 2);
  CHECK(found[0]->id == "MP5001");
  CHECK(found[0]->properties.at("pods") == "shop/api");
  CHECK(found[0]->message.find("NetworkPolicy shop/only-8080 isolates the ingress of ambient pods (shop/api)") == 0);
  CHECK(found[0]->loc.line == 43);  // the ingress rule
  CHECK(found[1]->properties.at("pods") == "shop/db");
  CHECK(found[1]->message.find("NetworkPolicy shop/deny-db") == 0);
}

TEST_CASE("hbone-blocked is quiet on its negative fixture", "[checks][hbone-blocked]") {
  auto run = test::run_fixture("checks/hbone-blocked/negative.yaml");
  INFO("findings:" << run->dump());
  CHECK(run->of("hbone-blocked").empty());
}
