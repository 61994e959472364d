// meshproof.dev/ignore annotations: parsing, which findings they suppress, and malformed entries
// becoming invalid-suppression warnings at the annotation.
#include <catch2/catch.hpp>

#include "run_fixture.h"

using namespace meshproof;
using analysis::parse_ignore_annotation;

TEST_CASE("suppress: parsing entries separated by ',' and newlines") {
  auto p = parse_ignore_annotation("mtls-not-strict: legacy client (SEC-1);no-default-deny : batch job\n\n ;");
  REQUIRE(p.problems.empty());
  REQUIRE(p.entries.size() == 2);
  CHECK(p.entries[0].check == "mtls-not-strict");
  CHECK(p.entries[0].reason == "legacy client (SEC-1)");
  CHECK(p.entries[1].check == "no-default-deny");
  CHECK(p.entries[1].reason == "batch job");
  // A reason may itself contain a colon.
  auto q = parse_ignore_annotation("mtls-not-strict: see https://tickets.example/SEC-1");
  REQUIRE(q.entries.size() == 1);
  CHECK(q.entries[0].reason == "see https://tickets.example/SEC-1");
}

TEST_CASE("suppress: malformed entries are problems, the rest still apply") {
  auto p = parse_ignore_annotation(
      "mtls-not-strict;no-default-deny:   ;mtls-not-strikt: typo;*: all;: nothing;"
      "selector-matches-nothing: ok");
  REQUIRE(p.entries.size() == 1);
  CHECK(p.entries[0].check == "selector-matches-nothing");
  REQUIRE(p.problems.size() == 5);
  CHECK_THAT(p.problems[0], Catch::Contains("has no reason"));
  CHECK_THAT(p.problems[1], Catch::Contains("has no reason"));
  CHECK_THAT(p.problems[2], Catch::Contains("unknown check 'mtls-not-strikt'"));
  CHECK_THAT(p.problems[2], Catch::Contains("did you mean 'mtls-not-strict'"));
  CHECK_THAT(p.problems[3], Catch::Contains("does not name a check"));
  CHECK_THAT(p.problems[4], Catch::Contains("names no check"));
}

TEST_CASE("suppress: annotations on the Deployment and the Namespace suppress their own findings only") {
  auto run = test::analyze({test::fixture("report/suppress")});
  const auto& fs = run->findings;

  // Deployment payments/batch: mtls-not-strict suppressed with the reason as written.
  const Finding* batch_mtls = test::find_finding(fs, "mtls-not-strict", "Deployment", "payments", "batch");
  REQUIRE(batch_mtls);
  CHECK(batch_mtls->suppression ==
        "annotation: nightly export job, plaintext until the vendor client supports mTLS (SEC-12)");
  // Its no-default-deny entry has no reason, so that finding stays open.
  const Finding* batch_deny = test::find_finding(fs, "no-default-deny", "Deployment", "payments", "batch");
  REQUIRE(batch_deny);
  CHECK(batch_deny->suppression.empty());
  // Deployment payments/api has no annotation: nothing suppressed.
  const Finding* api_mtls = test::find_finding(fs, "mtls-not-strict", "Deployment", "payments", "api");
  REQUIRE(api_mtls);
  CHECK(api_mtls->suppression.empty());
  // "Any other workload" of payments is covered by the Namespace's annotation, for the named check only.
  const Finding* other_deny = test::find_finding(fs, "no-default-deny", "Workload", "payments", "*");
  REQUIRE(other_deny);
  CHECK(other_deny->suppression == "annotation: namespace-wide deny lands with ticket SEC-77");
  const Finding* other_mtls = test::find_finding(fs, "mtls-not-strict", "Workload", "payments", "*");
  REQUIRE(other_mtls);
  CHECK(other_mtls->suppression.empty());
}

TEST_CASE("suppress: a malformed entry is an invalid-suppression warning at the annotation") {
  auto run = test::analyze({test::fixture("report/suppress")});
  std::vector<const Finding*> invalid;
  for (const Finding& f : run->findings)
    if (f.check == analysis::kInvalidSuppression) invalid.push_back(&f);
  REQUIRE(invalid.size() == 2);
  for (const Finding* f : invalid) {
    CHECK(f->severity == Severity::Warning);
    CHECK(f->resource.kind == "Deployment");
    CHECK(f->resource.name == "batch");
    CHECK(f->suppression.empty());
    // The annotation key is on line 19 of the fixture, column 5.
    CHECK_THAT(run->input->sources.describe(f->loc), Catch::EndsWith("suppress/payments.yaml:19:5"));
    CHECK(f->loc.line == 19);
    CHECK(f->loc.col == 5);
    CHECK(!f->fingerprint.empty());
  }
  bool no_reason = false, typo = false;
  for (const Finding* f : invalid) {
    no_reason = no_reason ||
                f->message.find("entry 'no-default-deny' for check no-default-deny has no reason") != std::string::npos;
    typo = typo || f->message.find("unknown check 'mtls-not-strikt'") != std::string::npos;
  }
  CHECK(no_reason);
  CHECK(typo);
  // Warnings do not fail a run at the default threshold.
  for (const Finding* f : invalid) CHECK_FALSE(report::fails_run(*f, run->summary));
}

TEST_CASE("suppress: a profile exception takes precedence over an annotation") {
  auto input = test::load_yaml(R"(apiVersion: v1
kind: Namespace
metadata: {labels: {istio-injection: enabled},
  name: cards}
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: vault
  namespace: cards
  annotations:
    meshproof.dev/ignore: "mtls-not-strict: developer says it is fine"
spec:
  selector: {matchLabels: {app: vault}}
  template:
    metadata: {labels: {app: vault}}
    spec:
      containers: [{name: vault, image: v, ports: [{containerPort: 8200}]}]
)");
  REQUIRE(input->errors.empty());
  profile::Profile prof = profile::default_profile();
  profile::Exception ex;
  ex.check = "mtls-not-strict";
  ex.resource = "cards/vault";
  ex.justification = "approved migration window";
  ex.approver = "CISO";
  ex.expires = "2099-01-01";
  prof.exceptions.push_back(ex);
  checks::Options options;
  options.today = "2026-06-01";
  checks::Context ctx{input->sources, input->resources, input->mesh, prof, options, {"cards"}};
  auto findings = checks::run_checks(ctx);
  analysis::apply_annotation_suppressions(findings, {&input->resources}, input->sources);
  const Finding* f = test::find_finding(findings, "mtls-not-strict", "Deployment", "cards", "vault");
  REQUIRE(f);
  CHECK_THAT(f->suppression, Catch::StartsWith("exception: approved migration window"));
}
