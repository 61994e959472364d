// invalid-resource end to end: validation diagnostics become findings with the diagnostic's severity,
// field and position.
#include <catch2/catch.hpp>

#include "harness.h"

using namespace meshproof;

TEST_CASE("invalid-resource turns validation errors and warnings into findings", "[checks][invalid-resource]") {
  const std::string file = test::fixture("checks/invalid-resource/positive.yaml");
  auto run = test::run_fixture("checks/invalid-resource/positive.yaml", {{}, {"invalid-resource"}});
  INFO("findings:" << run->dump());
  auto found = run->of("invalid-resource");
  REQUIRE(found.size() == run->input->resources.diagnostics.size());

  const Finding* deny = nullptr;
  const Finding* source = nullptr;
  const Finding* selector = nullptr;
  for (const Finding* f : found) {
    if (f->resource.name == "deny-nothing") deny = f;
    if (f->resource.name == "empty-source") source = f;
    if (f->resource.name == "all") selector = f;
  }
  REQUIRE(deny);
  CHECK(deny->id == "MP1001");
  CHECK(deny->severity == Severity::Error);
  CHECK(deny->properties.at("validation") == "error");
  CHECK(deny->message.find("AuthorizationPolicy payments/deny-nothing is invalid: ") == 0);
  CHECK(deny->message.find("DENY action without `rules` is meaningless") != std::string::npos);
  CHECK_FALSE(deny->help.empty());

  REQUIRE(source);
  CHECK(source->severity == Severity::Error);
  CHECK(source->properties.at("field").find("spec.rules[0].from[0].source") == 0);
  CHECK(source->message.find(source->properties.at("field")) != std::string::npos);
  CHECK(source->loc.line == test::line_of(file, "- source: {}"));

  REQUIRE(selector);
  CHECK(selector->severity == Severity::Warning);
  CHECK(selector->properties.at("validation") == "warning");
  CHECK(selector->message.find("PeerAuthentication payments/all: Istio warns: spec.selector: ") == 0);
  CHECK(selector->loc.line == test::line_of(file, "selector: {}"));
}

TEST_CASE("invalid-resource is quiet on valid policies", "[checks][invalid-resource]") {
  auto run = test::run_fixture("checks/invalid-resource/negative.yaml");
  INFO("findings:" << run->dump());
  CHECK(run->of("invalid-resource").empty());
}
