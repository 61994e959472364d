// unreachable-allow-rule end to end on its fixtures: which rules are proven unreachable, what shadows
// them, and that CUSTOM delegation and never-matching rules are not reported.
#include <catch2/catch.hpp>

#include "harness.h"

using namespace meshproof;

TEST_CASE("unreachable-allow-rule names the DENY fence, STRICT mTLS and a widened DENY",
          "[checks][unreachable-allow-rule]") {
  const std::string file = test::fixture("checks/unreachable-allow-rule/positive.yaml");
  auto run = test::run_fixture("checks/unreachable-allow-rule/positive.yaml", {{}, {"unreachable-allow-rule"}});
  INFO("findings:" << run->dump());
  auto found = run->of("unreachable-allow-rule");
  REQUIRE(found.size() == 3);
  for (const Finding* f : found) {
    CHECK(f->id == "MP2001");
    CHECK(f->severity == Severity::Warning);
    CHECK(f->properties.at("proof") == "unsat");
    REQUIRE(f->witness.has_value());
    CHECK(f->witness->decision != "ALLOW");
    CHECK(f->witness->reproduce.rfind("meshproof query ", 0) == 0);
  }
  // The ops rule: denied by the fence, which the finding names and points at.
  auto ops = run->where("unreachable-allow-rule", "rule", "1");
  REQUIRE(ops.size() == 1);
  CHECK(ops[0]->resource.name == "api-access");
  CHECK(ops[0]->loc.line == test::line_of(file, "principals: [\"cluster.local/ns/ops/sa/console\"]"));
  CHECK(ops[0]->message.find("DENY AuthorizationPolicy bank/fence rules[0]") != std::string::npos);
  CHECK(ops[0]->witness->decision == "DENY");
  CHECK(ops[0]->witness->decided_by == "bank/fence rule 0");
  REQUIRE(ops[0]->related.size() == 1);
  CHECK(ops[0]->related[0].resource.name == "fence");
  // The plaintext-only rule: STRICT refuses its requests.
  auto plain = run->where("unreachable-allow-rule", "rule", "2");
  REQUIRE(plain.size() == 1);
  CHECK(plain[0]->message.find("STRICT mTLS") != std::string::npos);
  CHECK_FALSE(plain[0]->witness->mtls);
  // The ledger's only rule: every TCP connection is denied first by the widened methods-only DENY.
  bool ledger = false;
  for (const Finding* f : found)
    if (f->resource.name == "ledger-clients") {
      ledger = true;
      CHECK(f->message.find("no-deletes") != std::string::npos);
      CHECK(f->message.find("widened") != std::string::npos);
      CHECK(f->witness->port == 5432);
      CHECK(f->witness->port_protocol == "TCP");
    }
  CHECK(ledger);
  // rules[0] of api-access allows web/frontend: no finding for it.
  CHECK(run->where("unreachable-allow-rule", "rule", "0").size() == 1);  // only ledger-clients rules[0]
}

TEST_CASE("unreachable-allow-rule: CUSTOM delegation keeps a rule reachable, never-matching rules are not its",
          "[checks][unreachable-allow-rule]") {
  auto run = test::run_fixture("checks/unreachable-allow-rule/negative.yaml",
                               {{}, {"unreachable-allow-rule", "never-matching-rule"}});
  INFO("findings:" << run->dump());
  CHECK(run->of("unreachable-allow-rule").empty());
  // The contradictory rules[2] is reported, by the other check.
  auto never = run->where("never-matching-rule", "rule", "2");
  REQUIRE(never.size() == 1);
  CHECK(never[0]->resource.name == "api-access");
}
