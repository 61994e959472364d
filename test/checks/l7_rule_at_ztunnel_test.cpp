// l7-rule-at-ztunnel end to end: on an ambient workload without a waypoint, an ALLOW rule with `methods` is
// dropped (and its policy then denies everything), a DENY rule whose only source field is L7 never fires, and a
// DENY rule with `paths` beside `ports` is widened; the same rules on sidecar workloads, L4-only rules, and
// policies ztunnel never receives (targetRefs, AUDIT) are quiet.
#include <catch2/catch.hpp>

#include "harness.h"

using namespace meshproof;

TEST_CASE("l7-rule-at-ztunnel reports its positive fixture", "[checks][l7-rule-at-ztunnel]") {
  auto run = test::run_fixture("checks/l7-rule-at-ztunnel/positive.yaml");
  INFO("findings:" << run->dump());
  auto found = run->of("l7-rule-at-ztunnel");
  REQUIRE(found.size() == 3);
  CHECK(found[0]->id == "MP1008");
  CHECK(found[0]->severity == Severity::Error);
  CHECK(found[0]->message ==
        "ALLOW AuthorizationPolicy pay/allow-web-get rules[0] has L7 parts (to[0].operation.methods) and is enforced "
        "by ztunnel on Deployment pay/api (ambient): istiod omits the whole rule, so ztunnel allows nothing by it; no "
        "rule of the policy is left, and an ALLOW policy without rules makes ztunnel deny every connection to "
        "Deployment pay/api that no other ALLOW policy allows (docs/semantics.md#ztunnel)");
  CHECK(found[0]->loc.line == 43);
  CHECK(found[0]->properties.at("effect") == "allow-rule-dropped");
  CHECK(found[1]->properties.at("effect") == "deny-never-fires");
  CHECK(found[1]->message.find("the rule is left with from[0] without any L4 part, which ztunnel never matches, so "
                               "the rule never fires and denies nothing") != std::string::npos);
  CHECK(found[2]->properties.at("effect") == "deny-widened");
  CHECK(found[2]->properties.at("l7_items") == "to[0].operation.paths");
  CHECK(found[2]->properties.at("workloads") == "Deployment pay/api");
}

TEST_CASE("l7-rule-at-ztunnel is quiet on its negative fixture", "[checks][l7-rule-at-ztunnel]") {
  auto run = test::run_fixture("checks/l7-rule-at-ztunnel/negative.yaml");
  INFO("findings:" << run->dump());
  CHECK(run->of("l7-rule-at-ztunnel").empty());
}
