// access-logging-off end to end: a Telemetry that disables the inherited provider and a mesh configuration
// without accessLogFile are errors naming their cause; a CLIENT-only disable, a provider defined in the mesh
// configuration and unregulated namespaces are quiet; without the mesh configuration the check says the
// evidence is missing (a note), never that logging is off.
#include <catch2/catch.hpp>

#include "harness.h"

using namespace meshproof;

TEST_CASE("access-logging-off reports its positive fixture", "[checks][access-logging-off]") {
  auto run = test::run_fixture("checks/access-logging-off/positive.yaml");
  INFO("findings:" << run->dump());
  auto found = run->of("access-logging-off");
  REQUIRE(found.size() == 2);
  CHECK(found[0]->id == "MP4001");
  const std::string file = test::fixture("checks/access-logging-off/positive.yaml");

  auto records = run->where("access-logging-off", "workload", "records/records-api");
  REQUIRE(records.size() == 1);
  CHECK(records[0]->severity == Severity::Error);
  CHECK(records[0]->message ==
        "Inbound requests to Deployment records/records-api are not access-logged: Telemetry records/quiet disables "
        "access logging for it; an audit trail of who called a regulated workload needs an access log "
        "(docs/semantics.md#access-logging)");
  CHECK(records[0]->loc.line == test::line_of(file, "    - disabled: true"));
  CHECK(records[0]->properties.at("cause") == "Telemetry records/quiet");

  auto claims = run->where("access-logging-off", "workload", "claims/claims-api");
  REQUIRE(claims.size() == 1);
  CHECK(claims[0]->message ==
        "Inbound requests to Deployment claims/claims-api are not access-logged: Telemetry istio-system/mesh-default "
        "configures no access logging for its inbound (SERVER) traffic, and meshConfig.accessLogFile is not set "
        "(Istio's default: no access log); an audit trail of who called a regulated workload needs an access log "
        "(docs/semantics.md#access-logging)");
  CHECK(claims[0]->properties.at("cause") == "ConfigMap istio-system/istio");
}

TEST_CASE("access-logging-off is quiet on its negative fixture", "[checks][access-logging-off]") {
  auto run = test::run_fixture("checks/access-logging-off/negative.yaml");
  INFO("findings:" << run->dump());
  CHECK(run->of("access-logging-off").empty());
}

TEST_CASE("access-logging-off says the evidence is missing without the mesh configuration",
          "[checks][access-logging-off]") {
  auto run = test::run_fixture("checks/access-logging-off/no-mesh-config.yaml");
  INFO("findings:" << run->dump());
  auto found = run->of("access-logging-off");
  REQUIRE(found.size() == 1);  // billing is logged by its Telemetry (the built-in envoy provider)
  const Finding* f = found[0];
  CHECK(f->severity == Severity::Note);
  CHECK(f->resource.kind == "Namespace");
  CHECK(f->resource.name == "records");
  CHECK(f->properties.at("evidence") == "missing");
  CHECK(f->message ==
        "No evidence whether the inbound requests of 1 regulated workload in namespace records (records/records-api) "
        "are access-logged: no Telemetry configures access logging for it, so meshConfig.accessLogFile decides, and "
        "the input does not contain the mesh configuration; this is not a finding that logging is off "
        "(docs/semantics.md#access-logging)");
}
