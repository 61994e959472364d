// overly-permissive-rule end to end: the split rule, an IP range as identity, any mesh identity in a
// regulated namespace; each with an allowed request from a caller the policy does not name.
#include <catch2/catch.hpp>

#include "harness.h"

using namespace meshproof;

TEST_CASE("overly-permissive-rule reports split rules, IP ranges and any-identity grants", "[checks][overly-permissive-rule]") {
  auto run = test::run_fixture("checks/overly-permissive-rule/positive.yaml", {{}, {"overly-permissive-rule"}});
  INFO("findings:" << run->dump());
  auto found = run->of("overly-permissive-rule");
  REQUIRE(found.size() == 3);
  for (const Finding* f : found) {
    CHECK(f->id == "MP2006");
    REQUIRE(f->witness.has_value());
    CHECK(f->witness->decision == "ALLOW");
  }
  auto split = run->where("overly-permissive-rule", "kind", "split-rule");
  REQUIRE(split.size() == 1);
  CHECK(split[0]->properties.at("rule") == "1");
  CHECK(split[0]->message.find("OR-ed") != std::string::npos);
  // PERMISSIVE: the caller in the witness is plaintext, allowed by rules[1] itself.
  CHECK_FALSE(split[0]->witness->mtls);
  CHECK(split[0]->witness->decided_by == "ecommerce/frontend-policy rule 1");

  auto ip = run->where("overly-permissive-rule", "kind", "ip-as-identity");
  REQUIRE(ip.size() == 1);
  CHECK(ip[0]->properties.at("rule") == "2");
  CHECK(ip[0]->witness->source_ip.rfind("10.", 0) == 0);

  auto any = run->where("overly-permissive-rule", "kind", "any-identity");
  REQUIRE(any.size() == 1);
  CHECK(any[0]->resource.name == "any-mesh-caller");
  // STRICT port: an mTLS caller, any identity.
  CHECK(any[0]->witness->mtls);
  CHECK(any[0]->message.find("regulated namespace vault") != std::string::npos);
}

TEST_CASE("overly-permissive-rule is quiet on one-piece rules, public endpoints and narrowed wildcards",
          "[checks][overly-permissive-rule]") {
  auto run = test::run_fixture("checks/overly-permissive-rule/negative.yaml", {{}, {"overly-permissive-rule"}});
  INFO("findings:" << run->dump());
  CHECK(run->of("overly-permissive-rule").empty());
}
