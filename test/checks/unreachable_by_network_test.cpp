// unreachable-allow-rule names a NetworkPolicy that drops every connection an ALLOW rule would allow
// (checks/network_blocked_rules.h; docs/semantics.md#networkpolicy-layer, I1).
#include <catch2/catch.hpp>

#include "harness.h"

using namespace meshproof;

TEST_CASE("unreachable-allow-rule names the NetworkPolicy that closes the rule's ports",
          "[checks][unreachable-allow-rule][netpol]") {
  auto run = test::run_fixture("checks/unreachable-allow-rule/networkpolicy.yaml");
  INFO("findings:" << run->dump());
  auto found = run->of("unreachable-allow-rule");
  REQUIRE(found.size() == 1);
  CHECK(found[0]->properties.at("rule") == "1");
  CHECK(found[0]->properties.at("network_policy") == "NetworkPolicy app/api-8080");
  CHECK(found[0]->properties.at("layer") == "networkpolicy");
  CHECK(found[0]->message.find("admits port 9090") != std::string::npos);
  REQUIRE(found[0]->related.size() == 1);
  CHECK(found[0]->related[0].loc.line == 28);
}
