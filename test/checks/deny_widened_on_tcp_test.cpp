// deny-widened-on-tcp end to end: header-only, methods-only and partly widened DENY rules on a TCP port,
// each with a denied TCP connection as witness.
#include <catch2/catch.hpp>

#include "harness.h"

using namespace meshproof;

TEST_CASE("deny-widened-on-tcp reports DENY rules widened on a TCP port with a denied connection",
          "[checks][deny-widened-on-tcp]") {
  auto run = test::run_fixture("checks/deny-widened-on-tcp/positive.yaml", {{}, {"deny-widened-on-tcp"}});
  INFO("findings:" << run->dump());
  auto found = run->of("deny-widened-on-tcp");
  REQUIRE(found.size() == 3);
  for (const Finding* f : found) {
    CHECK(f->id == "MP2004");
    REQUIRE(f->witness.has_value());
    CHECK(f->witness->decision == "DENY");
    CHECK(f->witness->port == 6379);
    CHECK(f->witness->port_protocol == "TCP");
    // deny-deletes (oldest by name) is widened to every connection, so it decides first for all three.
    CHECK(f->witness->decided_by == "production/deny-deletes rule 0");
    CHECK(f->witness->reproduce.find("--port 6379") != std::string::npos);
  }
  for (const Finding* f : found) {
    INFO(f->resource.name << ": " << f->message);
    if (f->resource.name == "deny-geo") {
      CHECK(f->properties.at("matches_every_connection") == "true");
      CHECK(f->message.find("admission warning ignores `when`") != std::string::npos);
      CHECK(f->message.find("production/deny-deletes rule 0 matches it first") != std::string::npos);
    } else if (f->resource.name == "deny-deletes") {
      CHECK(f->properties.at("matches_every_connection") == "true");
      CHECK(f->message.find("admission warning") == std::string::npos);  // Istio warns about this one
      CHECK(f->properties.at("dropped") == "rules[0].to[0].operation.methods");
    } else {
      CHECK(f->resource.name == "deny-untraced");
      // The namespace condition survives: only connections from staging are denied.
      CHECK(f->properties.at("matches_every_connection") == "false");
      CHECK(f->witness->source_namespace == "staging");
    }
  }
}

TEST_CASE("deny-widened-on-tcp is quiet when ports keep the rule off TCP ports or only TCP fields are used",
          "[checks][deny-widened-on-tcp]") {
  auto run = test::run_fixture("checks/deny-widened-on-tcp/negative.yaml", {{}, {"deny-widened-on-tcp"}});
  INFO("findings:" << run->dump());
  CHECK(run->of("deny-widened-on-tcp").empty());
}
