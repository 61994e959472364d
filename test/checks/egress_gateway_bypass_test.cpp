// egress-gateway-bypass end to end: an egress gateway a Gateway configures, with a mesh workload whose egress
// no NetworkPolicy restricts, is reported once with the workloads that can go around it; egress limited to the
// gateway and DNS is quiet.
#include <catch2/catch.hpp>

#include "harness.h"

using namespace meshproof;

TEST_CASE("egress-gateway-bypass reports its positive fixture", "[checks][egress-gateway-bypass]") {
  auto run = test::run_fixture("checks/egress-gateway-bypass/positive.yaml");
  INFO("findings:" << run->dump());
  auto found = run->of("egress-gateway-bypass");
  REQUIRE(found.size() == 1);
  CHECK(found[0]->id == "MP5002");
  CHECK(found[0]->properties.at("workloads") == "app/client");
  CHECK(found[0]->message.find("egress gateway istio-system/istio-egressgateway can be bypassed") == 0);
}

TEST_CASE("egress-gateway-bypass is quiet on its negative fixture", "[checks][egress-gateway-bypass]") {
  auto run = test::run_fixture("checks/egress-gateway-bypass/negative.yaml");
  INFO("findings:" << run->dump());
  CHECK(run->of("egress-gateway-bypass").empty());
}
