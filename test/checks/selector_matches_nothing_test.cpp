// selector-matches-nothing end to end: selectors that match no declared workload, namespace-wide policies
// in declared namespaces without a workload in the mesh (IST0127), the ignored root-namespace
// PeerAuthentication selector, and source namespaces that do not exist when the profile says the input
// declares them all (`namespaces: complete`).
#include <catch2/catch.hpp>

#include <set>

#include "harness.h"

using namespace meshproof;

namespace {
const Finding* by_name(const test::CheckRun& run, const std::string& policy, const std::string& reason) {
  const Finding* out = nullptr;
  for (const Finding* f : run.where("selector-matches-nothing", "reason", reason))
    if (f->resource.name == policy) {
      REQUIRE(out == nullptr);
      out = f;
    }
  return out;
}
}  // namespace

namespace {
const std::string kCompleteProfile = test::fixture("checks/selector-matches-nothing/positive-profile.yaml");
}  // namespace

TEST_CASE("selector-matches-nothing reports selectors and namespace references that match nothing",
          "[checks][selector-matches-nothing]") {
  const std::string file = test::fixture("checks/selector-matches-nothing/positive.yaml");
  auto run = test::run_fixture("checks/selector-matches-nothing/positive.yaml", test::RunOptions(kCompleteProfile));
  INFO("findings:" << run->dump());

  const Finding* ap = by_name(*run, "allow-api", "no-matching-workload");
  REQUIRE(ap);
  CHECK(ap->id == "MP1003");
  CHECK(ap->severity == Severity::Warning);
  CHECK(ap->resource.kind == "AuthorizationPolicy");
  CHECK(ap->properties.at("selector") == "app=apii");
  CHECK(ap->message ==
        "AuthorizationPolicy payments/allow-api selects {app=apii}, but no workload in namespace payments has these "
        "labels (declared: payments/api {app=api}); the policy applies to no workload and has no effect; did you "
        "mean app=api?");
  CHECK(ap->loc.line == test::line_of(file, "app: apii") - 2);  // the `selector` key

  const Finding* pa = by_name(*run, "ledger", "no-matching-workload");
  REQUIRE(pa);
  CHECK(pa->resource.kind == "PeerAuthentication");
  const Finding* ra = by_name(*run, "jwt", "no-matching-workload");
  REQUIRE(ra);
  CHECK(ra->resource.kind == "RequestAuthentication");

  const Finding* root = by_name(*run, "api-strict", "root-namespace-selector-ignored");
  REQUIRE(root);
  CHECK(root->message.find("Istio ignores a root-namespace PeerAuthentication with a selector") != std::string::npos);

  auto refs = run->where("selector-matches-nothing", "reason", "namespace-not-declared");
  REQUIRE(refs.size() == 4);
  auto ref = [&](const std::string& ns) -> const Finding* {
    for (const Finding* f : refs)
      if (f->properties.at("namespace") == ns) return f;
    return nullptr;
  };
  REQUIRE(ref("paymnts"));
  CHECK(ref("paymnts")->properties.at("field") == "spec.rules[0].from[0].source.namespaces[0]");
  CHECK(ref("paymnts")->message.find("did you mean \"payments\"?") != std::string::npos);
  CHECK(ref("paymnts")->message.find("this value matches no caller") != std::string::npos);
  CHECK(ref("paymnts")->loc.line == test::line_of(file, "[\"paymnts\"]"));
  REQUIRE(ref("frontnd"));
  CHECK(ref("frontnd")->properties.at("field") == "spec.rules[0].from[1].source.principals[0]");
  CHECK(ref("frontnd")->message.find("did you mean \"frontend\"?") != std::string::npos);
  REQUIRE(ref("paymentz"));
  CHECK(ref("paymentz")->properties.at("field") == "spec.rules[0].from[0].source.notNamespaces[1]");
  CHECK(ref("paymentz")->message.find("this exclusion excludes no caller") != std::string::npos);
  REQUIRE(ref("legacy"));
  CHECK(ref("legacy")->properties.at("field") == "spec.rules[0].when[0].values[0]");
  CHECK(ref("legacy")->message.find("did you mean") == std::string::npos);

  auto wide = run->where("selector-matches-nothing", "reason", "no-workload-in-namespace");
  REQUIRE(wide.size() == 2);
  CHECK(wide[0]->resource.display() == "AuthorizationPolicy frontend/frontend-wide");
  CHECK(wide[0]->message ==
        "AuthorizationPolicy frontend/frontend-wide applies to every workload in namespace frontend, but the input "
        "declares no workload there that is in the mesh; the policy applies to no workload and has no effect");
  CHECK(wide[0]->loc.line == test::line_of(file, "name: frontend-wide") - 3);  // the document's first key
  CHECK(wide[0]->properties.at("namespace") == "frontend");
  CHECK(wide[1]->resource.display() == "AuthorizationPolicy batch/batch-wide");  // `selector: {}` is namespace-wide
  CHECK(wide[1]->message.find("in the mesh (without a sidecar: Job batch/report)") != std::string::npos);

  CHECK(run->of("selector-matches-nothing").size() == 10);
}

