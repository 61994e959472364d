// literal-operator-value, literal-wildcard and dry-run-only end to end on their fixtures.
#include <catch2/catch.hpp>

#include "harness.h"

using namespace meshproof;

TEST_CASE("literal-operator-value flags comparisons and ranges written as values", "[checks][literal-operator-value]") {
  const std::string file = test::fixture("checks/literal-operator-value/positive.yaml");
  auto run = test::run_fixture("checks/literal-operator-value/positive.yaml", {{}, {"literal-operator-value"}});
  INFO("findings:" << run->dump());
  auto found = run->of("literal-operator-value");
  REQUIRE(found.size() == 3);
  auto amount = run->where("literal-operator-value", "value", ">100000");
  REQUIRE(amount.size() == 1);
  CHECK(amount[0]->id == "MP2007");
  CHECK(amount[0]->severity == Severity::Warning);
  CHECK(amount[0]->resource.name == "limit-transfers");
  CHECK(amount[0]->loc.line == test::line_of(file, "notValues: [\">100000\"]"));
  CHECK(amount[0]->message.find("looks like a comparison") != std::string::npos);
  CHECK(amount[0]->message.find("still matches every other value") != std::string::npos);
  auto range = run->where("literal-operator-value", "value", "08:00-18:00");
  REQUIRE(range.size() == 1);
  CHECK(range[0]->message.find("a time range") != std::string::npos);
  CHECK(run->where("literal-operator-value", "value", "score <= 0.8").size() == 1);
}

TEST_CASE("literal-operator-value is quiet on ordinary values with dashes, dots and equals signs",
          "[checks][literal-operator-value]") {
  auto run = test::run_fixture("checks/literal-operator-value/negative.yaml",
                               {{}, {"literal-operator-value", "invalid-resource"}});
  INFO("findings:" << run->dump());
  CHECK(run->of("literal-operator-value").empty());
  // The fixture's rejected policy holds a time range; it is reported once, as invalid.
  REQUIRE(run->of("invalid-resource").size() == 1);
  CHECK(run->of("invalid-resource")[0]->resource.name == "rejected-by-admission");
}

TEST_CASE("literal-wildcard explains how Istio reads inner and double wildcards", "[checks][literal-wildcard]") {
  auto run = test::run_fixture("checks/literal-wildcard/positive.yaml", {{}, {"literal-wildcard"}});
  INFO("findings:" << run->dump());
  REQUIRE(run->of("literal-wildcard").size() == 3);
  auto sqlmap = run->where("literal-wildcard", "value", "*sqlmap*");
  REQUIRE(sqlmap.size() == 1);
  CHECK(sqlmap[0]->id == "MP2008");
  CHECK(sqlmap[0]->message.find("suffix match on the literal \"sqlmap*\"") != std::string::npos);
  CHECK(sqlmap[0]->message.find("requests the author meant to deny get through") != std::string::npos);
  auto admin = run->where("literal-wildcard", "value", "/api/*/admin");
  REQUIRE(admin.size() == 1);
  CHECK(admin[0]->message.find("exact match on the literal text") != std::string::npos);
  CHECK(admin[0]->help.find("path template") != std::string::npos);
  auto principal = run->where("literal-wildcard", "value", "cluster.local/ns/*/sa/frontend");
  REQUIRE(principal.size() == 1);
  CHECK(principal[0]->message.find("allows less than intended") != std::string::npos);
}

TEST_CASE("literal-wildcard accepts prefix, suffix, presence, namespace globs and path templates",
          "[checks][literal-wildcard]") {
  auto run = test::run_fixture("checks/literal-wildcard/negative.yaml", {{}, {"literal-wildcard", "invalid-resource"}});
  INFO("findings:" << run->dump());
  CHECK(run->of("literal-wildcard").empty());
  // The fixture's rejected policy holds `*../../*`; it is reported once, as invalid.
  REQUIRE(run->of("invalid-resource").size() == 1);
  CHECK(run->of("invalid-resource")[0]->resource.name == "rejected-by-admission");
}

TEST_CASE("dry-run-only reports each dry-run ALLOW policy of a workload with no enforced ALLOW",
          "[checks][dry-run-only]") {
  auto run = test::run_fixture("checks/dry-run-only/positive.yaml", {{}, {"dry-run-only"}});
  INFO("findings:" << run->dump());
  auto found = run->of("dry-run-only");
  REQUIRE(found.size() == 2);  // deny-all and allow-gateway, once each
  for (const Finding* f : found) {
    CHECK(f->id == "MP2010");
    CHECK(f->severity == Severity::Error);
    CHECK(f->message.find("order-service") != std::string::npos);
  }
}

TEST_CASE("dry-run-only is quiet when an enforced ALLOW policy applies", "[checks][dry-run-only]") {
  auto run = test::run_fixture("checks/dry-run-only/negative.yaml", {{}, {"dry-run-only"}});
  INFO("findings:" << run->dump());
  CHECK(run->of("dry-run-only").empty());
}
