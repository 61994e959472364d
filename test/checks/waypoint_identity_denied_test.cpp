// waypoint-identity-denied end to end (A12, istio/istio#44671): a ztunnel-enforced ALLOW that names only the
// callers refuses every request a waypoint forwards, since ztunnel sees the waypoint's identity; reported with
// a witness the waypoint allows and ztunnel refuses. Quiet when the ALLOW admits the waypoint's identity.
#include <catch2/catch.hpp>

#include "harness.h"

using namespace meshproof;

TEST_CASE("waypoint-identity-denied reports its positive fixture", "[checks][waypoint-identity-denied]") {
  auto run = test::run_fixture("checks/waypoint-identity-denied/positive.yaml");
  INFO("findings:" << run->dump());
  auto found = run->of("waypoint-identity-denied");
  REQUIRE(found.size() == 1);
  const Finding& f = *found[0];
  CHECK(f.id == "MP1011");
  CHECK(f.severity == Severity::Error);
  CHECK(f.resource.name == "api-callers");
  CHECK(f.properties.at("waypoint") == "pay/waypoint");
  CHECK(f.properties.at("waypoint_principal") == "cluster.local/ns/pay/sa/waypoint");
  CHECK(f.properties.at("service") == "pay/api");
  CHECK(f.message.find("admit no connection from it: every request through the waypoint is refused") !=
        std::string::npos);
  REQUIRE(f.witness);
  CHECK(f.witness->mtls);
  CHECK(f.witness->decision == "DENY");  // the chain's decision: the waypoint allows, ztunnel refuses
  CHECK(f.witness->reproduce.find("--to pay/api --port 8080 --principal") != std::string::npos);
  CHECK(f.witness->reproduce.find("--caller") == std::string::npos);  // an ambient caller: through the waypoint
}

TEST_CASE("waypoint-identity-denied is quiet when ztunnel admits the waypoint", "[checks][waypoint-identity-denied]") {
  auto run = test::run_fixture("checks/waypoint-identity-denied/negative.yaml");
  INFO("findings:" << run->dump());
  CHECK(run->of("waypoint-identity-denied").empty());
}