TEST_CASE("selector-matches-nothing reports no undeclared namespace unless the profile says the list is complete",
          "[checks][selector-matches-nothing]") {
  auto run = test::run_fixture("checks/selector-matches-nothing/positive.yaml");
  INFO("findings:" << run->dump());
  CHECK(run->where("selector-matches-nothing", "reason", "namespace-not-declared").empty());
  CHECK(run->of("selector-matches-nothing").size() == 6);
}

TEST_CASE("selector-matches-nothing is quiet when selectors and namespaces resolve",
          "[checks][selector-matches-nothing]") {
  auto run = test::run_fixture("checks/selector-matches-nothing/negative.yaml", test::RunOptions(kCompleteProfile));
  INFO("findings:" << run->dump());
  CHECK(run->of("selector-matches-nothing").empty());
}

// One unrelated Namespace object does not make the input's namespace list complete (issue #11: one such
// object produced 42 findings in a public repository).
TEST_CASE("selector-matches-nothing judges namespace references only when the profile says the list is complete",
          "[checks][selector-matches-nothing]") {
  auto input = test::load_yaml(R"(
apiVersion: v1
kind: Namespace
metadata: {labels: {istio-injection: enabled},
  name: unrelated}
---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata:
  name: allow-frontend
  namespace: payments
spec:
  rules:
    - from:
        - source:
            namespaces: ["frontend"]
)");
  REQUIRE(input);
  REQUIRE(input->mesh.namespaces_declared);
  profile::Profile prof = profile::default_profile();
  checks::Options options;
  options.today = test::kFixtureToday;
  checks::Context ctx{input->sources, input->resources, input->mesh, prof, options, {}};
  CHECK(checks::run_checks(ctx, {"selector-matches-nothing"}).empty());
  prof.namespaces_complete = true;
  auto found = checks::run_checks(ctx, {"selector-matches-nothing"});
  REQUIRE(found.size() == 1);
  CHECK(found[0].properties.at("namespace") == "frontend");
  CHECK(found[0].message.find("(declared: unrelated)") != std::string::npos);
}

// Istio's own analyzer fixture (istio-analyzers.md §3, case "authorizationpolicies"): istioctl expects
// IST0127 (no matching workloads) for meshwide-httpbin-v1, httpbin-nopods, no-workload and
// httpbin-empty-namespace-wide, and IST0101 (namespace not found) twice each for httpbin-bogus-ns and
// httpbin-bogus-not-ns. istioctl takes the Namespaces it sees as complete, so meshproof runs with
// `namespaces: complete`, and agrees except for httpbin-empty-namespace-wide: its namespace is not
// declared, and meshproof judges a namespace-wide policy only in a declared namespace, because manifest
// repos often hold policies without the Deployments they protect (DESIGN.md §3). httpbin/httpbin-namespace-wide
// is not reported by either: httpbin runs pods.
TEST_CASE("selector-matches-nothing agrees with istioctl's authorizationpolicies fixture",
          "[checks][selector-matches-nothing][corpus]") {
  MESHPROOF_REQUIRE_SHARED();
  auto run = test::run_checks_on(
      {test::shared_path("corpus/istio/pkg/config/analysis/analyzers/testdata/authorizationpolicies.yaml")},
      test::RunOptions(kCompleteProfile));
  INFO("findings:" << run->dump());
  std::multiset<std::string> got;
  for (const Finding* f : run->of("selector-matches-nothing"))
    got.insert(f->properties.at("reason") + " " + f->resource.ns + "/" + f->resource.name);
  std::multiset<std::string> expected{
      "no-matching-workload istio-system/meshwide-httpbin-v1", "no-matching-workload httpbin/httpbin-nopods",
      "no-matching-workload test-ambient/no-workload",         "namespace-not-declared httpbin/httpbin-bogus-ns",
      "namespace-not-declared httpbin/httpbin-bogus-ns",       "namespace-not-declared httpbin/httpbin-bogus-not-ns",
      "namespace-not-declared httpbin/httpbin-bogus-not-ns",
  };
  CHECK(got == expected);
}

