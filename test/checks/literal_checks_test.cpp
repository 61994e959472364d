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
  REQUIRE(run->of("literal-wildcard").size() == 4);
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

// A value in an exception list (notPaths, notValues) matches less, so the exception excludes less and
// the rule matches more: for a DENY rule that is "denies more", not "lets through" (realworld triage).
TEST_CASE("literal-wildcard says an exception that matches less makes the rule match more",
          "[checks][literal-wildcard]") {
  auto run = test::run_fixture("checks/literal-wildcard/positive.yaml", {{}, {"literal-wildcard"}});
  INFO("findings:" << run->dump());
  auto health = run->where("literal-wildcard", "value", "/health/**");
  REQUIRE(health.size() == 1);
  CHECK(health[0]->resource.name == "require-token");
  CHECK(health[0]->properties.at("field") == "rules[0].to[0].operation.notPaths");
  CHECK(health[0]->message.find("prefix match on \"/health/*\"") != std::string::npos);
  CHECK(health[0]->message.find("this exception excludes less than intended") != std::string::npos);
  CHECK(health[0]->message.find("also denies requests the author meant to exempt") != std::string::npos);
  CHECK(health[0]->message.find("get through") == std::string::npos);
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

// "/dex/**" is reported on its own, and not when a sibling value ("/dex/*") already matches every path the
// author meant: then the list behaves as intended (realworld corpus: kubeflow's oauth2-proxy policies).
TEST_CASE("literal-wildcard is quiet when a sibling value covers the intended wildcard", "[checks][literal-wildcard]") {
  auto policy = [](const std::string& not_paths) {
    return "apiVersion: security.istio.io/v1\n"
           "kind: AuthorizationPolicy\n"
           "metadata: {name: require-jwt, namespace: istio-system}\n"
           "spec:\n"
           "  action: DENY\n"
           "  rules:\n"
           "  - from: [{source: {notRequestPrincipals: [\"*\"]}}]\n"
           "    to: [{operation: {ports: [\"8080\"], notPaths: " +
           not_paths + "}}]\n";
  };
  auto alone =
      test::run_checks_on({test::write_temp(policy("[\"/dex/**\"]"), "alone.yaml")}, {{}, {"literal-wildcard"}});
  INFO("findings:" << alone->dump());
  CHECK(alone->where("literal-wildcard", "value", "/dex/**").size() == 1);
  auto covered = test::run_checks_on({test::write_temp(policy("[\"/dex/*\", \"/dex/**\"]"), "covered.yaml")},
                                     {{}, {"literal-wildcard"}});
  INFO("findings:" << covered->dump());
  CHECK(covered->of("literal-wildcard").empty());
  // A suffix sibling covers a value whose literal end it shares; an unrelated prefix does not.
  auto suffix = test::run_checks_on(
      {test::write_temp(policy("[\"*/ready\", \"/a*/ready\", \"/b/*\", \"/c/*x*\"]"), "suffix.yaml")},
      {{}, {"literal-wildcard"}});
  INFO("findings:" << suffix->dump());
  CHECK(suffix->where("literal-wildcard", "value", "/a*/ready").empty());
  CHECK(suffix->where("literal-wildcard", "value", "/c/*x*").size() == 1);
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
