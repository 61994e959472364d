// The symbolic checks judge a waypoint's own program (checks/gap_waypoints.h): a targetRefs policy attached to
// a waypoint is in no workload class's program, so without the waypoint units of the shared pass a shadowed or
// contradictory rule in it goes unreported. The findings name the waypoint as the place the rule is enforced.
#include <catch2/catch.hpp>

#include "harness.h"

using namespace meshproof;

TEST_CASE("symbolic checks report rules of a waypoint's targetRefs policy", "[checks][waypoint]") {
  auto run = test::run_fixture("chain/waypoint-rules.yaml");
  INFO("findings:" << run->dump());
  auto redundant = run->of("redundant-rule");
  REQUIRE(redundant.size() == 1);
  CHECK(redundant[0]->resource.name == "api-access");
  CHECK(redundant[0]->message.find("rules[1] is redundant on waypoint pay/waypoint (Service pay/api)") !=
        std::string::npos);
  REQUIRE(redundant[0]->witness);
  // query sends the witness through the waypoint, which allows it, then ztunnel decides last (A12).
  CHECK(redundant[0]->witness->decision == "ALLOW");
  CHECK(redundant[0]->witness->reproduce.find("--to pay/api --port 8080 --principal cluster.local/ns/pay/sa/client "
                                              "--method GET --path /health") != std::string::npos);
  CHECK(redundant[0]->witness->reproduce.find("--caller") == std::string::npos);
  auto never = run->of("never-matching-rule");
  REQUIRE(never.size() == 1);
  CHECK(never[0]->message.find("rules[2] can never match a request on waypoint pay/waypoint") != std::string::npos);
  CHECK(never[0]->message.find("port 8080 (HTTP) at waypoint pay/waypoint") != std::string::npos);
}

TEST_CASE("symbolic checks are quiet on a waypoint policy whose rules each allow something", "[checks][waypoint]") {
  auto run = test::run_fixture("chain/waypoint-rules-negative.yaml");
  INFO("findings:" << run->dump());
  CHECK(run->of("redundant-rule").empty());
  CHECK(run->of("never-matching-rule").empty());
  CHECK(run->of("overly-permissive-rule").empty());
}
