// waypoint-bypass end to end: a waypoint's targetRefs policy that a plaintext caller outside the mesh goes
// around (nothing at ztunnel refuses it) is reported with a replayable witness; when ztunnel's own ALLOW admits
// only the waypoint's identity the path is closed and nothing is reported.
#include <catch2/catch.hpp>

#include "harness.h"

using namespace meshproof;

TEST_CASE("waypoint-bypass reports its positive fixture", "[checks][waypoint-bypass]") {
  auto run = test::run_fixture("checks/waypoint-bypass/positive.yaml");
  INFO("findings:" << run->dump());
  auto found = run->of("waypoint-bypass");
  REQUIRE(found.size() == 1);
  const Finding& f = *found[0];
  CHECK(f.id == "MP1010");
  CHECK(f.severity == Severity::Warning);
  CHECK(f.message ==
        "Service pay/api is served by waypoint pay/waypoint, which enforces pay/api-get-only, but a workload outside "
        "the mesh (plaintext) does not pass the waypoint and the destination's ztunnel allows it (a TCP connection "
        "from a plaintext caller to pay/api port 8080 (TCP)): the waypoint's rules are bypassed "
        "(docs/semantics.md#waypoints)");
  CHECK(f.resource.name == "api-get-only");
  CHECK(f.properties.at("caller") == "a workload outside the mesh (plaintext)");
  CHECK(f.properties.at("waypoint") == "pay/waypoint");
  // The waypoint's identity in the help is the one ztunnel sees (its Deployment's service account is named after
  // the Gateway when the input has no waypoint pod), the same principal the enforcement chain uses.
  CHECK(f.help.find("principals: [\"cluster.local/ns/pay/sa/waypoint\"]") != std::string::npos);
  REQUIRE(f.witness);
  CHECK_FALSE(f.witness->mtls);
  CHECK(f.witness->decision == "ALLOW");
  CHECK(f.witness->port == 8080);
}

TEST_CASE("waypoint-bypass is quiet when ztunnel admits only the waypoint", "[checks][waypoint-bypass]") {
  auto run = test::run_fixture("checks/waypoint-bypass/negative.yaml");
  INFO("findings:" << run->dump());
  CHECK(run->of("waypoint-bypass").empty());
}

TEST_CASE("waypoint-bypass is quiet when the waypoint would admit the bypassing caller anyway",
          "[checks][waypoint-bypass]") {
  // shop/web (sidecar) skips the waypoint and ztunnel allows it, but the waypoint allows every request from
  // shop/web and ztunnel every connection from the waypoint: the bypass gains nothing.
  auto run = test::run_fixture("chain/waypoint-admits-caller.yaml");
  INFO("findings:" << run->dump());
  CHECK(run->of("waypoint-bypass").empty());
  // The chain test fixture differs only in the waypoint's policy (GET from pay/client): reported, with --from.
  auto restricted = test::run_fixture("chain/waypoint-callers.yaml");
  auto found = restricted->of("waypoint-bypass");
  REQUIRE(found.size() == 1);
  CHECK(found[0]->properties.at("caller") == "sidecar workload Deployment shop/web");
}
