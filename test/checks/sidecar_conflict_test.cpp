// sidecar-conflict end to end: both Sidecars selecting payments/api, and both selector-less Sidecars of shop,
// are reported; disjoint selectors and a single default are not.
#include <catch2/catch.hpp>

#include "harness.h"

using namespace meshproof;

TEST_CASE("sidecar-conflict reports its positive fixture", "[checks][sidecar-conflict]") {
  auto run = test::run_fixture("checks/sidecar-conflict/positive.yaml");
  INFO("findings:" << run->dump());
  auto overlap = run->where("sidecar-conflict", "reason", "selector-overlap");
  REQUIRE(overlap.size() == 2);
  CHECK(overlap[0]->id == "MP4004");
  CHECK(overlap[0]->message.find("restrict-egress") != std::string::npos);
  CHECK(overlap[0]->message.find("backend-defaults") != std::string::npos);
  auto defaults = run->where("sidecar-conflict", "reason", "several-defaults");
  REQUIRE(defaults.size() == 2);
  CHECK(defaults[0]->resource.ns == "shop");
}

TEST_CASE("sidecar-conflict is quiet on its negative fixture", "[checks][sidecar-conflict]") {
  auto run = test::run_fixture("checks/sidecar-conflict/negative.yaml");
  INFO("findings:" << run->dump());
  CHECK(run->of("sidecar-conflict").empty());
}
