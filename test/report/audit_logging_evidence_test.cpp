// The audit-controls evidence of the HIPAA profile (164.312(b)) comes from the access-logging model: a control
// whose check says the input holds no evidence (access-logging-off without the mesh configuration) is
// "no evidence", never a pass; logging switched off fails it; logging on passes it.
#include <catch2/catch.hpp>

#include "report/auditor.h"
#include "run_fixture.h"

using namespace meshproof;
using report::ControlStatus;

namespace {

report::ControlResult audit_control(const std::string& fixture) {
  auto run = test::analyze({test::fixture(fixture)}, test::source_dir() + "/rules/hipaa.yaml");
  report::AuditOptions o;
  o.generated_at = "2026-06-01T08:00:00Z";
  o.profile_file = run->profile_file;
  auto rep = report::build_audit_report(*run->ctx, run->findings, run->summary, o);
  for (const auto& c : rep.controls)
    if (c.id == "164.312(b)") return c;
  FAIL("no control 164.312(b)");
  throw std::logic_error("unreachable");
}

}  // namespace

TEST_CASE("auditor: audit controls without the mesh configuration show no evidence, never pass") {
  auto c = audit_control("checks/access-logging-off/no-mesh-config.yaml");
  CHECK(c.status == ControlStatus::NoEvidence);
  CHECK(c.missing_evidence == 1);
  CHECK_THAT(c.note, Catch::StartsWith("No evidence: the input does not contain what access-logging-off on "
                                       "Namespace records needs to decide"));
  CHECK(std::string(audit::to_string(c.status)) == "no-evidence");
}

TEST_CASE("auditor: audit controls fail when access logging is off and have its evidence when it is on") {
  CHECK(audit_control("checks/access-logging-off/positive.yaml").status == ControlStatus::Fail);
  // Logging on: access-logging-off examined the workloads and found nothing. The fixture has no
  // AuthorizationPolicy, so dry-run-only had nothing to examine: the evidence is partial, not a pass
  // (docs/reports.md, "Controls").
  auto on = audit_control("checks/access-logging-off/negative.yaml");
  CHECK(on.status == ControlStatus::Partial);
  CHECK(on.not_examined == std::vector<std::string>{"dry-run-only"});
  REQUIRE(on.evidence[0].check == "access-logging-off");
  CHECK(on.evidence[0].examined());
  CHECK(on.evidence[0].findings.empty());
}