// IST0101 on Sidecars and Gateways (docs/semantics.md#gateways G7, #egress E9): a Sidecar whose
// workloadSelector matches nothing in its namespace; a Gateway whose selector names no gateway pod while the
// input holds gateway pods with the selector's keys. A Gateway in an input without gateway pods is not judged.
TEST_CASE("selector-matches-nothing reports Sidecars and Gateways that select nothing",
          "[checks][selector-matches-nothing]") {
  const std::string pods =
      "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: istio-ingressgateway, namespace: istio-system}\n"
      "spec:\n  selector: {matchLabels: {istio: ingressgateway}}\n  template:\n    metadata: {labels: {istio: "
      "ingressgateway}}\n    spec: {containers: [{name: istio-proxy, image: auto}]}\n---\n"
      "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: api, namespace: payments}\nspec:\n"
      "  selector: {matchLabels: {app: api}}\n  template:\n    metadata: {labels: {app: api}}\n"
      "    spec: {containers: [{name: api, image: api}]}\n---\n";
  const std::string objects =
      "apiVersion: networking.istio.io/v1\nkind: Sidecar\nmetadata: {name: egress, namespace: payments}\n"
      "spec:\n  workloadSelector: {labels: {app: apii}}\n  egress: [{hosts: [./*]}]\n---\n"
      "apiVersion: networking.istio.io/v1\nkind: Sidecar\nmetadata: {name: fine, namespace: payments}\n"
      "spec:\n  workloadSelector: {labels: {app: api}}\n  egress: [{hosts: [./*]}]\n---\n"
      "apiVersion: networking.istio.io/v1\nkind: Gateway\nmetadata: {name: public, namespace: istio-system}\n"
      "spec:\n  selector: {istio: ingresgateway}\n  servers:\n  - port: {number: 80, name: http, protocol: HTTP}\n"
      "    hosts: [shop.example.com]\n";
  auto run = test::run_checks_on({test::write_temp(pods + objects, "sidecar-gateway.yaml")},
                                 test::RunOptions({}, {"selector-matches-nothing"}));
  INFO("findings:" << run->dump());
  auto sidecar = run->where("selector-matches-nothing", "reason", "no-matching-workload");
  REQUIRE(sidecar.size() == 1);
  CHECK(sidecar[0]->resource.kind == "Sidecar");
  CHECK(sidecar[0]->resource.name == "egress");
  CHECK(sidecar[0]->message.find("did you mean app=api?") != std::string::npos);
  auto gateway = run->where("selector-matches-nothing", "reason", "no-matching-gateway-pod");
  REQUIRE(gateway.size() == 1);
  CHECK(gateway[0]->message.find("Gateway istio-system/public selects {istio=ingresgateway}, but no gateway pod") == 0);
  CHECK(gateway[0]->message.find("did you mean istio=ingressgateway?") != std::string::npos);

  auto without_pods = test::run_checks_on({test::write_temp(objects, "gateway-alone.yaml")},
                                          test::RunOptions({}, {"selector-matches-nothing"}));
  CHECK(without_pods->where("selector-matches-nothing", "reason", "no-matching-gateway-pod").empty());
}
