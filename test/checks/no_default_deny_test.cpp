// no-default-deny end to end: regulated workloads without an enforced ALLOW policy, including "any
// other workload" of the namespace; DENY, dry-run ALLOW and unregulated namespaces do not count.
#include <catch2/catch.hpp>

#include "harness.h"

using namespace meshproof;

TEST_CASE("no-default-deny reports regulated workloads that no enforced ALLOW policy covers",
          "[checks][no-default-deny]") {
  const std::string file = test::fixture("checks/no-default-deny/positive.yaml");
  auto run = test::run_fixture("checks/no-default-deny/positive.yaml");
  INFO("findings:" << run->dump());
  auto found = run->of("no-default-deny");
  REQUIRE(found.size() == 2);

  auto api = run->where("no-default-deny", "workload", "payments/api");
  REQUIRE(api.size() == 1);
  CHECK(api[0]->id == "MP1004");
  CHECK(api[0]->severity == Severity::Error);
  CHECK(api[0]->resource.kind == "Deployment");
  CHECK(api[0]->loc.line == test::line_of(file, "name: api") - 3);  // the document's first key
  CHECK(api[0]->message ==
        "Deployment payments/api has no enforced ALLOW AuthorizationPolicy, so Istio allows every request to it "
        "that no DENY policy matches (ALLOW policy payments/allow-nothing-trial is dry-run only and enforce "
        "nothing)");
  CHECK(api[0]->help.find("remove the istio.io/dry-run annotation") == 0);
  REQUIRE(api[0]->related.size() == 1);
  CHECK(api[0]->related[0].resource.name == "allow-nothing-trial");

  auto other = run->where("no-default-deny", "workload_kind", "other-workloads");
  REQUIRE(other.size() == 1);
  CHECK(other[0]->properties.at("workload") == "payments/*");
  CHECK(other[0]->message.find("namespace payments has no namespace-wide default deny: any other workload in "
                               "namespace payments") == 0);
  // Points at the Namespace object.
  CHECK(other[0]->loc.line == test::line_of(file, "name: payments") - 3);

  CHECK(run->where("no-default-deny", "workload", "payments/web").empty());
  CHECK(run->where("no-default-deny", "workload", "public/site").empty());
}

TEST_CASE("no-default-deny is quiet under a namespace-wide default deny", "[checks][no-default-deny]") {
  auto run = test::run_fixture("checks/no-default-deny/negative.yaml");
  INFO("findings:" << run->dump());
  CHECK(run->of("no-default-deny").empty());
}

TEST_CASE("no-default-deny reports a regulated workload without a sidecar even under default deny",
          "[checks][no-default-deny]") {
  auto input = test::load_yaml(R"(
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata:
  name: allow-nothing
  namespace: vault
spec: {}
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: unsealer
  namespace: vault
spec:
  selector:
    matchLabels:
      app: unsealer
  template:
    metadata:
      labels:
        app: unsealer
      annotations:
        sidecar.istio.io/inject: "false"
    spec:
      containers:
        - name: unsealer
          image: example.com/unsealer:1
)");
  REQUIRE(input);
  profile::Profile prof = profile::default_profile();
  checks::Options options;
  options.today = test::kFixtureToday;
  checks::Context ctx{input->sources, input->resources, input->mesh, prof, options, {"vault"}};
  auto findings = checks::run_checks(ctx, {"no-default-deny"});
  REQUIRE(findings.size() == 1);
  CHECK(findings[0].properties.at("workload") == "vault/unsealer");
  CHECK(findings[0].properties.at("sidecar") == "false");
  CHECK(findings[0].message.find("runs without an Istio sidecar") != std::string::npos);
  CHECK(findings[0].message.find("no AuthorizationPolicy is enforced on it") != std::string::npos);
}
