// admin-priority-tie end to end: two AdminNetworkPolicies of priority 10 that give dev/tester → prod/api:8080
// Deny and Allow are reported once, at the priority of the one listed last, with the connection and a query
// command that shows the same tie; different priorities, the same action, and a subject that selects no pod are
// quiet.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "cli_output/witness_replay.h"
#include "harness.h"

using namespace meshproof;

TEST_CASE("admin-priority-tie reports its positive fixture", "[checks][admin-priority-tie]") {
  auto run = test::run_fixture("checks/admin-priority-tie/positive.yaml");
  INFO("findings:" << run->dump());
  auto found = run->of("admin-priority-tie");
  REQUIRE(found.size() == 1);
  const Finding& f = *found[0];
  CHECK(f.id == "MP5004");
  CHECK(f.loc.line == 52);  // allow-monitoring's priority
  CHECK(f.properties.at("policies") == "AdminNetworkPolicy deny-dev, AdminNetworkPolicy allow-monitoring");
  CHECK(f.properties.at("direction") == "ingress");
  CHECK(f.properties.at("connection") == "pod dev/tester → pod prod/api port 8080/TCP");
  CHECK(f.message.find("AdminNetworkPolicies of equal priority 10 disagree on a connection: ") == 0);
  CHECK(f.message.find("meshproof admits it when either order does: admitted") != std::string::npos);
  REQUIRE(f.related.size() == 1);
  CHECK(f.related[0].resource.name == "deny-dev");
  CHECK(f.related[0].loc.line == 43);
}

TEST_CASE("admin-priority-tie's query command shows the same tie", "[checks][admin-priority-tie]") {
  auto run = test::run_fixture("checks/admin-priority-tie/positive.yaml");
  auto found = run->of("admin-priority-tie");
  REQUIRE(found.size() == 1);
  const nlohmann::json answer = test::replay::query_json(found[0]->properties.at("reproduce"));
  const nlohmann::json& net = answer.at("network_layer");
  CHECK(net.at("allowed").get<bool>());
  REQUIRE(net.at("tie").size() == 2);
  CHECK(net.at("tie")[0].get<std::string>() == "AdminNetworkPolicy deny-dev");
  CHECK(net.at("tie")[1].get<std::string>() == "AdminNetworkPolicy allow-monitoring");
}

TEST_CASE("admin-priority-tie is quiet on its negative fixture", "[checks][admin-priority-tie]") {
  auto run = test::run_fixture("checks/admin-priority-tie/negative.yaml");
  INFO("findings:" << run->dump());
  CHECK(run->of("admin-priority-tie").empty());
}
